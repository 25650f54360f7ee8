"""Background work with a real Celery worker, and what happens when the broker is down."""

import os
import time
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker

from inbox import services
from inbox.models import Conversation, Message
from outbox.models import PendingTask
from webcare.celery import app
from webcare.lib import tasks


@contextmanager
def broker(url: str):
    """Point the Celery app at `url` with eager mode off, as in production."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(
        broker_url=url,
        task_always_eager=False,
        broker_transport_options={"socket_connect_timeout": 1, "max_retries": 0},
    )
    _forget_connections()
    try:
        yield
    finally:
        app.conf.update(saved)
        _forget_connections()


def _forget_connections() -> None:
    """Drop pooled broker connections and producers, so the next use connects to the new URL."""
    app._pool = None
    app.amqp._producer_pool = None


def _receive(text: str, provider_id: str) -> Message:
    message, _ = services.receive_message(
        services.IncomingMessage(
            channel="whatsapp", sender_id="+31612340000", text=text, provider_id=provider_id
        )
    )
    return message


def _wait_until(predicate, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_reads_and_routes_the_message():
    with (
        broker(os.environ.get("REDIS_URL") or "memory://"),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        message = _receive("Er ligt een omgevallen boom op de weg", "worker-1")
        assert _wait_until(lambda: Message.objects.get(pk=message.pk).processed_at is not None)
    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.team.slug == "webcare"
    assert conversation.urgent


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_message_is_kept_when_the_broker_is_down_and_the_relay_catches_up():
    with broker("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        message = _receive("De lantaarnpaal is kapot", "broker-down-1")
    assert Message.objects.get(pk=message.pk).processed_at is None
    (owed,) = PendingTask.objects.all()
    assert (owed.task, owed.args) == ("inbox.process_message", [message.pk])
    assert tasks.relay() == 1  # the broker is back (eager in tests): due at once, no lease to wait for
    assert Conversation.objects.get(pk=message.conversation_id).team.slug == "webcare"
    assert not PendingTask.objects.exists()
