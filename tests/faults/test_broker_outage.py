"""The broker goes down in the middle of a batch of webhooks, and comes back."""

import pytest
from django.test import Client
from django.utils import timezone

from channels.models import RawEvent, RawEventState
from inbox import services as inbox
from inbox.models import ConversationEvent, DeliveryStatus, Direction, EventKind, Message
from outbox.models import PendingTask
from tests.faults.conftest import wait_for
from tests.faults.deliveries import Resident, post
from webcare.lib import tasks

TEXTS = {
    "whatsapp": "De lantaarnpaal bij ons in de straat is kapot.",
    "facebook": "Hoe vraag ik een parkeervergunning aan?",
    "x": "Mijn container is al twee weken niet geleegd.",
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_broker_outage_during_webhook_delivery_loses_no_message_and_duplicates_none(
    broker, workers, agent, platform
):
    """Proves: with the broker stopped in the middle of a batch of signed WhatsApp, Messenger and X
    deliveries, every webhook still answers 200 and keeps its delivery once (a platform's retry of a
    delivery too); what the broker lost or never got is owed in the outbox, and once it is back a
    real worker (a process of its own) files, reads, routes and answers every message exactly once: the
    worker's start-up relay hands over the publishes that failed, the relay after the lease hands
    over what the crashed broker held, and replies reach the platform once each."""
    client = Client(REMOTE_ADDR="10.9.0.1")
    residents = [Resident(platform, TEXTS[platform]) for platform in TEXTS for _ in range(3)]
    before, during = residents[:3], residents[3:]
    first = [resident.delivery() for resident in before]
    assert [post(client, delivery) for delivery in first] == [200] * 3

    broker.stop()
    statuses = [post(client, resident.delivery()) for resident in during]
    statuses.append(post(client, first[1]))  # Meta repeats a delivery it thinks failed
    assert statuses == [200] * 7
    # Every delivery is kept once (the repeat too is recognised), and its filing is owed.
    kept = RawEvent.objects.all()
    assert (kept.count(), kept.filter(state=RawEventState.PENDING).count()) == (9, 9)
    owed = PendingTask.objects.filter(task="channels.process_raw_event").values_list("args", flat=True)
    assert sorted(owed) == sorted([pk] for pk in kept.values_list("pk", flat=True))
    assert not Message.objects.exists()  # no worker ran

    broker.start()
    workers.start()
    # The worker's start-up relay hands over the publishes that failed while the broker was down.
    during_ids = [pid for resident in during for pid in resident.provider_ids]
    stored = Message.objects.filter(direction=Direction.INBOUND)
    wait_for(
        lambda: stored.filter(provider_id__in=during_ids, processed_at__isnull=False).count() == 6,
        "the messages that came in during the outage to be processed",
        logs=workers.logs,
    )
    # Beat's relay, after the lease: what the broker held when it went down (Redis: lost with it).
    tasks.relay(now=timezone.now() + tasks.LEASE)
    wait_for(
        lambda: stored.filter(processed_at__isnull=False).count() == 9, "all 9 processed", logs=workers.logs
    )
    wait_for(lambda: not PendingTask.objects.exists(), "nothing owed any more", logs=workers.logs)
    provider_ids = [pid for resident in residents for pid in resident.provider_ids]
    assert sorted(stored.values_list("provider_id", flat=True)) == sorted(provider_ids)
    assert not kept.filter(state=RawEventState.PENDING).exists()

    conversations = {message.conversation_id for message in stored}
    assert len(conversations) == 9
    for kind in (EventKind.RECEIVED, EventKind.ROUTED):
        per_conversation = ConversationEvent.objects.filter(kind=kind, conversation_id__in=conversations)
        assert sorted(per_conversation.values_list("conversation_id", flat=True)) == sorted(conversations), (
            kind
        )
    assert set(stored.values_list("conversation__topic__slug", flat=True)) == {
        "lighting",
        "parking",
        "waste_collection",
    }

    replies = [
        inbox.reply(agent=agent, conversation_id=conversation_id, text=f"Antwoord {n}")
        for n, conversation_id in enumerate(sorted(conversations))
    ]
    # Beat's relay, every minute: what a web process left to it while the broker had just failed it.
    tasks.relay()
    sent = Message.objects.filter(pk__in=[reply.pk for reply in replies], delivery_status=DeliveryStatus.SENT)
    wait_for(lambda: sent.count() == len(replies), "every reply to be sent", logs=workers.logs)
    wait_for(lambda: not PendingTask.objects.exists(), "nothing owed any more", logs=workers.logs)
    texts = sorted(item["text"] for item in platform.outbox())
    assert texts == sorted(f"Antwoord {n}" for n in range(len(replies)))
