"""Everything that changes the inbox. Each function is one transaction; callers check access first."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox.detection import detect_topic, is_danger
from inbox.models import (
    Channel,
    ChannelIdentity,
    Contact,
    Conversation,
    ConversationEvent,
    DeliveryStatus,
    DepartmentUpdate,
    Direction,
    EventKind,
    Message,
    MessageTemplate,
    Note,
    RoutingRule,
    ServiceLevel,
    Team,
    TemplatePurpose,
    Topic,
    reply_limit,
)
from inbox.reply_rules import Mode, next_x_dm_slot, reply_window
from inbox.signals import replied
from inbox.workflow import Status, check_transition
from webcare.lib.dates import add_office_minutes
from webcare.lib.db import commit_without_waiting
from webcare.lib.tasks import enqueue_on_commit
from webcare.lib.text import detect_language
from webcare.roles import LEAD_ROLES, has_role

# A resident who writes again within this period continues the closed conversation.
REOPEN_WITHIN = timedelta(days=7)
SEND_TASK = "channels.send_message"
PROCESS_TASK = "inbox.process_message"
NAME_LENGTH = 200


class InboxError(Exception):
    """A request the inbox refuses; the message is for the agent."""


class AlreadyClaimed(InboxError):
    def __init__(self, holder):
        self.holder = holder
        super().__init__(_("%(name)s is handling this conversation.") % {"name": holder.display_name})


class WipLimitReached(InboxError):
    pass


class ReplyTooLong(InboxError):
    pass


class ReplyNotAllowed(InboxError):
    """The platform's rules forbid this reply now (window closed, private reply used, ...)."""


@dataclass(frozen=True)
class IncomingMessage:
    """A resident's message as a channel adapter hands it over."""

    channel: str
    sender_id: str
    text: str
    provider_id: str
    sender_name: str = ""
    thread_key: str = "dm"
    is_public: bool = False
    attachments: list[dict] = field(default_factory=list)
    sent_at: datetime | None = None
    context: dict = field(default_factory=dict)


# The steps that end an agent's handling of a conversation they took (claimed).
SESSION_ENDS = (
    EventKind.REPLIED,
    EventKind.ESCALATED,
    EventKind.RELEASED,
    EventKind.CLOSED,
    EventKind.CLAIMED,
    EventKind.ASSIGNED,
)


def _record(conversation: Conversation, kind: str, actor=None, detail: str = "") -> None:
    event = ConversationEvent.objects.create(
        conversation=conversation, kind=kind, actor=actor, detail=detail[:300]
    )
    if kind in SESSION_ENDS:
        open_claims = ConversationEvent.objects.filter(
            conversation=conversation, kind=EventKind.CLAIMED, ended_at=None
        ).exclude(pk=event.pk)
        open_claims.update(ended_at=event.created_at)


def _locked(conversation_id: int) -> Conversation:
    # The row alone, no select_related: after waiting for another transaction's lock, PostgreSQL re-reads
    # the locked row but not the rows joined to it, so an agent who claimed it meanwhile came back as None.
    # FOR NO KEY UPDATE (here and below): one writer at a time, yet rows that merely refer to it (a new
    # message, an event) need not wait at their commit, which with FOR UPDATE could close a deadlock.
    return Conversation.objects.select_for_update(no_key=True).get(pk=conversation_id)


def _set_status(conversation: Conversation, status: str) -> None:
    if conversation.status != status:
        check_transition(conversation.status, status)
        conversation.status = status


def _service_level(channel: str) -> ServiceLevel | None:
    return ServiceLevel.objects.filter(channel=channel).first()


def _answer_due(channel: str, now: datetime) -> datetime:
    """When the desk owes the resident an answer that became possible at `now`: the channel's
    first-response time, in office time (at once without a service level)."""
    level = _service_level(channel)
    return add_office_minutes(now, level.first_response_minutes) if level else now


