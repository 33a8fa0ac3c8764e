from django.apps import AppConfig


class RolesConfig(AppConfig):
    name = "roles"

    def ready(self):
        # The app's actions join orgs' registry (``orgs.policy.Action.<name>``): a
        # framework hook, like connecting a signal, not domain logic.
        from orgs import policy

        from .policy import RoleAction, decide

        policy.register(RoleAction, decide)
