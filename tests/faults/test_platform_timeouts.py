"""A platform that does not answer within PLATFORM_TIMEOUT (eager mode: retries run at once)."""

import pytest
from django.test import Client
from django.urls import reverse

from channels import services
from channels.tasks import send_message
from inbox import services as inbox
from inbox.models import DeliveryStatus, Message
from tests import signing
from tests.factories import conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def impatient(settings):
    settings.PLATFORM_TIMEOUT = 0.2


@pytest.fixture
def backoff(monkeypatch) -> list[int]:
    """The countdowns the send task asks Celery for, one per retry."""
    asked: list[int] = []
    retry = send_message.retry

    def recording(*args, **kwargs):
        asked.append(kwargs["countdown"])
        return retry(*args, **kwargs)

    monkeypatch.setattr(send_message, "retry", recording)
    return asked


def _reply(agent, channel: str, run_queued_work) -> Message:
    talk = conversation("Wanneer wordt het grofvuil opgehaald?", channel=channel)
    with run_queued_work(execute=True):
        reply = inbox.reply(agent=agent, conversation_id=talk.pk, text="Donderdag, vanaf 7 uur.")
    reply.refresh_from_db()
    return reply


def test_a_twilio_that_never_answers_fails_the_reply_visibly_after_backing_off(
    eva, platform, impatient, backoff, django_capture_on_commit_callbacks
):
    """Proves: a send that times out is retried with growing waits; before each new attempt Twilio is
    asked whether it has the reply after all (a timeout is an unknown outcome); after the last
    attempt the reply is failed with the reason, the conversation page shows it with a button to
    send it again, and that button sends it once the platform answers. Nothing is sent twice."""
    platform.hang("/Messages.json", after=False)
    reply = _reply(eva, "whatsapp", django_capture_on_commit_callbacks)

    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "ReadTimeout" in reply.delivery_error
    assert backoff == [10, 20, 40, 80, 160, 320, 600]
    assert reply.send_attempts == services.MAX_SEND_ATTEMPTS
    lookups = [r for r in platform.standin.requests_to("/Messages.json") if r.method == "GET"]
    assert len(lookups) == services.MAX_SEND_ATTEMPTS - 1
    assert platform.outbox() == []
    assert inbox.claim_next(agent=eva).pk == reply.conversation_id

    client = Client()
    client.force_login(eva)
    page = client.get(reverse("inbox:conversation", args=[reply.conversation_id])).content.decode()
    assert "Niet afgeleverd" in page and "ReadTimeout" in page
    platform.rules.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("inbox:retry", args=[reply.pk]))
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert [item["text"] for item in platform.outbox()] == [reply.text]


def test_a_twilio_that_took_the_reply_and_timed_out_is_asked_instead_of_sent_twice(
    eva, platform, impatient, backoff, django_capture_on_commit_callbacks
):
    """Proves: the timeout is the unknown outcome of the worker killed mid-send: Twilio took the
    reply and never answered; the retry finds it in Twilio's message list and does not send it."""
    platform.hang("/Messages.json", after=True)
    reply = _reply(eva, "whatsapp", django_capture_on_commit_callbacks)

    (delivered,) = platform.outbox()
    assert (reply.delivery_status, reply.provider_id) == (DeliveryStatus.SENT, delivered["id"])
    assert backoff == [10]


def test_a_meta_that_took_the_reply_and_timed_out_waits_for_the_echo_instead_of_sending_again(
    eva, platform, impatient, backoff, client, django_capture_on_commit_callbacks
):
    """Proves: Meta cannot be asked, so a reply whose send timed out is not retried: it stays
    'sending' until Meta's echo confirms it (or, without one, the stale check shows the agent that
    its outcome is unknown: test_worker_killed_mid_send)."""
    platform.hang("/messages", after=True)
    reply = _reply(eva, "facebook", django_capture_on_commit_callbacks)
    assert reply.delivery_status == DeliveryStatus.SENDING
    assert backoff == []

    (delivered,) = platform.outbox()
    echo = signing.load_fixture("meta", "messenger_echo")
    event = echo["entry"][0]["messaging"][0]
    event["recipient"]["id"] = reply.conversation.identity.external_id
    event["message"] |= {"mid": delivered["id"], "metadata": f"webcare:{reply.send_key}", "text": reply.text}
    body = signing.meta_body(echo)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/webhooks/meta/", body, content_type="application/json", **signing.meta_headers(body))
    reply.refresh_from_db()
    assert (reply.delivery_status, reply.provider_id) == (DeliveryStatus.SENT, delivered["id"])
    assert len(platform.outbox()) == 1
