from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Organisations")

    def ready(self):
        # The reminders' action joins the policy registry and their stage settings the
        # settings framework; their tasks are registered with Celery (a package, not
        # orgs/tasks.py, so autodiscovery does not find them): framework hooks.
        from . import org_settings, policy
        from .reminders import org_settings as reminder_settings
        from .reminders import tasks  # noqa: F401
        from .reminders.policy import ReminderAction, decide

        policy.register(ReminderAction, decide)
        org_settings.register(
            reminder_settings.SETTINGS, check=reminder_settings.check, module=reminder_settings
        )
