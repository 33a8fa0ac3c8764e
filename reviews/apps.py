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
        org_settings.register(app_settings.SETTINGS, module=app_settings)