@transaction.atomic
def receive_message(incoming: IncomingMessage) -> tuple[Message, bool]:
    """Store a resident's message; returns (message, created).

    Idempotent on the platform's id: a replayed delivery returns the stored message. The slow
    reading of the text (topic, urgency, routing) is queued for after the commit.
    """
    existing = Message.objects.filter(channel=incoming.channel, provider_id=incoming.provider_id).first()
    if existing:
        return existing, False
    now = timezone.now()
    sent_at = min(incoming.sent_at or now, now)  # a platform's clock a little ahead is not the future
    identity = _find_or_create_identity(incoming)
    conversation = _find_or_open_conversation(identity, incoming, sent_at)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                conversation=conversation,
                channel=incoming.channel,
                direction=Direction.INBOUND,
                text=incoming.text,
                attachments=incoming.attachments,
                provider_id=incoming.provider_id,
                created_at=sent_at,
                context=incoming.context,
            )
    except IntegrityError:  # the same delivery raced us in another worker
        return Message.objects.get(channel=incoming.channel, provider_id=incoming.provider_id), False
    conversation.last_message_at = max(conversation.last_message_at, sent_at)
    conversation.last_inbound_at = max(conversation.last_inbound_at or sent_at, sent_at)
    if conversation.response_due is None:
        level = _service_level(conversation.channel)
        conversation.response_due = (
            add_office_minutes(sent_at, level.first_response_minutes) if level else sent_at
        )
    conversation.save()
    _record(conversation, EventKind.RECEIVED)
    enqueue_on_commit(PROCESS_TASK, message.pk)
    return message, True


def _find_or_create_identity(incoming: IncomingMessage) -> ChannelIdentity:
    """The resident's identity, locked: their messages arriving at once are stored one after the other,
    so that two of them cannot both open a conversation for the same thread."""
    name = incoming.sender_name[:NAME_LENGTH]  # display names are free text on every platform
    same = {"channel": incoming.channel, "external_id": incoming.sender_id}
    identity = ChannelIdentity.objects.select_for_update(no_key=True).filter(**same).first()
    if identity is None:
        try:
            with transaction.atomic():
                return ChannelIdentity.objects.create(
                    contact=Contact.objects.create(name=name), handle=name, **same
                )
        except IntegrityError:  # the resident's first two messages at once: the other one created it
            identity = ChannelIdentity.objects.select_for_update(no_key=True).get(**same)
    if name and identity.handle != name:
        identity.handle = name
        identity.save(update_fields=["handle"])
    return identity


def _find_or_open_conversation(
    identity: ChannelIdentity, incoming: IncomingMessage, now: datetime
) -> Conversation:
    latest = (
        Conversation.objects.select_for_update(no_key=True)
        .filter(identity=identity, thread_key=incoming.thread_key)
        .order_by("-last_message_at")
        .first()
    )
    if latest and (latest.status != Status.CLOSED or latest.closed_at > now - REOPEN_WITHIN):
        if latest.status in (Status.CLOSED, Status.WAITING, Status.ESCALATED):
            if latest.status == Status.CLOSED:
                latest.assigned_to = None  # the agent who closed it may be off shift by now
                latest.closed_at = None
            _set_status(latest, Status.OPEN)
            _record(latest, EventKind.REOPENED, detail=_("The resident wrote again."))
        return latest
    level = _service_level(incoming.channel)
    return Conversation.objects.create(
        contact=identity.contact,
        identity=identity,
        channel=incoming.channel,
        thread_key=incoming.thread_key,
        is_public=incoming.is_public,
        created_at=now,
        last_message_at=now,
        first_response_due=add_office_minutes(now, level.first_response_minutes) if level else None,
        resolution_due=add_office_minutes(now, level.resolution_minutes) if level else None,
    )


@transaction.atomic
def process_message(message_id: int) -> None:
    """Read a stored message: language, topic, urgency, and route its conversation to a team.

    Safe to run twice: a processed message is left alone.
    """
    commit_without_waiting()  # owed through the outbox: lost, it is read again
    message = Message.objects.select_for_update(no_key=True).filter(pk=message_id).first()
    if message is None or message.processed_at:
        return
    conversation = _locked(message.conversation_id)
    message.language = detect_language(message.text)
    topic = detect_topic(message.text, Topic.objects.all())
    if topic and conversation.topic_id is None:
        conversation.topic = topic
    if is_danger(message.text):
        conversation.urgent = True
    if conversation.team_id is None:
        conversation.language = message.language
        conversation.contact.language = message.language
        conversation.contact.save(update_fields=["language"])
        team = route(channel=conversation.channel, topic=conversation.topic, text=message.text)
        if team:
            conversation.team = team
            _record(conversation, EventKind.ROUTED, detail=team.name)
    message.processed_at = timezone.now()
    message.save(update_fields=["language", "processed_at"])
    conversation.save()
    enqueue_on_commit("protocols.suggest_for_message", message.pk)  # ready when the agent opens it


