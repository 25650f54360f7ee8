"""What bench/soak.py found with many residents and agents at once, pinned: on PostgreSQL a transaction
waits for another's row lock, and must act on what that other one committed."""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction

from inbox import services
from inbox.models import ChannelIdentity, Conversation, Message
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no transaction waits for a row lock")


@contextmanager
def held_open_in_another_transaction(work):
    """Run `work` in a transaction of another thread that commits only after the block's first statement
    has had to wait for it."""
    started, done = threading.Event(), threading.Event()

    def run() -> None:
        try:
            with transaction.atomic():
                work()
                started.set()
                time.sleep(0.5)
        finally:
            done.set()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    assert started.wait(10)
    yield
    thread.join(10)
    assert done.is_set()


def resident_writes(text: str, provider_id: str, thread_key: str = "dm") -> services.IncomingMessage:
    return services.IncomingMessage(
        channel="whatsapp",
        sender_id="+31612345678",
        sender_name="Sanne de Vries",
        text=text,
        provider_id=provider_id,
        thread_key=thread_key,
    )


def test_a_reply_that_waited_for_another_agents_claim_is_refused_with_their_name(eva, bram):
    """PostgreSQL gave the waiting transaction the row as committed, but the holder joined to it as it
    was before: None, and the refusal itself failed (a 500)."""
    talk = factories.conversation()

    def eva_claims() -> None:
        Conversation.objects.select_for_update().get(pk=talk.pk)
        services.claim_conversation(agent=eva, conversation_id=talk.pk)

    with (
        held_open_in_another_transaction(eva_claims),
        pytest.raises(services.AlreadyClaimed, match="Eva"),
    ):
        services.reply(agent=bram, conversation_id=talk.pk, text="Dank u, we kijken ernaar.")


@pytest.mark.parametrize("known_before", [False, True], ids=["new resident", "returning resident"])
def test_two_messages_of_one_resident_at_once_make_one_conversation(known_before):
    """A new resident's first two messages both created their identity (a 500 for one of them); a known
    resident's two messages on a new thread both opened a conversation for it."""
    if known_before:
        services.receive_message(resident_writes("Eerder, op een andere draad", "SM0", "post_1_comment_1"))

    with held_open_in_another_transaction(lambda: services.receive_message(resident_writes("Hallo", "SM1"))):
        services.receive_message(resident_writes("Mijn container is niet geleegd", "SM2"))

    assert ChannelIdentity.objects.count() == 1
    assert Conversation.objects.filter(thread_key="dm").count() == 1
    assert Message.objects.filter(conversation__thread_key="dm").count() == 2
