"""Ninety days of finished work behind the demo, so that the dashboards have something to show: closed
conversations on every channel, answered from protocols, in the agent's words or escalated, with the
agents' claims and replies, and posts heard by monitoring. Deterministic; written in bulk."""

import json
import random
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from escalations.models import Department, Escalation, EscalationEvent
from escalations.models import EventKind as EscalationEventKind
from escalations.workflow import Status as EscalationStatus
from inbox.models import (
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationEvent,
    DeliveryStatus,
    Direction,
    EventKind,
    Message,
    Team,
    Topic,
)
from inbox.workflow import Status
from monitoring.models import Mention
from webcare.lib.dates import add_office_minutes

DAYS = 90
CHANNELS = ("whatsapp", "x", "facebook", "instagram")
CHANNEL_SHARES = (0.55, 0.15, 0.15, 0.15)
PROTOCOL_KEYS = ("afval-grofvuil", "paspoort-aanvragen", "parkeervergunning", "verhuizing-doorgeven")
ABROAD = ("+3247", "+49151", "+44770", "+90532", "+21261")
RETURNING = 0.3  # share of conversations from a resident seen before
FIRST_RESPONSES = (10, 20, 30, 45, 60, 90, 180)  # office minutes, drawn evenly


def generate(seed: int = 1) -> None:
    draw = random.Random(seed)
    now = timezone.now()
    starts = sorted(
        _start(now, day, draw) for day in range(DAYS, 3, -1) for _ in range(_volume(now, day, draw))
    )
    residents = _residents(len(starts), draw)
    identities = _identities(residents, starts, draw)
    conversations = _conversations(identities, starts, draw)
    _work(conversations, draw)
    _mentions(now, draw)


def _volume(now: datetime, day: int, draw: random.Random) -> int:
    return draw.randint(14, 24) if (now - timedelta(days=day)).weekday() < 5 else draw.randint(5, 10)