def route(*, channel: str, topic: Topic | None, text: str) -> Team | None:
    """The team of the first active routing rule that matches."""
    rules = RoutingRule.objects.filter(is_active=True).select_related("team").prefetch_related("topics")
    for rule in rules:
        if rule.matches(channel=channel, topic=topic, text=text):
            return rule.team
    return None


@transaction.atomic
def claim_next(*, agent) -> Conversation | None:
    """Pull, don't pick: the agent's own most urgent open item, else the top of the team queue."""
    mine = Conversation.objects.work_in_progress(agent).awaiting_response().in_queue_order().first()
    if mine:
        return mine
    _check_wip(agent)
    candidate = (
        Conversation.objects.queue(agent.team)
        .filter(assigned_to__isnull=True)
        .select_for_update(skip_locked=True)
        .first()
    )
    if candidate is None:
        return None
    _assign(candidate, agent, actor=agent, kind=EventKind.CLAIMED)
    return candidate


def _check_wip(agent) -> None:
    team = Team.objects.filter(pk=agent.team_id).first()
    limit = team.wip_limit if team else Team._meta.get_field("wip_limit").default
    if Conversation.objects.work_in_progress(agent).count() >= limit:
        raise WipLimitReached(
            _("You already have %(limit)d conversations in progress. Finish one first.") % {"limit": limit}
        )


def _assign(conversation: Conversation, agent, *, actor, kind: str) -> None:
    conversation.assigned_to = agent
    if conversation.status == Status.NEW:
        _set_status(conversation, Status.OPEN)
    conversation.save()
    _record(conversation, kind, actor=actor, detail=agent.display_name)


def _claim_for(conversation: Conversation, agent) -> None:
    """Make `agent` the holder of a locked conversation, or say who holds it."""
    if conversation.assigned_to_id == agent.pk:
        return
    if conversation.assigned_to_id is not None:
        raise AlreadyClaimed(conversation.assigned_to)
    _check_wip(agent)
    _assign(conversation, agent, actor=agent, kind=EventKind.CLAIMED)


@transaction.atomic
def claim_conversation(*, agent, conversation_id: int) -> Conversation:
    conversation = _locked(conversation_id)
    _claim_for(conversation, agent)
    return conversation


@transaction.atomic
def release_conversation(*, agent, conversation_id: int) -> Conversation:
    """Hand a conversation back to the team queue."""
    conversation = _locked(conversation_id)
    if conversation.assigned_to_id != agent.pk:
        raise InboxError(_("Only the agent who has this conversation can release it."))
    conversation.assigned_to = None
    conversation.save()
    _record(conversation, EventKind.RELEASED, actor=agent)
    return conversation


@transaction.atomic
def assign_conversation(*, actor, conversation_id: int, agent) -> Conversation:
    """A lead (re)assigns a conversation; the WIP limit does not bind a lead's decision."""
    conversation = _locked(conversation_id)
    _assign(conversation, agent, actor=actor, kind=EventKind.ASSIGNED)
    return conversation


def signed(text: str, *, agent, is_public: bool) -> str:
    """Public replies carry the agent's initials, so the city's voice stays one but replies are told apart."""
    text = text.strip()
    if is_public and not text.endswith(agent.signature):
        text = f"{text} {agent.signature}"
    return text


