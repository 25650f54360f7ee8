"""Media downloads, catching up on missed deliveries, owed work, and webhooks while Redis is down."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.storage import default_storage
from django.utils import timezone

from channels import services
from channels.models import PollCursor, RawEvent, RawEventState
from inbox import services as inbox
from inbox.models import Conversation, DeliveryStatus, Message
from outbox.models import PendingTask
from tests import signing
from tests.conftest import PUBLIC_BASE_URL
from tests.factories import conversation
from tests.inbox.test_background import _wait_until, broker
from webcare.celery import app
from webcare.lib import tasks

# --- Media ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_whatsapp_media_is_downloaded_with_twilios_basic_auth(send, platforms):
    send.twilio("inbound_image")
    (attachment,) = Message.objects.get().attachments
    assert attachment["content_type"] == "image/png"
    assert default_storage.open(attachment["file"]).read().startswith(b"\x89PNG")
    (download,) = platforms.requests_to("/Media/")
    assert download.headers["authorization"].startswith("Basic ")


@pytest.mark.django_db
def test_media_from_a_host_that_is_not_the_platforms_is_not_fetched(send, platforms):
    params = signing.load_fixture("twilio", "inbound_image")
    params["MediaUrl0"] = "http://169.254.169.254/latest/meta-data/"
    send.twilio(params)
    (attachment,) = Message.objects.get().attachments
    assert "file" not in attachment
    assert "geen server van het platform" in attachment["error"]
    assert not platforms.requests_to("/latest")


@pytest.mark.django_db
def test_media_larger_than_the_limit_is_refused(send, settings):
    settings.MEDIA_MAX_BYTES = 10
    send.twilio("inbound_image")
    assert "groter dan de limiet" in Message.objects.get().attachments[0]["error"]


@pytest.mark.django_db
def test_a_failing_download_is_retried(send, platforms):
    platforms.fail_next("/Media/", 503)
    send.twilio("inbound_image")
    assert Message.objects.get().attachments[0]["content_type"] == "image/png"


# --- Catching up on what the webhooks missed ------------------------------------------------------


@pytest.mark.django_db
def test_whatsapp_catch_up_stores_messages_twilio_never_delivered(
    platforms, django_capture_on_commit_callbacks
):
    sid = platforms.seed_twilio_inbound(
        "whatsapp:+31699887766", "whatsapp:+31850001234", "Is het milieupark open?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.catch_up()["whatsapp"] == 1
    message = Message.objects.get(provider_id=sid)
    assert message.conversation.identity.external_id == "+31699887766"
    assert message.processed_at is not None
    assert services.catch_up()["whatsapp"] == 0  # already there
    assert PollCursor.objects.filter(name="twilio-inbound").exists()


@pytest.mark.django_db
def test_x_catch_up_follows_mentions_since_the_last_id(platforms):
    first = platforms.seed_x_mention(
        "@GemeenteDemo de brug staat open", "1732000000000000022", "kees_fietst", "Kees"
    )
    assert services.catch_up()["x"] == 1
    assert PollCursor.objects.get(name="x-mentions").value == first
    second = platforms.seed_x_mention(
        "@GemeenteDemo nog steeds open", "1732000000000000022", "kees_fietst", "Kees"
    )
    assert services.catch_up()["x"] == 1
    (poll,) = platforms.requests_to("/mentions")[-1:]
    assert poll.query["since_id"] == first
    assert Message.objects.filter(provider_id__in=[first, second], conversation__is_public=True).count() == 2


@pytest.mark.django_db
def test_catch_up_survives_a_platform_outage(platforms):
    platforms.fail_next("/Messages.json", 503)
    platforms.fail_next("/mentions", 503)
    assert services.catch_up() == {"whatsapp": 0, "x": 0}


# --- Owed work and early tasks -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reply_whose_task_was_lost_is_sent_by_the_relay(eva, platforms):
    """The web process died between the commit and the publish: the reply is owed, the relay sends it."""
    lost = inbox.reply(agent=eva, conversation_id=conversation(channel="whatsapp").pk, text="Verloren taak")
    # Owed: reading the resident's message, its suggestions, and the reply.
    assert tasks.relay(now=timezone.now() + tasks.LEASE) == 3
    lost.refresh_from_db()
    assert lost.delivery_status == DeliveryStatus.SENT
    assert len(platforms.outbox()) == 1
    assert not PendingTask.objects.exists()


@pytest.mark.django_db
def test_a_send_task_that_runs_before_an_x_dm_is_due_waits_for_it(eva, platforms):
    message = inbox.reply(agent=eva, conversation_id=conversation(channel="x").pk, text="Straks")
    Message.objects.filter(pk=message.pk).update(scheduled_for=timezone.now() + timedelta(minutes=10))
    with pytest.raises(services.RetryLater) as later:
        services.send_message(message.pk)
    assert later.value.countdown > 9 * 60
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.PENDING
    assert not platforms.outbox()


# --- Redis down; a real worker ----------------------------------------------------------------------


def _post_whatsapp(client, fixture: str):
    params = signing.load_fixture("twilio", fixture)
    return client.post(
        "/webhooks/whatsapp/", **signing.twilio_post(PUBLIC_BASE_URL + "/webhooks/whatsapp/", params)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_down_the_webhook_answers_200_keeps_the_message_and_the_relay_catches_up(client):
    with broker("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        response = _post_whatsapp(client, "inbound_image")
    assert response.status_code == 200
    assert RawEvent.objects.get().state == RawEventState.PENDING  # kept; its filing never reached a worker
    assert tasks.relay() == 1  # Redis is back: filing the delivery, which queues reading and the photo
    assert Message.objects.get().processed_at is not None
    assert Conversation.objects.get().team is not None
    assert Message.objects.get().attachments[0]["content_type"] == "image/png"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_processes_the_webhook_and_sends_the_reply(client, eva, platforms):
    import os

    with (
        broker(os.environ.get("REDIS_URL") or "memory://"),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        assert _post_whatsapp(client, "inbound_text").status_code == 200
        assert _wait_until(lambda: Message.objects.filter(processed_at__isnull=False).exists())
        message = Message.objects.get()
        reply = inbox.reply(agent=eva, conversation_id=message.conversation_id, text="We komen eraan.")
        # Watch the platform, not the database: SQLite's shared in-memory test database refuses a
        # write while another thread reads.
        assert _wait_until(lambda: platforms.outbox())
    # The worker has stopped, after finishing its task.
    assert Message.objects.get(pk=reply.pk).delivery_status == DeliveryStatus.SENT
    assert platforms.outbox()[0]["text"] == "We komen eraan."
