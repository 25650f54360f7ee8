"""The headers every response carries, and in production the ones that bind the browser to HTTPS."""

import json
import re
from pathlib import Path

import pytest

from tests.test_production_settings import PRODUCTION, manage

ROOT = Path(__file__).resolve().parent.parent
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _directives(header: str) -> dict[str, str]:
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip())


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/api/docs/", "/webhooks/x/?crc_token=a", "/healthz/"])
def test_every_response_carries_the_content_security_policy(client, path):
    response = client.get(path)
    assert _directives(response["Content-Security-Policy"]) == POLICY


@pytest.mark.django_db
def test_pages_with_a_stricter_policy_of_their_own_keep_it(client):
    """The residents' status page runs no script at all (feedback/public_views.py)."""
    policy = _directives(client.get("/volg/unknown-token/")["Content-Security-Policy"])
    assert policy["default-src"] == "'none'"
    assert "script-src" not in policy


@pytest.mark.django_db
def test_pages_refuse_framing_sniffing_and_leaking_referrers(client):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_file(client, eva):
    client.force_login(eva)
    page = client.get("/api/docs/").content.decode()
    assert "<style" not in page
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_no_template_has_an_inline_script_style_or_event_handler():
    """The policy would block them in the browser; here they are found before anyone opens the page."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    found = [
        f"{template.relative_to(ROOT)}: {match.group(0)}"
        for template in sorted((ROOT / "templates").rglob("*.html"))
        if "/email/" not in template.as_posix()  # e-mails are read in a mail client, not under our policy
        for match in inline.finditer(template.read_text())
    ]
    assert found == []


PRODUCTION_VIEW = """
import json
from django.conf import settings
from django.test import Client, override_settings
# The page's stylesheet link needs collectstatic's manifest in production: not what is tested here.
plain_files = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_files}).enable()
response = Client().get("/login/", secure=True, HTTP_HOST="webcare.example.org")
plain = Client().get("/login/", HTTP_HOST="webcare.example.org")
print(json.dumps({
    "hsts": response.get("Strict-Transport-Security"),
    "csp": response.get("Content-Security-Policy"),
    "csrf_cookie": {k: response.cookies["csrftoken"][k] for k in ("secure", "samesite")},
    "plain_http": [plain.status_code, plain.get("Location")],
    "session_cookie": [settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY],
}))
"""


def test_production_binds_browsers_to_https_with_secure_cookies():
    result = manage("shell", "-c", PRODUCTION_VIEW, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert _directives(seen["csp"]) == POLICY
    assert seen["csrf_cookie"]["secure"] is True
    assert seen["csrf_cookie"]["samesite"] == "Lax"
    assert seen["plain_http"] == [301, "https://webcare.example.org/login/"]
    assert seen["session_cookie"] == [True, True]


# --- Error pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_missing_page_is_ours_and_under_the_policy(client, settings, eva):
    settings.DEBUG = False  # with DEBUG, Django shows its technical page instead
    client.force_login(eva)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()
    assert "Content-Security-Policy" in response


@pytest.mark.parametrize(
    ("handler", "status", "text"),
    [("bad_request", 400, "Ongeldig verzoek"), ("server_error", 500, "Er ging iets mis")],
)
def test_error_pages_need_no_request_and_no_inline_code(handler, status, text):
    from django.core.exceptions import BadRequest
    from django.test import RequestFactory
    from django.views import defaults

    request = RequestFactory().get("/")
    response = (
        defaults.bad_request(request, BadRequest())
        if handler == "bad_request"
        else defaults.server_error(request)
    )
    assert response.status_code == status
    page = response.content.decode()
    assert text in page
    assert "<style" not in page
    assert "style=" not in page
