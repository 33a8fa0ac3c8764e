from django.apps import AppConfig


class KrasConfig(AppConfig):
    name = "kras"
    verbose_name = "KRAs"