@transaction.atomic
def reply(
    *,
    agent,
    conversation_id: int,
    text: str = "",
    template_id: int | None = None,
    private: bool = False,
    protocol_key: str = "",
    protocol_answer: str | None = None,
) -> Message:
    """Send the municipality's answer on the conversation's own channel and thread.

    Claims the conversation if nobody has it; refuses if another agent does, or if the platform's
    rules do not allow this reply now (see `inbox.reply_rules`). `private` answers a public comment
    with a direct message, which Meta allows once per comment. `protocol_key` records the protocol
    the answer came from; given the suggested `protocol_answer`, whether the agent edited it.
    """
    conversation = _locked(conversation_id)
    _claim_for(conversation, agent)
    now = timezone.now()
    window = reply_window(conversation, now)
    options: dict = {}
    scheduled_for = None
    if not text.strip() and not (template_id and window.needs_template):
        raise InboxError(_("A reply needs text."))
    if private:
        if not window.private_reply_to:
            raise ReplyNotAllowed(_("A private reply is no longer possible for this comment."))
        options["private_reply_to"] = window.private_reply_to
        body, limit = text.strip(), reply_limit(conversation.channel, False)
    elif window.mode == Mode.CLOSED:
        raise ReplyNotAllowed(
            _("%(channel)s allows no reply more than 7 days after the resident's last message.")
            % {"channel": conversation.get_channel_display()}
        )
    elif window.mode == Mode.TEMPLATE:
        template = MessageTemplate.objects.filter(pk=template_id, is_active=True).first()
        if template is None:
            raise ReplyNotAllowed(
                _("The 24-hour window of WhatsApp has closed: choose an approved template.")
            )
        first_name = _first_name(conversation)
        options = {"content_sid": template.content_sid, "content_variables": template.variables(first_name)}
        body, limit = template.render(first_name), None
    else:
        if window.mode == Mode.HUMAN_AGENT:
            options["tag"] = "HUMAN_AGENT"
        body, limit = signed(text, agent=agent, is_public=conversation.is_public), conversation.reply_limit
    if limit is not None and len(body) > limit:
        raise ReplyTooLong(
            _("This reply has %(length)d characters; %(channel)s allows %(limit)d.")
            % {"length": len(body), "channel": conversation.get_channel_display(), "limit": limit}
        )
    if conversation.channel == Channel.X and not conversation.is_public:
        scheduled_for = next_x_dm_slot(now)
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        text=body,
        author=agent,
        delivery_status=DeliveryStatus.PENDING,
        language=conversation.language,
        created_at=now,
        processed_at=now,
        send_options=options,
        scheduled_for=scheduled_for,
        protocol_key=protocol_key[:100],
        protocol_edited=None
        if protocol_answer is None or not protocol_key
        else text.strip() != protocol_answer.strip(),
    )
    conversation.first_response_at = conversation.first_response_at or now
    conversation.response_due = None
    conversation.last_message_at = now
    # A holding reply while a department works on the question leaves the conversation with them.
    _set_status(conversation, Status.ESCALATED if conversation.department_due else Status.WAITING)
    conversation.department_update = ""
    conversation.save()
    _record(conversation, EventKind.REPLIED, actor=agent, detail=protocol_key)
    replied.send(sender=Conversation, conversation=conversation, message=message, agent=agent)
    _queue_send(message, now)
    return message


def _first_name(conversation: Conversation) -> str:
    return conversation.contact.first_name or conversation.identity.handle.split(" ")[0]


@transaction.atomic
def send_notice(
    *, conversation_id: int, text: str, link: str, purpose: str = TemplatePurpose.FEEDBACK_UPDATE
) -> Message:
    """A message the municipality sends on its own initiative (news about a resident's suggestion),
    on the conversation's channel and thread, within the platform's rules.

    Free text inside the reply window; after it, WhatsApp's approved template for `purpose` (with the
    first name and `link`) and Messenger/Instagram's HUMAN_AGENT tag within 7 days. Raises
    ReplyNotAllowed when the platform allows nothing: the caller shows that the resident cannot be
    reached. The conversation's status and queue place do not change.
    """
    conversation = _locked(conversation_id)
    now = timezone.now()
    window = reply_window(conversation, now)
    options: dict = {}
    if window.mode == Mode.CLOSED:
        raise ReplyNotAllowed(
            _("%(channel)s allows no message more than 7 days after the resident's last message.")
            % {"channel": conversation.get_channel_display()}
        )
    if window.mode == Mode.TEMPLATE:
        template = _template_for(purpose, conversation.language)
        if template is None:
            raise ReplyNotAllowed(
                _("The 24-hour window of WhatsApp has closed and no approved template fits.")
            )
        first_name = _first_name(conversation)
        options = {
            "content_sid": template.content_sid,
            "content_variables": template.variables(first_name, link),
        }
        body = template.render(first_name, link)
    else:
        if window.mode == Mode.HUMAN_AGENT:
            options["tag"] = "HUMAN_AGENT"
        body = text.strip()
        if len(body) > conversation.reply_limit:
            raise ReplyTooLong(
                _("This message has %(length)d characters; %(channel)s allows %(limit)d.")
                % {
                    "length": len(body),
                    "channel": conversation.get_channel_display(),
                    "limit": conversation.reply_limit,
                }
            )
    message = Message.objects.create(
        conversation=conversation,
        channel=conversation.channel,
        direction=Direction.OUTBOUND,
        text=body,
        delivery_status=DeliveryStatus.PENDING,
        language=conversation.language,
        created_at=now,
        processed_at=now,
        send_options=options,
        scheduled_for=next_x_dm_slot(now)
        if conversation.channel == Channel.X and not conversation.is_public
        else None,
    )
    conversation.last_message_at = max(conversation.last_message_at, now)
    conversation.save(update_fields=["last_message_at"])
    _record(conversation, EventKind.NOTIFIED)
    _queue_send(message, now)
    return message


