"""Making inbox data the way it arrives: through receive_message."""

import itertools
from datetime import datetime

from inbox import services
from inbox.models import Conversation, Message

_ids = itertools.count(1)


def incoming(
    text: str = "De lantaarnpaal bij ons in de straat is kapot.",
    *,
    channel: str = "whatsapp",
    sender_id: str | None = None,
    sender_name: str = "Sanne de Vries",
    thread_key: str = "dm",
    is_public: bool = False,
    sent_at: datetime | None = None,
) -> Message:
    """A resident's message, stored and processed (topic, urgency, team)."""
    number = next(_ids)
    message, _ = services.receive_message(
        services.IncomingMessage(
            channel=channel,
            sender_id=sender_id or f"+3161234{number:04d}",
            sender_name=sender_name,
            text=text,
            provider_id=f"test-{number}",
            thread_key=thread_key,
            is_public=is_public,
            sent_at=sent_at,
        )
    )
    services.process_message(message.pk)
    return message


def conversation(text: str = "De lantaarnpaal bij ons in de straat is kapot.", **kwargs) -> Conversation:
    return Conversation.objects.get(pk=incoming(text, **kwargs).conversation_id)


def escalated(
    agent,
    department,
    *,
    text: str = "Mijn container is al drie weken niet geleegd, klantnummer 4471.",
    question: str = "Kunnen jullie zien waarom deze container niet geleegd wordt?",
    share_contact: bool = False,
    **kwargs,
):
    """A resident's message that agent `agent` has escalated to `department`, sharing that message."""
    from escalations import services as escalations

    message = incoming(text, **kwargs)
    return escalations.escalate(
        agent=agent,
        conversation_id=message.conversation_id,
        department_id=department.pk,
        question=question,
        message_ids=[message.pk],
        share_contact=share_contact,
    )
