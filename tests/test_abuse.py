"""Requests made to abuse the desk: forged cross-site posts, redirects to elsewhere, uploaded files."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView

from inbox.models import Direction, Message
from tests.conftest import PASSWORD
from tests.factories import conversation
from tests.routes import routes

pytestmark = pytest.mark.django_db

# Platforms cannot send our CSRF token: they prove who they are with a signature over the request.
WEBHOOKS = {"channels:whatsapp", "channels:whatsapp-status", "channels:meta", "channels:x"}


def _is_api(view) -> bool:
    return isinstance(getattr(view, "cls", None), type) and issubclass(view.cls, APIView)


# --- CSRF -----------------------------------------------------------------------------------------


def test_only_the_webhooks_skip_the_csrf_check():
    skipping = {
        route.name or route.path
        for route in routes()
        if getattr(route.view, "csrf_exempt", False) and not _is_api(route.view)
    }
    assert skipping == WEBHOOKS


def test_the_api_checks_csrf_for_browser_sessions():
    """DRF views skip Django's check and do their own: for a session, not for a token a browser never sends
    by itself."""
    for route in routes():
        if _is_api(route.view):
            for authentication in route.view.cls.authentication_classes:
                assert issubclass(authentication, SessionAuthentication | TokenAuthentication), route


@pytest.fixture
def browser(eva) -> Client:
    """A logged-in agent's browser that sends no CSRF token, as a forged form on another site would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(eva)
    return client


@pytest.mark.parametrize(
    ("name", "needs_conversation"),
    [
        ("inbox:next", False),
        ("inbox:reply", True),
        ("inbox:close", True),
        ("accounts:away", False),
        ("set_language", False),
        ("logout", False),
        ("escalations:escalate", True),
        ("feedback:record", True),
    ],
)
def test_a_post_without_the_csrf_token_is_refused(browser, name, needs_conversation):
    found = conversation()
    url = reverse(name, args=[found.pk]) if needs_conversation else reverse(name)
    response = browser.post(url, {"text": "Hallo", "language": "en"})
    assert response.status_code == 403
    assert b"<style" not in response.content  # our page, which the Content Security Policy allows
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_the_api_refuses_a_session_post_without_the_csrf_token(browser, eva):
    found = conversation()
    url = reverse("api-reply", args=[found.pk])
    response = browser.post(url, {"text": "Hallo"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    token = Token.objects.create(user=eva)
    by_token = Client(enforce_csrf_checks=True).post(
        url, {"text": "Hallo"}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
    )
    assert by_token.status_code == 201


# --- Open redirects -------------------------------------------------------------------------------

ELSEWHERE = [
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    " //evil.example/",
]


def _stays_on_the_desk(response) -> bool:
    location = response["Location"]
    return location.startswith("/") and not location.startswith(("//", "/\\")) and "evil" not in location


@pytest.mark.parametrize("target", ELSEWHERE)
def test_logging_in_never_sends_you_elsewhere(client, eva, target):
    response = client.post("/login/", {"username": "eva", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert _stays_on_the_desk(response), response["Location"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_admins_log_in_passes_its_target_on_to_ours(client, target):
    response = client.get("/admin/login/", {"next": target})
    assert response["Location"].startswith("/login/?")  # whose check is the test above


@pytest.mark.parametrize("target", ELSEWHERE)
@pytest.mark.parametrize("name", ["set_language", "accounts:away", "logout"])
def test_forms_that_return_you_to_a_page_stay_on_the_desk(client, eva, name, target):
    client.force_login(eva)
    response = client.post(reverse(name), {"next": target, "language": "en"})
    assert response.status_code == 302
    assert _stays_on_the_desk(response), response["Location"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_monitoring_returns_you_to_the_feed_only(client, eva, target):
    from monitoring.models import Mention

    now = timezone.now()
    mention = Mention.objects.create(
        channel="x",
        external_id="9",
        text="Afval!",
        author_id="1",
        posted_at=now,
        expires_at=now + timedelta(days=1),
    )
    client.force_login(eva)
    response = client.post(reverse("monitoring:correct", args=[mention.pk]), {"next": target})
    assert response.status_code == 302
    assert _stays_on_the_desk(response), response["Location"]


# --- Uploads --------------------------------------------------------------------------------------


def test_a_file_in_a_request_is_refused_before_it_is_kept():
    photo = SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 200_000, content_type="image/png")
    request = RequestFactory().post("/inbox/", {"text": "Hallo", "file": photo, "after": "lost"})
    assert request.POST.get("text") == "Hallo"
    assert not request.FILES
    assert "after" not in request.POST  # reading stopped at the file


def test_a_reply_with_a_file_attached_is_sent_without_it(client, eva, django_capture_on_commit_callbacks):
    found = conversation()
    client.force_login(eva)
    attached = SimpleUploadedFile("virus.exe", b"MZ" + b"0" * 1000)
    url = reverse("inbox:reply", args=[found.pk])
    response = client.post(url, {"text": "We komen eraan.", "file": attached})
    assert response.status_code in (200, 302), response.content
    reply = Message.objects.get(direction=Direction.OUTBOUND)
    assert reply.attachments == []


def test_the_api_answers_a_file_with_an_error_not_a_crash(client, eva):
    found = conversation()
    token = Token.objects.create(user=eva)
    response = client.post(
        reverse("api-reply", args=[found.pk]),
        {"file": SimpleUploadedFile("a.bin", b"\0" * 1000), "text": "Hallo"},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 400
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()
