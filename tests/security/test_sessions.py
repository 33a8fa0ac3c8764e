"""Web sessions: kept in Redis, out of the database's reach; a new key at login, gone from
the server at logout, other sessions ended by a password change, and an idle timeout that
slides with use."""

import json
import os
import subprocess
import sys
import time
from importlib import import_module

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import ProgrammingError, connection, transaction
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

HOME = "/o/acme/"
COOKIE = settings.SESSION_COOKIE_NAME


def log_in(client, email="alice@acme.test", password=PASSWORD):
    response = client.post(reverse("login"), {"username": email, "password": password})
    assert response.status_code == 302, "logged in"
    return client.cookies[COOKIE].value


def stored(key) -> bool:
    """Whether the server still holds the session ``key``."""
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(key)


def redis_entry(key):
    """The Redis client and the full Redis key a session is kept under."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    cache = caches[settings.SESSION_CACHE_ALIAS]
    full_key = cache.make_and_validate_key(store.cache_key)
    return cache._cache.get_client(full_key, write=True), full_key


def is_in(client):
    response = client.get(HOME)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
        return False
    assert response.status_code == 200
    return True


def test_logging_in_replaces_the_session_key(client, alice):
    # Given a visitor with a session before logging in (as an attacker could plant)
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = session.session_key
    # When they log in
    after = log_in(client)
    # Then the old key is gone from the server and the data moved to a new one
    assert after != before
    assert not stored(before)
    assert stored(after)
    assert is_in(client)


def test_logging_out_ends_the_session_on_the_server(client, alice):
    key = log_in(client)
    assert client.post(reverse("logout")).status_code == 302
    assert not stored(key)

    # Someone who copied the cookie before logout gets the login page.
    replay = Client()
    replay.cookies[COOKIE] = key
    assert not is_in(replay)


def test_logging_out_takes_a_post(client, alice):
    log_in(client)
    assert client.get(reverse("logout")).status_code == 405
    assert is_in(client)


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(alice):
    # Given alice logged in on two devices
    laptop, phone = Client(), Client()
    log_in(laptop)
    log_in(phone)
    assert is_in(laptop) and is_in(phone)

    # When she changes her password on the laptop
    response = laptop.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a different passphrase 2026",
            "new_password2": "a different passphrase 2026",
        },
    )
    assert response.status_code == 302

    # Then the laptop stays in, the phone is out, and logs in again with the new password
    assert is_in(laptop)
    assert not is_in(phone)
    log_in(phone, password="a different passphrase 2026")
    assert is_in(phone)


def test_a_password_reset_ends_every_session(client, alice):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    desk = Client()
    log_in(desk)
    alice.user.refresh_from_db()  # the token covers last_login, which logging in just set
    uid = urlsafe_base64_encode(force_bytes(alice.user.pk))
    token = default_token_generator.make_token(alice.user)
    form = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "reset passphrase 2026", "new_password2": "reset passphrase 2026"},
    )
    assert done.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.check_password("reset passphrase 2026")
    assert not is_in(desk)


def test_the_timeout_is_idle_time_every_request_pushes_it_back(client, alice, settings):
    settings.SESSION_COOKIE_AGE = 600
    key = log_in(client)
    redis, entry = redis_entry(key)
    assert 590 < redis.ttl(entry) <= 600

    # Given the session is about to expire (nine and a half idle minutes later)
    redis.expire(entry, 30)
    # When she uses the site
    response = client.get(HOME)
    # Then it lives another full timeout, on the server and in the cookie
    assert 590 < redis.ttl(entry) <= 600
    assert response.cookies[COOKIE]["max-age"] == 600


def test_an_idle_session_has_expired(client, alice):
    key = log_in(client)
    redis, entry = redis_entry(key)
    redis.pexpire(entry, 1)
    time.sleep(0.05)
    assert not is_in(client)


def test_sessions_are_kept_out_of_the_database(client, alice, bob):
    # Given two people signed in
    log_in(client)
    log_in(Client(), email="bob@acme.test")
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"
    with transaction.atomic(), connection.cursor() as cursor:
        # Then the old session table holds nothing (as its owner sees it)...
        cursor.execute("SET LOCAL ROLE NONE")
        cursor.execute("SELECT count(*) FROM django_session")
        assert cursor.fetchone()[0] == 0
    # ...and the application role may neither read nor write it, so an injected statement
    # could not steal or plant a session there
    for statement in (
        "SELECT session_key FROM django_session",
        "INSERT INTO django_session VALUES ('planted', 'x', now() + interval '1 day')",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"):
            with transaction.atomic(), connection.cursor() as cursor:
                role = connection.ops.quote_name(settings.DATABASE_APP_ROLE)
                cursor.execute(f"SET LOCAL ROLE {role}")
                cursor.execute(statement)


def test_the_session_cookie_is_out_of_reach_of_scripts_and_other_sites(client, alice):
    log_in(client)
    cookie = client.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def settings_of(module, names, **env):
    """Settings as a fresh process with this environment would see them."""
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps([getattr(s, n) for n in {names!r}]))"
    )
    clean = {k: v for k, v in os.environ.items() if k != "SESSION_IDLE_TIMEOUT_SECONDS"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": f"kra_platform.settings.{module}", **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_the_idle_timeout_is_eight_hours_unless_the_environment_says_otherwise():
    names = ["SESSION_COOKIE_AGE", "SESSION_SAVE_EVERY_REQUEST"]
    assert settings_of("test", names) == [8 * 60 * 60, True]
    assert settings_of("test", names, SESSION_IDLE_TIMEOUT_SECONDS="900") == [900, True]


def test_production_sends_the_session_cookie_over_https_only_to_this_host():
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SESSION_COOKIE_DOMAIN",
        "SESSION_COOKIE_PATH",
        "SESSION_COOKIE_AGE",
    ]
    assert settings_of(
        "production", names, DJANGO_SECRET_KEY="x" * 50, SESSION_IDLE_TIMEOUT_SECONDS="1800"
    ) == [True, True, "__Host-sessionid", "__Host-csrftoken", None, "/", 1800]
