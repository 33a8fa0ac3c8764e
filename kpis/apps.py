from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "kpis"
    verbose_name = "KPIs"

    def ready(self):
        # The app's actions join orgs' registry (``orgs.policy.Action.<name>``) and its rule
        # settings orgs' settings framework: framework hooks, not domain logic.
        from orgs import org_settings, policy

        from . import org_settings as app_settings
        from .policy import MeasurementAction, decide

        policy.register(MeasurementAction, decide)
        org_settings.register(app_settings.SETTINGS, check=app_settings.check, module=app_settings)
        # Its reminder kinds join orgs' reminder registry, their deadline settings the
        # settings framework.
        from orgs.reminders import registry as reminder_registry

        from . import reminders

        org_settings.register(reminders.SETTINGS)
        reminder_registry.register(*reminders.KINDS)