def _template_for(purpose: str, language: str) -> MessageTemplate | None:
    """The approved template for `purpose` in the resident's language, else English, else Dutch."""
    templates = MessageTemplate.objects.filter(channel=Channel.WHATSAPP, purpose=purpose, is_active=True)
    for candidate in dict.fromkeys((language, "en", "nl")):
        template = templates.filter(language=candidate).first()
        if template:
            return template
    return None


def _queue_send(message: Message, now: datetime) -> None:
    delay = (message.scheduled_for - now).total_seconds() if message.scheduled_for else 0
    enqueue_on_commit(SEND_TASK, message.pk, countdown=max(0, round(delay)))


@transaction.atomic
def retry_delivery(*, agent, message_id: int) -> Message:
    """Send a failed reply again, e.g. after the platform's problem is over."""
    message = Message.objects.select_for_update().get(pk=message_id, direction=Direction.OUTBOUND)
    if message.delivery_status != DeliveryStatus.FAILED:
        raise InboxError(_("Only a reply that failed can be sent again."))
    conversation = _locked(message.conversation_id)
    _claim_for(conversation, agent)
    now = timezone.now()
    message.delivery_status = DeliveryStatus.PENDING
    message.delivery_error = ""
    if message.scheduled_for:
        message.scheduled_for = next_x_dm_slot(now)
    message.save(update_fields=["delivery_status", "delivery_error", "scheduled_for"])
    _record(conversation, EventKind.REPLIED, actor=agent, detail=_("sent again"))
    _queue_send(message, now)
    return message


# Forward-only order of an outgoing message's statuses; FAILED ends any of the first three.
DELIVERY_ORDER = [
    DeliveryStatus.PENDING,
    DeliveryStatus.SENDING,
    DeliveryStatus.SENT,
    DeliveryStatus.DELIVERED,
    DeliveryStatus.READ,
]


@transaction.atomic
def record_delivery(*, message_id: int, status: str, provider_id: str = "", error: str = "") -> bool:
    """What the platform told us about an outgoing message; returns whether anything changed.

    Statuses only move forward, because callbacks arrive out of order. A failure puts the
    conversation back in the team's queue with the platform's reason, since the resident has no answer.
    A failure the platform never reported (no id from it yet: a send whose outcome was unknown) gives
    way when the platform shows it has the message after all.
    """
    message = Message.objects.select_for_update().get(pk=message_id)
    our_own_verdict = (
        message.delivery_status == DeliveryStatus.FAILED and not message.provider_id and bool(provider_id)
    )
    if provider_id and not message.provider_id:
        message.provider_id = provider_id
    current = message.delivery_status
    if status == DeliveryStatus.FAILED:
        changed = current in (DeliveryStatus.PENDING, DeliveryStatus.SENDING, DeliveryStatus.SENT)
    elif our_own_verdict:
        changed = True
    else:
        changed = current in DELIVERY_ORDER and DELIVERY_ORDER.index(status) > DELIVERY_ORDER.index(current)
    if changed:
        message.delivery_status = status
        message.delivery_error = error[:300] if status == DeliveryStatus.FAILED else ""
    message.save(update_fields=["provider_id", "delivery_status", "delivery_error"])
    if changed and status == DeliveryStatus.FAILED:
        _back_to_queue(message.conversation_id, error)
    return changed


def _back_to_queue(conversation_id: int, reason: str) -> None:
    conversation = _locked(conversation_id)
    if conversation.status == Status.WAITING:
        _set_status(conversation, Status.OPEN)
    if conversation.status in (Status.NEW, Status.OPEN):
        conversation.response_due = conversation.response_due or timezone.now()
    conversation.save()
    _record(conversation, EventKind.DELIVERY_FAILED, detail=reason)