def _start(now: datetime, day: int, draw: random.Random) -> datetime:
    midnight = timezone.localtime(now - timedelta(days=day)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return midnight + timedelta(hours=draw.triangular(7, 23, 20))


def _residents(conversations: int, draw: random.Random) -> list[Contact]:
    """Fewer residents than conversations: some come back."""
    count = int(conversations * (1 - RETURNING))
    return Contact.objects.bulk_create([Contact(name=f"Inwoner {n + 1}") for n in range(count)])


def _identities(
    residents: list[Contact], starts: list[datetime], draw: random.Random
) -> list[ChannelIdentity]:
    """One identity per conversation, in time order: a new resident, or (RETURNING) one seen before."""
    known: dict[tuple[int, str], ChannelIdentity] = {}
    chosen, seen = [], 0
    for _start in starts:
        if seen and (draw.random() < RETURNING or seen == len(residents)):
            resident = residents[draw.randrange(seen)]
        else:
            resident, seen = residents[seen], seen + 1
        channel = draw.choices(CHANNELS, CHANNEL_SHARES)[0]
        key = (resident.pk, channel)
        if key not in known:
            abroad = draw.random() < 0.08
            number = f"{draw.choice(ABROAD) if abroad else '+316'}{draw.randint(1000000, 9999999)}"
            external_id = number if channel == "whatsapp" else str(draw.randint(10**15, 10**16))
            known[key] = ChannelIdentity(contact=resident, channel=channel, external_id=external_id)
        chosen.append(known[key])
    ChannelIdentity.objects.bulk_create(known.values())
    return chosen


def _conversations(identities: list[ChannelIdentity], starts: list[datetime], draw: random.Random) -> list:
    teams = {team.slug: team for team in Team.objects.all()}
    topics = list(Topic.objects.all())
    rows = []
    for number, (identity, started) in enumerate(zip(identities, starts, strict=True)):
        answered = add_office_minutes(started, draw.choice(FIRST_RESPONSES))
        closed = answered + timedelta(minutes=draw.randint(5, 600))
        social = identity.channel != "whatsapp" and draw.random() < 0.5
        rows.append(
            Conversation(
                contact_id=identity.contact_id,
                identity=identity,
                channel=identity.channel,
                thread_key=f"history-{number}",
                team=teams["social" if social else "webcare"],
                status=Status.CLOSED,
                topic=draw.choice(topics),
                language="en" if draw.random() < 0.1 else "nl",
                created_at=started,
                last_message_at=closed,
                last_inbound_at=started,
                first_response_due=add_office_minutes(started, 60 if identity.channel == "whatsapp" else 120),
                first_response_at=answered,
                closed_at=closed,
            )
        )
    return Conversation.objects.bulk_create(rows)


def _work(conversations: list[Conversation], draw: random.Random) -> None:
    """Per conversation: the question, the agent's claim and reply (from a protocol or not), the close;
    one in seven asked of a department first."""
    agents = list(User.objects.filter(role="agent"))
    departments = list(Department.objects.all())
    messages, events, escalations = [], [], []
    for conversation in conversations:
        agent = draw.choice(agents)
        escalate = bool(departments) and draw.random() < 0.15
        protocol = "" if escalate or draw.random() < 0.25 else draw.choice(PROTOCOL_KEYS)
        replied, claimed = (
            conversation.first_response_at,
            conversation.first_response_at - timedelta(minutes=draw.randint(2, 12)),
        )
        messages += [
            Message(conversation=conversation, channel=conversation.channel, direction=Direction.INBOUND,
                    text=f"Vraag over {conversation.topic.name.lower()}", created_at=conversation.created_at,
                    processed_at=conversation.created_at),
            Message(conversation=conversation, channel=conversation.channel, direction=Direction.OUTBOUND,
                    text="Dank voor je bericht, hierbij het antwoord.", author=agent, created_at=replied,
                    delivery_status=DeliveryStatus.DELIVERED, protocol_key=protocol),
        ]  # fmt: skip
        events += [
            ConversationEvent(
                conversation=conversation,
                actor=agent,
                kind=EventKind.CLAIMED,
                created_at=claimed,
                ended_at=replied,
            ),
            ConversationEvent(
                conversation=conversation, actor=agent, kind=EventKind.REPLIED, created_at=replied
            ),
            ConversationEvent(
                conversation=conversation,
                actor=agent,
                kind=EventKind.CLOSED,
                created_at=conversation.closed_at,
            ),
        ]
        if escalate:
            asked = claimed + timedelta(minutes=1)
            escalations.append(
                Escalation(
                    conversation=conversation,
                    department=draw.choice(departments),
                    status=EscalationStatus.CLOSED,
                    question="Kunnen jullie hiernaar kijken?",
                    asked_by=agent,
                    created_at=asked,
                    due_at=asked + timedelta(days=draw.choice((3, 5, 7))),
                    answer="Is opgepakt.",
                    answered_at=asked + timedelta(days=draw.uniform(0.5, 8)),
                    closed_at=conversation.closed_at,
                )
            )
    Message.objects.bulk_create(messages)
    ConversationEvent.objects.bulk_create(events)
    _escalation_histories(Escalation.objects.bulk_create(escalations))


def _escalation_histories(escalations: list[Escalation]) -> None:
    """Each escalation shares the resident's question and has its steps: asked, answered, closed."""
    questions = dict(
        Message.objects.filter(
            conversation__in=[escalation.conversation_id for escalation in escalations],
            direction=Direction.INBOUND,
        ).values_list("conversation_id", "pk")
    )
    Escalation.shared_messages.through.objects.bulk_create(
        [
            Escalation.shared_messages.through(
                escalation_id=escalation.pk, message_id=questions[escalation.conversation_id]
            )
            for escalation in escalations
        ]
    )
    EscalationEvent.objects.bulk_create(
        [
            EscalationEvent(escalation=escalation, kind=kind, to_status=status, created_at=moment, text=text)
            for escalation in escalations
            for kind, status, moment, text in (
                (
                    EscalationEventKind.ASKED,
                    EscalationStatus.OPEN,
                    escalation.created_at,
                    escalation.question,
                ),
                (
                    EscalationEventKind.ANSWERED,
                    EscalationStatus.ANSWERED,
                    escalation.answered_at,
                    escalation.answer,
                ),
                (EscalationEventKind.CLOSED, EscalationStatus.CLOSED, escalation.closed_at, ""),
            )
        ]
    )


def _mentions(now: datetime, draw: random.Random) -> None:
    """The city's labelled monitoring examples, heard again over the period before the demo's own posts."""
    lines = settings.MONITORING_EXAMPLES_FILE.read_text(encoding="utf-8").splitlines()
    examples = [json.loads(line) for line in lines if line.strip()]
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    mentions = []
    for number, example in enumerate(examples * 3):
        posted = now - timedelta(days=draw.uniform(3, DAYS))
        mentions.append(
            Mention(
                channel=example["channel"],
                external_id=f"history-{number}",
                text=example["text"],
                posted_at=posted,
                expires_at=now + timedelta(days=settings.MONITORING_RETENTION_DAYS),
                language=example["language"],
                sentiment=example["sentiment"],
                topic=topics.get(example["topic"] or ""),
                district=example["district"] or "",
                needs_answer=example["needs_answer"],
                relevant=example["relevant"],
                enriched_at=posted,
            )
        )
    Mention.objects.bulk_create(mentions)
