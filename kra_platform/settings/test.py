from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Parallel runs on one machine keep apart: their own test database and Celery queue.
CELERY_TASK_DEFAULT_QUEUE = env("TEST_CELERY_QUEUE", "kra-test")  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = CELERY_TASK_DEFAULT_QUEUE  # noqa: F405

# Tests log in as the owner role but act as the application role (`-c role=…`), so row-level
# security and the table privileges apply to everything a test does through the app, while
# the suite itself can still create, migrate and flush its database (tests/conftest.py).
_OWNER = dj_database_url.parse(os.environ["DATABASE_OWNER_URL"])  # noqa: F405
DATABASES["default"] = {  # noqa: F405
    **_OWNER,
    # Keep what the URL put in OPTIONS (the embedded server's socket directory, `?host=`):
    # without it libpq would fall back to its default socket, another server or none.
    "OPTIONS": {**_OWNER.get("OPTIONS", {}), "options": f"-c role={DATABASE_APP_ROLE}"},  # noqa: F405
    "TEST": {"NAME": env("TEST_DB_NAME", "test_kra")},  # noqa: F405
}