def record_status(
    *, channel: str, status: str, provider_id: str = "", send_key: str = "", error: str = ""
) -> bool:
    """A platform's status callback for one of our messages, found by its id or by our send key."""
    message = None
    if _is_uuid(send_key):
        message = Message.objects.filter(send_key=send_key, channel=channel).only("pk", "direction").first()
    if message is None and provider_id:
        message = (
            Message.objects.filter(channel=channel, provider_id=provider_id).only("pk", "direction").first()
        )
    if message is None or message.direction != Direction.OUTBOUND:
        return False
    return record_delivery(message_id=message.pk, status=status, provider_id=provider_id, error=error)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@transaction.atomic
def record_read_up_to(*, channel: str, resident_id: str, until: datetime) -> int:
    """The resident has read everything we sent before `until` (Meta's read watermark)."""
    return Message.objects.filter(
        channel=channel,
        direction=Direction.OUTBOUND,
        conversation__identity__channel=channel,
        conversation__identity__external_id=resident_id,
        created_at__lte=until,
        delivery_status__in=(DeliveryStatus.SENT, DeliveryStatus.DELIVERED),
    ).update(delivery_status=DeliveryStatus.READ)


@transaction.atomic
def record_echo(
    *, channel: str, provider_id: str, text: str, resident_id: str = "", send_key: str = "", sent_at=None
) -> Message | None:
    """The platform shows us a message the municipality's account sent.

    Ours: it confirms the send (also when the send call's answer was lost). Not ours (someone used
    the platform's own app): it joins the resident's open conversation, so the history is whole. It
    never opens a conversation, and a message without text (a sticker, a file from the platform's app,
    whose echo carries nothing we can show) is not stored.
    """
    if provider_id and Message.objects.filter(channel=channel, provider_id=provider_id).exists():
        return None
    if _is_uuid(send_key):
        mine = Message.objects.filter(channel=channel, send_key=send_key).first()
        if mine:
            record_delivery(message_id=mine.pk, status=DeliveryStatus.SENT, provider_id=provider_id)
            return mine
    if not (resident_id and provider_id and text.strip()):
        return None
    conversation = (
        Conversation.objects.filter(
            identity__channel=channel, identity__external_id=resident_id, thread_key="dm"
        )
        .exclude(status=Status.CLOSED)
        .order_by("-last_message_at")
        .first()
    )
    if conversation is None:
        return None
    # Ours after all, if the echo overtook the answer to our send call (or that answer was lost).
    unconfirmed = conversation.messages.filter(
        direction=Direction.OUTBOUND, provider_id="", text=text
    ).first()
    if unconfirmed:
        record_delivery(message_id=unconfirmed.pk, status=DeliveryStatus.SENT, provider_id=provider_id)
        return unconfirmed
    sent_at = sent_at or timezone.now()
    try:
        with transaction.atomic():
            return Message.objects.create(
                conversation=conversation,
                channel=channel,
                direction=Direction.OUTBOUND,
                text=text,
                provider_id=provider_id,
                delivery_status=DeliveryStatus.SENT,
                created_at=sent_at,
                processed_at=sent_at,
            )
    except IntegrityError:  # the same echo, delivered twice at once
        return None


def identity_without_name(identity_id: int) -> ChannelIdentity | None:
    return ChannelIdentity.objects.filter(pk=identity_id, handle="").first()


@transaction.atomic
def name_identity(*, identity_id: int, name: str) -> None:
    """A resident's name, learnt from the platform; a name a lead gave the contact is kept."""
    identity = ChannelIdentity.objects.select_related("contact").get(pk=identity_id)
    identity.handle = name[:NAME_LENGTH]
    identity.save(update_fields=["handle"])
    if not identity.contact.name:
        identity.contact.name = name[:NAME_LENGTH]
        identity.contact.save(update_fields=["name"])


@transaction.atomic
def update_attachments(*, message_id: int, attachments: list[dict]) -> None:
    """Where a message's downloaded attachments are stored (or why they are not)."""
    Message.objects.filter(pk=message_id).update(attachments=attachments)


