from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _store_context_key(sender, using, **kwargs):
    from django.db import connections

    from . import rls

    rls.sync_context_key(connections[using])


class KraPlatformConfig(AppConfig):
    name = "kra_platform"
    verbose_name = "KRA Platform"

    def ready(self):
        # A framework hook: every `migrate` (run as the owner role) stores the context key
        # the row-level-security policies verify (kra_platform/rls.py).
        post_migrate.connect(_store_context_key, sender=self)
