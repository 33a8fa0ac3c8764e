from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        # The app's actions join orgs' registry (``orgs.policy.Action.<name>``) and its rule
        # settings orgs' settings framework: framework hooks, not domain logic.
        from orgs import org_settings, policy

        from . import org_settings as app_settings
        from .policy import AgreementAction, decide

        policy.register(AgreementAction, decide)
        from .policy import ReviewAction, decide_review

        policy.register(ReviewAction, decide_review)
        from .policy import CycleAction, decide_cycles

        policy.register(CycleAction, decide_cycles)
        from .policy import CheckInAction, decide_check_in

        policy.register(CheckInAction, decide_check_in)
        org_settings.register(app_settings.SETTINGS, module=app_settings)
        # Its reminder kinds join orgs' reminder registry, their deadline settings the
        # settings framework.
        from orgs.reminders import registry as reminder_registry

        from . import reminders

        org_settings.register(reminders.SETTINGS)
        reminder_registry.register(*reminders.KINDS)
