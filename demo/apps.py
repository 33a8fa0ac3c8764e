from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo organisation builder and the operator commands that use it (``seed_demo``,
    ``bench_pages``). It composes every domain app, so it sits right of all of them and no
    domain app imports it."""

    name = "demo"
