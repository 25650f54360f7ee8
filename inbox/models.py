import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.workflow import ANSWERABLE, Status
from webcare.lib.dates import OfficeClock
from webcare.lib.text import contains_phrase, normalize


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"


# Longest reply each channel accepts, for private (DM) and public (comment, post) threads.
REPLY_LIMITS: dict[tuple[str, bool], int] = {
    (Channel.WHATSAPP, False): 1600,
    (Channel.X, False): 10_000,
    (Channel.X, True): 280,
    (Channel.FACEBOOK, False): 2000,
    (Channel.FACEBOOK, True): 8000,
    (Channel.INSTAGRAM, False): 1000,
    (Channel.INSTAGRAM, True): 2200,
}


def reply_limit(channel: str, is_public: bool) -> int:
    return REPLY_LIMITS.get((channel, is_public), REPLY_LIMITS.get((channel, False), 1000))


class Team(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    wip_limit = models.PositiveSmallIntegerField(_("work-in-progress limit per agent"), default=3)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """What a message is about, detected from its words. Keywords are data, in Dutch and English."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    public_space = models.BooleanField(
        _("public space"), default=False, help_text=_("Streets, litter, lighting, greenery, ...")
    )
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("One word or phrase a line."))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]


class RoutingRule(models.Model):
    """One line of the routing table: the first active rule whose conditions all hold picks the team.

    Empty conditions match everything, so a last rule without conditions is the default.
    """

    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    public_space = models.BooleanField(_("only public-space topics"), default=False)
    topics = models.ManyToManyField(Topic, blank=True, verbose_name=_("topics"))
    keywords = models.TextField(_("keywords"), blank=True, help_text=_("One a line; any of them matches."))
    team = models.ForeignKey(Team, on_delete=models.PROTECT, verbose_name=_("team"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [line.strip() for line in self.keywords.splitlines() if line.strip()]

    def matches(self, *, channel: str, topic: "Topic | None", text: str) -> bool:
        """Whether every condition of this rule holds (prefetch `topics` when checking many)."""
        if self.channel and self.channel != channel:
            return False
        if self.public_space and not (topic and topic.public_space):
            return False
        topic_ids = {t.pk for t in self.topics.all()}
        if topic_ids and (topic is None or topic.pk not in topic_ids):
            return False
        keywords = self.keyword_list
        normalized = normalize(text)
        return not keywords or any(contains_phrase(normalized, k) for k in keywords)


class ServiceLevel(models.Model):
    """Service level per channel, in minutes of office time."""

    channel = models.CharField(max_length=20, choices=Channel.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("first response (office minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (office minutes)"))

    def __str__(self) -> str:
        return self.channel


class Contact(models.Model):
    """A resident. After a merge, the merged contact points at the one that now holds its history."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, default="nl")
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_contacts"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""


class ChannelIdentity(models.Model):
    """How a resident is known on one platform: phone number, PSID, Instagram id or X id."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    external_id = models.CharField(max_length=100)
    handle = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="unique_identity")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.handle or self.external_id}"


class DepartmentUpdate(models.TextChoices):
    ANSWERED = "answered", _("answer received")
    INFO_REQUESTED = "info_requested", _("department needs more information")


class ConversationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ConversationQuerySet":
        from webcare.roles import INBOX_ROLES, has_role

        return self if has_role(user, INBOX_ROLES) else self.none()

    def active(self) -> "ConversationQuerySet":
        return self.exclude(status=Status.CLOSED)

    def awaiting_response(self) -> "ConversationQuerySet":
        return self.filter(response_due__isnull=False)

    def overdue(self, now=None) -> "ConversationQuerySet":
        return self.filter(response_due__lt=now or timezone.now())

    def in_queue_order(self) -> "ConversationQuerySet":
        """The lean order: danger first, then whatever is due soonest."""
        return self.order_by(
            "-urgent", models.F("response_due").asc(nulls_last=True), "last_message_at", "id"
        )

    def queue(self, team) -> "ConversationQuerySet":
        """What a team still has to answer."""
        return self.filter(team=team, status__in=ANSWERABLE).awaiting_response().in_queue_order()

    def work_in_progress(self, agent) -> "ConversationQuerySet":
        return self.filter(assigned_to=agent, status__in=ANSWERABLE)

    def with_departments(self, agent) -> "ConversationQuerySet":
        """The agent's conversations that a department is working on, the nearest deadline first."""
        return self.filter(assigned_to=agent, status=Status.ESCALATED).order_by(
            models.F("department_due").asc(nulls_last=True), "id"
        )

    def for_list(self) -> "ConversationQuerySet":
        """Everything a queue row shows, in one query whatever the number of rows."""
        last_text = Message.objects.filter(conversation=models.OuterRef("pk")).order_by("-created_at", "-id")
        return self.select_related("contact", "team", "topic", "assigned_to").annotate(
            last_text=models.Subquery(last_text.values("text")[:1])
        )


OFFICE_TIME_MOMENTS = {"created_at", "first_response_at", "closed_at"}


class Conversation(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="conversations")
    identity = models.ForeignKey(ChannelIdentity, on_delete=models.PROTECT)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    # The platform thread a reply goes back to: "dm" for private messages, else the public post.
    thread_key = models.CharField(max_length=200, default="dm")
    is_public = models.BooleanField(default=False)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True)
    urgent = models.BooleanField(default=False)
    language = models.CharField(max_length=8, default="nl")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    # When the desk owes the resident its next answer; empty while nothing is waiting for us.
    response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # While a department works on a question about this conversation: until when (its deadline).
    department_due = models.DateTimeField(null=True, blank=True)
    # What the department last sent back, for the queue to show.
    department_update = models.CharField(max_length=20, choices=DepartmentUpdate.choices, blank=True)
    # Office minutes from the start to the first response and to closing, kept with the moments (see
    # save) so that the dashboards take their percentiles in the database.
    first_response_minutes = models.FloatField(null=True, blank=True, editable=False)
    resolution_minutes = models.FloatField(null=True, blank=True, editable=False)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        indexes = [
            # Exactly the queue order, so the top 50 come straight off the index.
            models.Index(
                fields=["team", "status", "-urgent", "response_due", "last_message_at", "id"],
                name="queue_idx",
            ),
            models.Index(fields=["assigned_to", "status"], name="assigned_idx"),
            models.Index(fields=["identity", "thread_key", "-last_message_at"], name="thread_idx"),
            models.Index(fields=["-last_message_at"], name="recent_idx"),
            # The dashboards: conversations begun in a period, and a resident's earlier conversations.
            models.Index(fields=["created_at"], name="conversation_started_idx"),
            models.Index(fields=["contact", "created_at"], name="conversation_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    def save(self, *args, **kwargs) -> None:
        self.count_office_time()
        fields = kwargs.get("update_fields")
        if fields is not None and set(fields) & OFFICE_TIME_MOMENTS:
            kwargs["update_fields"] = {*fields, "first_response_minutes", "resolution_minutes"}
        super().save(*args, **kwargs)

    def count_office_time(self, clock: OfficeClock | None = None) -> None:
        """Work out first_response_minutes and resolution_minutes from the moments they measure."""
        clock = clock or OfficeClock()
        self.first_response_minutes = (
            clock.hours_between(self.created_at, self.first_response_at) * 60
            if self.first_response_at
            else None
        )
        self.resolution_minutes = (
            clock.hours_between(self.created_at, self.closed_at) * 60 if self.closed_at else None
        )

    @property
    def reply_limit(self) -> int:
        return reply_limit(self.channel, self.is_public)

    @property
    def is_overdue(self) -> bool:
        return self.response_due is not None and self.response_due < timezone.now()


class Direction(models.TextChoices):
    INBOUND = "in", _("from resident")
    OUTBOUND = "out", _("from the municipality")


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    READ = "read", _("read")
    FAILED = "failed", _("failed")


class MessageQuerySet(models.QuerySet):
    def unprocessed(self) -> "MessageQuerySet":
        return self.filter(direction=Direction.INBOUND, processed_at__isnull=True)

    def latest_from_resident(self) -> "Message | None":
        """The resident's latest message with a platform id: the comment or post a public reply answers."""
        return (
            self.filter(direction=Direction.INBOUND)
            .exclude(provider_id="")
            .order_by("-created_at", "-id")
            .first()
        )

    def unsent(self) -> "MessageQuerySet":
        """Replies not yet handed to the platform: waiting, or mid-send (or a worker died mid-send)."""
        return self.filter(
            direction=Direction.OUTBOUND, delivery_status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING)
        )


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    text = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    # The platform's own id; unique per channel so a replayed webhook stores nothing twice.
    provider_id = models.CharField(max_length=200, blank=True)
    delivery_status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Platform details of an incoming message: the post or parent comment it belongs to, and so on.
    context = models.JSONField(default=dict, blank=True)
    # Outgoing only. How to send (template, tag, private reply, ...), decided by the reply rules.
    send_options = models.JSONField(default=dict, blank=True)
    # Our own id for one send, so that a retry can find out whether the platform already has it.
    send_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    send_attempts = models.PositiveSmallIntegerField(default=0)
    sending_since = models.DateTimeField(null=True, blank=True)
    # Not before this time: X allows only so many direct messages per 15 minutes.
    scheduled_for = models.DateTimeField(null=True, blank=True)
    # Why the platform refused, in words for the agent.
    delivery_error = models.CharField(max_length=300, blank=True)
    # The protocol an answer came from, and whether the agent changed its text (None: not known).
    protocol_key = models.CharField(max_length=100, blank=True, db_index=True)
    protocol_edited = models.BooleanField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"],
                condition=~Q(provider_id=""),
                name="unique_provider_message",
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(processed_at__isnull=True, direction="in"),
                name="unprocessed_idx",
            ),
            models.Index(
                fields=["created_at"],
                condition=Q(delivery_status__in=["pending", "sending"]),
                name="unsent_idx",
            ),
            # The dashboards read a period's messages from these alone (index-only scans).
            models.Index(
                fields=["created_at"],
                include=["conversation", "channel"],
                condition=Q(direction="in"),
                name="inbound_period_idx",
            ),
            models.Index(
                fields=["created_at"],
                include=["conversation", "author", "protocol_key"],
                condition=Q(direction="out"),
                name="outbound_period_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.text[:40]}"

    @property
    def is_inbound(self) -> bool:
        return self.direction == Direction.INBOUND

    @property
    def is_private_reply(self) -> bool:
        return bool(self.send_options.get("private_reply_to"))


class Note(models.Model):
    """An internal note on a conversation; residents never see it."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class EventKind(models.TextChoices):
    RECEIVED = "received", _("message received")
    ROUTED = "routed", _("routed")
    CLAIMED = "claimed", _("claimed")
    RELEASED = "released", _("released")
    ASSIGNED = "assigned", _("assigned")
    REPLIED = "replied", _("replied")
    NOTE = "note", _("note added")
    CLOSED = "closed", _("closed")
    REOPENED = "reopened", _("reopened")
    MERGED = "merged", _("contacts merged")
    DELIVERY_FAILED = "delivery_failed", _("reply not delivered")
    ESCALATED = "escalated", _("asked a department")
    DEPARTMENT_ANSWERED = "department_answered", _("department answered")
    INFO_REQUESTED = "info_requested", _("department needs more information")
    ESCALATION_ENDED = "escalation_ended", _("escalation withdrawn")
    NOTIFIED = "notified", _("resident told about their suggestion")


class ConversationEvent(models.Model):
    """Who did what, when: appended, never edited."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # On a claim: the next step in the conversation (a reply, escalation, release, close or another
    # claim), so that handling time is a subtraction for the dashboards.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # A conversation's history in order, and (dashboards, from the index alone) one kind of
            # step in a period: claims with their agent and end, reopenings with their conversation.
            models.Index(fields=["conversation", "created_at"], name="event_history_idx"),
            models.Index(
                fields=["kind", "created_at"],
                include=["conversation", "actor", "ended_at"],
                name="event_kind_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class TemplatePurpose(models.TextChoices):
    REPLY = "reply", _("an agent's reply")
    FEEDBACK_UPDATE = "feedback_update", _("news about a resident's suggestion")


class MessageTemplate(models.Model):
    """A WhatsApp message template approved by Meta, used once the 24-hour window has closed.

    `text` is what the resident will read, with {{1}} where the resident's first name goes and, for
    news about a suggestion, {{2}} where the link to its status page goes.
    """

    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WHATSAPP)
    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=8, default="nl")
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=TemplatePurpose.choices, default=TemplatePurpose.REPLY
    )
    content_sid = models.CharField(_("Twilio content SID"), max_length=64, unique=True)
    text = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["channel", "language", "name"]
        verbose_name = _("WhatsApp template")
        verbose_name_plural = _("WhatsApp templates")

    def __str__(self) -> str:
        return self.name

    def variables(self, first_name: str, link: str = "") -> dict[str, str]:
        """Twilio's content variables for this template."""
        return {"1": first_name, "2": link} if "{{2}}" in self.text else {"1": first_name}

    def render(self, first_name: str, link: str = "") -> str:
        return self.text.replace("{{1}}", first_name).replace("{{2}}", link).replace("  ", " ")
