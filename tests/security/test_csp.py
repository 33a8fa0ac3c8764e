"""The content security policy: on every page, with a fresh nonce that only our own script
tags carry, and nothing inline for it to have to allow."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ObjectiveFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def nonce_of(policy, directive="script-src") -> str:
    nonces = [v for v in policy[directive] if v.startswith("'nonce-")]
    assert len(nonces) == 1, policy[directive]
    return nonces[0][len("'nonce-") : -1]


def test_pages_carry_the_policy_the_design_asks_for(login, alice):
    response = login(alice).get(reverse("org-home", args=["acme"]))
    policy = policy_of(response)

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_every_script_tag_carries_this_responses_nonce(login, alice):
    client = login(alice)
    first = client.get(reverse("org-home", args=["acme"]))
    second = client.get(reverse("org-home", args=["acme"]))

    nonce = nonce_of(policy_of(first))
    tags = re.findall(r"<script\b[^>]*>", first.content.decode())
    assert len(tags) == 2
    for tag in tags:
        assert f'nonce="{nonce}"' in tag and "src=" in tag
    assert nonce_of(policy_of(second)) != nonce, "a nonce is never reused"


@pytest.mark.parametrize("name", ["login", "password_reset"])
def test_anonymous_pages_are_covered_too(client, db, name):
    response = client.get(reverse(name))
    assert f'nonce="{nonce_of(policy_of(response))}"' in response.content.decode()


def test_htmx_fragments_and_api_answers_are_covered(login, api, alice):
    first, _second = ObjectiveFactory(org=alice.org), ObjectiveFactory(org=alice.org)
    fragment = login(alice).post(
        reverse("objective-move", args=["acme", first.pk]),
        {"direction": "down"},
        HTTP_HX_REQUEST="true",
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert policy_of(fragment)["script-src"][0] == "'self'"
    answer = api(alice).get(reverse("api:objective-list", args=["acme"]))
    assert policy_of(answer)["default-src"] == ["'self'"]


def test_the_api_docs_page_allows_only_its_own_nonced_style(client, alice):
    client.force_login(alice.user)
    response = client.get("/api/docs/")
    page = response.content.decode()
    policy = policy_of(response)

    nonce = nonce_of(policy, "style-src")
    assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert f'<style nonce="{nonce}">' in page
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    # No inline script: each one is loaded, the start-up script from this very view.
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", page, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    start_up = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', page).group(1)
    script = client.get(start_up.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_admin_login_is_covered(client, db):
    response = client.get(reverse("admin:login"))
    assert policy_of(response)["frame-ancestors"] == ["'none'"]


# What a nonce-only policy would block in a browser. A template that needs one of these
# must move it to static/js/app.js or static/css/app.css instead.
INLINE = [
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style(?![^>]*\bnonce=)", re.I), "a <style> element without a nonce"),
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<script(?![^>]*\bnonce=)[^>]*>", re.I), "a <script> without a nonce"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"hx-on", re.I), "an hx-on handler (evaluated code)"),
]


def _served_to_browsers(path) -> bool:
    # Documents rendered to PDF by WeasyPrint (``*_pdf.html``) never reach a browser and
    # carry their print styles inline; no script is allowed in them either (checked below).
    return not path.name.endswith("_pdf.html")


def test_no_template_needs_inline_script_or_style():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        if not _served_to_browsers(path):
            if re.search(r"<script|\son[a-z]+\s*=|javascript:", text, re.I):
                found.append(f"{path.relative_to(TEMPLATES)}: a script in a PDF document")
            continue
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert found == []
