from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Parallel runs on one machine keep apart: their own test database and Celery queue.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DB_NAME", "test_kra")}  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = env("TEST_CELERY_QUEUE", "kra-test")  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = CELERY_TASK_DEFAULT_QUEUE  # noqa: F405
