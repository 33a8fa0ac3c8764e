"""The settings ``manage.py bench`` runs gunicorn with: production's, except that static
files are served without the hashed manifest (the benchmark requests no static file, and
building the manifest compresses every vendored file, minutes on a busy machine)."""

from kra_platform.settings.production import *  # noqa: F403
from kra_platform.settings.production import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
