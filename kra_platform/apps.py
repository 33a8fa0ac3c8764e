from django.apps import AppConfig


class KraPlatformConfig(AppConfig):
    name = "kra_platform"
    verbose_name = "KRA Platform"
