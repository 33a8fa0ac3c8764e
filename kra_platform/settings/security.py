"""Security settings shared by every environment. base.py imports this module at its end, so
the names taken from base below are already defined; every value can be tightened per
environment in local.py, test.py or production.py. docs/SECURITY.md explains each layer."""

from datetime import timedelta

from csp.constants import NONCE, NONE, SELF

from .base import (
    AUTHENTICATION_BACKENDS,
    INSTALLED_APPS,
    REST_FRAMEWORK,
    SESSION_COOKIE_AGE,
    env,
)

INSTALLED_APPS = [*INSTALLED_APPS, "csp", "axes"]

# --- Content security policy (django-csp) ---
# Scripts only from our origin or carrying the per-response nonce (templates/base.html);
# no inline styles or handlers anywhere, so neither 'unsafe-inline' nor 'unsafe-eval' is
# needed (htmx is told not to evaluate strings: allowEval false in base.html). Pico's icons
# are data: SVGs in the stylesheet, hence img-src data:. The Swagger UI page adds a nonce
# of its own (kra_platform/api_docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Login lockout (django-axes) ---
# Counted per (username, client address): a guesser somewhere else cannot lock the real
# owner out, and each account gets AXES_FAILURE_LIMIT guesses per address per cool-off.
# (One guess at each of many accounts is not what this stops; docs/SECURITY.md.) Axes' gate
# comes before the backend that checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", *AUTHENTICATION_BACKENDS]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The lockout lasts the cool-off from the moment it starts; further attempts during it are
# refused without extending it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A correct password clears the failures of that username from that address only.
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Every login path passes the email as authenticate(username=…) (the login form's field is
# "username" too). The count is kept against the email's normal form (orgs/emails.py), the
# form accounts are stored and matched in: "Alice@" and "alice@" share one count, and a
# look-alike that folds to another address reaches no account.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "orgs.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "orgs.lockout.lockout_response"
# The client address is REMOTE_ADDR. Behind N reverse proxies that each append to
# X-Forwarded-For, set TRUSTED_PROXY_COUNT=N: the address the outermost of them saw is used,
# and whatever a client writes into the header itself is ignored.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "orgs.lockout.client_ip"

# --- Sessions ---
# Kept in Redis (the default cache), not in the database: the application's database role
# cannot read them, so an injected SQL statement cannot steal a session. Each session key
# lives in Redis with the idle timeout as its time to live. The django_session table stays
# (its migration is applied) but is emptied and out of the application role's reach
# (orgs migration "sessions_out_of_database_reach").
SESSION_ENGINE = "django.contrib.sessions.backends.cache"
SESSION_CACHE_ALIAS = "default"
# An idle timeout: every request pushes the expiry SESSION_COOKIE_AGE seconds ahead, so a
# session ends after that long without use. SESSION_COOKIE_AGE (base.py) stays as the
# older name of the same knob.
SESSION_COOKIE_AGE = int(env("SESSION_IDLE_TIMEOUT_SECONDS") or SESSION_COOKIE_AGE)
SESSION_SAVE_EVERY_REQUEST = True

# --- API input ---
# The JSON parser refuses strings with lone surrogates (which no database column can hold)
# with a 400 instead of a server error; forms and uploads parse as DRF's defaults do.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_PARSER_CLASSES": [
        "kra_platform.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
