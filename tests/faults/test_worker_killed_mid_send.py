"""A worker is killed (kill -9) while the platform has the reply and its answer is still on the way."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from channels import services
from inbox import services as inbox
from inbox.models import Conversation, ConversationEvent, DeliveryStatus, EventKind, Message
from inbox.workflow import Status
from outbox.models import PendingTask
from tests import signing
from tests.factories import conversation
from tests.faults.conftest import wait_for
from webcare.lib import tasks


def _kill_during_the_send(workers, platform, agent, channel: str, path: str) -> Message:
    """Reply, let the platform take the send request and hang, kill -9 the worker, start another."""
    platform.hang(path, after=True)
    talk = conversation("Er ligt glas op het fietspad.", channel=channel)
    first = workers.start(platform_timeout=60)
    reply = inbox.reply(agent=agent, conversation_id=talk.pk, text="Dank u, we sturen iemand langs.")
    wait_for(platform.in_flight.is_set, "the send request to reach the platform", logs=workers.logs)
    workers.kill(first)
    platform.rules.clear()
    platform.released.set()
    assert len(platform.outbox()) == 1  # the platform has it; we never heard
    assert Message.objects.get(pk=reply.pk).delivery_status == DeliveryStatus.SENDING
    workers.start()
    return reply


def _later_relays_change_nothing(platform, workers) -> None:
    """The killed worker's task is still owed: handed over again after its lease, it finds nothing to do."""
    assert tasks.relay(now=timezone.now() + tasks.LEASE) >= 1
    wait_for(lambda: not PendingTask.objects.exists(), "nothing owed any more", logs=workers.logs)
    assert len(platform.outbox()) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_while_twilio_has_the_reply_does_not_send_it_twice(broker, workers, agent, platform):
    """Proves: when the worker dies after Twilio took the reply and before its answer came, the reply
    is not sent again on a guess: once the send is stale, the next attempt (in a new worker) asks
    Twilio's message list first, finds the reply there and records it as sent with Twilio's id. The
    resident gets it once, and later hand-overs of the dead worker's task change nothing."""
    reply = _kill_during_the_send(workers, platform, agent, "whatsapp", "/Messages.json")

    assert services.settle_stale_sends(now=timezone.now() + services.STALE_SENDING) == {
        "asked": 1,
        "unknown": 0,
    }
    sent = Message.objects.filter(pk=reply.pk, delivery_status=DeliveryStatus.SENT)
    wait_for(sent.exists, "the reply to be recorded as sent", logs=workers.logs)
    (delivered,) = platform.outbox()
    assert sent.get().provider_id == delivered["id"]
    _later_relays_change_nothing(platform, workers)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_while_meta_has_the_reply_shows_the_agent_its_outcome_is_unknown(
    broker, workers, agent, platform
):
    """Proves: Meta cannot be asked whether it has a message, so when the worker dies mid-send the
    reply is never sent again by itself. Once the send is stale and no echo came, the reply fails
    with a reason that says its outcome is unknown, the conversation returns to the agent's queue,
    and the conversation page offers to send it again. The resident got it once; when Meta's echo
    arrives after all, the reply counts as sent."""
    reply = _kill_during_the_send(workers, platform, agent, "facebook", "/messages")

    assert services.settle_stale_sends(now=timezone.now() + services.STALE_SENDING) == {
        "asked": 0,
        "unknown": 1,
    }
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "Onbekend of dit antwoord is aangekomen" in reply.delivery_error
    talk = Conversation.objects.get(pk=reply.conversation_id)
    assert talk.status == Status.OPEN
    assert ConversationEvent.objects.filter(conversation=talk, kind=EventKind.DELIVERY_FAILED).exists()
    assert inbox.claim_next(agent=agent) == talk  # Next gives the agent this conversation first
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("inbox:conversation", args=[talk.pk])).content.decode()
    assert "Onbekend of dit antwoord is aangekomen" in page
    assert reverse("inbox:retry", args=[reply.pk]) in page
    _later_relays_change_nothing(platform, workers)

    (delivered,) = platform.outbox()
    echo = signing.load_fixture("meta", "messenger_echo")
    event = echo["entry"][0]["messaging"][0]
    event["recipient"]["id"] = talk.identity.external_id
    event["message"] |= {"mid": delivered["id"], "metadata": f"webcare:{reply.send_key}", "text": reply.text}
    body = signing.meta_body(echo)
    response = client.post(
        "/webhooks/meta/", body, content_type="application/json", **signing.meta_headers(body)
    )
    assert response.status_code == 200
    sent = Message.objects.filter(pk=reply.pk, delivery_status=DeliveryStatus.SENT)
    wait_for(sent.exists, "the worker to file the echo", logs=workers.logs)
    assert sent.get().provider_id == delivered["id"]
