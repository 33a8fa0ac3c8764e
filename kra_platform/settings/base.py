"""Settings shared by every environment. Everything deployment-specific comes from the
environment; see README.md for the variables."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_htmx",
    "kra_platform",
    "orgs",
    "roles",
    "kras",
    "kpis",
    "reviews",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "orgs.middleware.TenantDatabaseMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a lockout flagged during authenticate() into
    # the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kra_platform.urls"
WSGI_APPLICATION = "kra_platform.wsgi.application"
ASGI_APPLICATION = "kra_platform.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orgs.context_processors.tenant",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database: PostgreSQL only. ---
# DATABASE_URL is the application role (no superuser, owns no table, row-level security
# applies). Without it, the role URLs are derived from DATABASE_ADMIN_URL or the embedded
# server (kra_platform/database.py); creating the roles is an explicit step (`make run`,
# `make test`, `python -m kra_platform.database`), never done here. Migrations connect as the
# owner role (KRA_DB_AS_OWNER=1); operator commands that work across organisations as the
# maintenance role (KRA_DB_AS_MAINTENANCE=1, DATABASE_MAINTENANCE_URL).
from kra_platform.database import database_urls  # noqa: E402

database_urls()
if env_bool("KRA_DB_AS_OWNER"):
    _DB_URL = os.environ["DATABASE_OWNER_URL"]
elif env_bool("KRA_DB_AS_MAINTENANCE"):
    if not env("DATABASE_MAINTENANCE_URL"):
        raise RuntimeError("KRA_DB_AS_MAINTENANCE=1 needs DATABASE_MAINTENANCE_URL")
    _DB_URL = os.environ["DATABASE_MAINTENANCE_URL"]
else:
    _DB_URL = os.environ["DATABASE_URL"]
DATABASES = {"default": dj_database_url.parse(_DB_URL, conn_max_age=60)}
DATABASE_APP_ROLE = dj_database_url.parse(os.environ["DATABASE_URL"])["USER"]
DATABASE_MAINTENANCE_ROLE = env("DATABASE_MAINTENANCE_ROLE", "kra_maint")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker. Without REDIS_URL an embedded server is started. ---
if not env("REDIS_URL"):
    from kra_platform.embedded import redis_url

    os.environ["REDIS_URL"] = redis_url()
REDIS_URL = os.environ["REDIS_URL"]


def _celery_url(url: str) -> str:
    # kombu names a unix-socket Redis "redis+socket://"; redis-py says "unix://".
    if url.startswith("unix://"):
        return "redis+socket://" + url[len("unix://") :]
    return url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", "kra"),
    }
}

CELERY_BROKER_URL = _celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = _celery_url(REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "kra")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Periodic jobs register here (one beat process; each job fans out per organisation).
CELERY_BEAT_SCHEDULE: dict = {
    # Hourly, so that each organisation's scores are recomputed at night in its own time
    # zone (kpis/tasks.py rollup_nightly picks the organisations where it is 02:00).
    "kpis-rollup-nightly": {"task": "kpis.tasks.rollup_nightly", "schedule": 3600.0},
    # Hourly, so that each organisation's reminders go out once a day at its own
    # reminder_hour (orgs/reminders/tasks.py reminders_daily).
    "orgs-reminders-daily": {"task": "orgs.reminders.tasks.reminders_daily", "schedule": 3600.0},
}

# --- Auth ---
AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "org-picker"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
INVITATION_TTL = timedelta(days=7)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
GUARDIAN_USER_OBJ_PERMS_MODEL = "guardian.UserObjectPermission"
ANONYMOUS_USER_NAME = None

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(60 * 60 * 8)))

# --- Email: console by default, SMTP when EMAIL_HOST is set ---
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "KRA Platform <no-reply@kra.localhost>")

# --- I18N ---
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media ---
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", BASE_DIR / "node_modules" / "@picocss" / "pico" / "css"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "orgs.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kra_platform.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "EXCEPTION_HANDLER": "orgs.api.base.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KRA Platform API",
    "DESCRIPTION": "Every organisation's data lives under /api/v1/orgs/<org-slug>/. "
    "Authenticate with the browser session or 'Authorization: Bearer <token>'.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several fields are called "direction": a reorder ("up"/"down") and a KPI's direction.
    "ENUM_NAME_OVERRIDES": {
        "MoveDirectionEnum": [("up", "up"), ("down", "down")],
        "KpiDirectionEnum": "kpis.models.Direction",
        "KraStatusEnum": "kras.models.KRAStatus",
        "ObjectiveStatusEnum": "kras.models.ObjectiveStatus",
        "AgreementStatusEnum": "reviews.models.AgreementStatus",
        "ExportStatusEnum": "reviews.models.ExportStatus",
        "ReviewStatusEnum": "reviews.models.ReviewStatus",
        "AgreementKpiSourceEnum": "reviews.models.ItemSource",
        "AgreementItemSourceEnum": [("role", "role"), ("personal", "personal")],
        "TemplateSourceEnum": [("library", "library"), ("organization", "organization")],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

from .security import *  # noqa: E402, F403