@transaction.atomic
def hand_to_department(*, actor, conversation_id: int, due_at: datetime, detail: str) -> Conversation:
    """A department now works on this conversation's question: it leaves the queue until `due_at`."""
    conversation = _locked(conversation_id)
    _claim_for(conversation, actor)
    _set_status(conversation, Status.ESCALATED)
    conversation.department_due = due_at
    conversation.department_update = ""
    conversation.response_due = None
    conversation.save()
    _record(conversation, EventKind.ESCALATED, actor=actor, detail=detail)
    return conversation


@transaction.atomic
def back_from_department(*, conversation_id: int, update: str, detail: str) -> Conversation:
    """The department answered or needs more: the conversation is due within the channel's
    first-response time, with the agent who asked, or in the team queue when they are away."""
    conversation = _locked(conversation_id)
    if conversation.status == Status.CLOSED:
        _record(conversation, _UPDATE_EVENTS[update], detail=detail)
        return conversation
    _set_status(conversation, Status.OPEN)
    agent = conversation.assigned_to
    if agent and (agent.is_away or not agent.is_active):
        conversation.assigned_to = None
    conversation.department_due = None
    conversation.department_update = update
    conversation.response_due = _answer_due(conversation.channel, timezone.now())
    conversation.save()
    _record(conversation, _UPDATE_EVENTS[update], detail=detail)
    return conversation


_UPDATE_EVENTS = {
    DepartmentUpdate.ANSWERED: EventKind.DEPARTMENT_ANSWERED,
    DepartmentUpdate.INFO_REQUESTED: EventKind.INFO_REQUESTED,
}


@transaction.atomic
def end_department_work(*, actor, conversation_id: int, detail: str = "") -> Conversation:
    """No department works on this conversation any more (the question was withdrawn)."""
    conversation = _locked(conversation_id)
    conversation.department_due = None
    conversation.department_update = ""
    if conversation.status == Status.ESCALATED:
        _set_status(conversation, Status.OPEN)
        conversation.response_due = _answer_due(conversation.channel, timezone.now())
    conversation.save()
    _record(conversation, EventKind.ESCALATION_ENDED, actor=actor, detail=detail)
    return conversation


@transaction.atomic
def close_conversation(*, actor, conversation_id: int) -> Conversation:
    conversation = _locked(conversation_id)
    if conversation.assigned_to_id not in (None, actor.pk) and not has_role(actor, LEAD_ROLES):
        raise AlreadyClaimed(conversation.assigned_to)
    check_transition(conversation.status, Status.CLOSED)
    conversation.status = Status.CLOSED
    conversation.closed_at = timezone.now()
    conversation.response_due = None
    conversation.save()
    _record(conversation, EventKind.CLOSED, actor=actor)
    return conversation


@transaction.atomic
def reopen_conversation(*, actor, conversation_id: int) -> Conversation:
    conversation = _locked(conversation_id)
    check_transition(conversation.status, Status.OPEN)
    conversation.status = Status.OPEN
    conversation.closed_at = None
    conversation.save()
    _record(conversation, EventKind.REOPENED, actor=actor)
    return conversation


@transaction.atomic
def add_note(*, author, conversation_id: int, text: str) -> Note:
    if not text.strip():
        raise InboxError(_("A note needs text."))
    conversation = _locked(conversation_id)
    note = Note.objects.create(conversation=conversation, author=author, text=text.strip())
    _record(conversation, EventKind.NOTE, actor=author)
    return note


@transaction.atomic
def merge_contacts(*, actor, source_id: int, target_id: int) -> Contact:
    """Fold `source` into `target`: identities and conversations move, `source` remains as a pointer."""
    if source_id == target_id:
        raise InboxError(_("A contact cannot be merged with itself."))
    source, target = (
        Contact.objects.select_for_update().get(pk=source_id),
        Contact.objects.select_for_update().get(pk=target_id),
    )
    if source.merged_into_id or target.merged_into_id:
        raise InboxError(_("One of these contacts was already merged."))
    ChannelIdentity.objects.filter(contact=source).update(contact=target)
    moved = list(Conversation.objects.filter(contact=source))
    Conversation.objects.filter(contact=source).update(contact=target)
    Contact.objects.filter(merged_into=source).update(merged_into=target)
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    if not target.name and source.name:
        target.name = source.name
        target.save(update_fields=["name"])
    for conversation in moved:
        _record(
            conversation,
            EventKind.MERGED,
            actor=actor,
            detail=_("Contact merged into #%(id)s") % {"id": target.pk},
        )
    return target
