from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalations.models import Department
from inbox.models import Message, Topic
from protocols.workflow import Status


class ProtocolQuerySet(models.QuerySet):
    def published(self) -> "ProtocolQuerySet":
        return self.filter(status=Status.PUBLISHED)

    def stale(self, today: date | None = None) -> "ProtocolQuerySet":
        """Past their review-by date: the department must check that the answer is still right."""
        return self.exclude(status=Status.RETIRED).filter(
            current__review_by__lt=today or timezone.localdate()
        )

    def stale_unnotified(self, today: date | None = None) -> "ProtocolQuerySet":
        """Stale, and nobody was told yet in this stale period.

        A notification on or before the current review-by date belongs to an earlier period: the
        date was moved on since, and has now passed again.
        """
        return self.stale(today).filter(
            models.Q(stale_notified_on__isnull=True)
            | models.Q(stale_notified_on__lte=models.F("current__review_by"))
        )

    def with_current(self) -> "ProtocolQuerySet":
        return self.select_related("department", "current", "current__topic")


class Protocol(models.Model):
    """A department-owned answer the desk gives again and again. Its content lives in versions."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, verbose_name=_("department"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    current = models.ForeignKey(
        "ProtocolVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When editors and the department were last told that the protocol is past its review date
    # (protocols.notifications). A later review-by date starts a new stale period.
    stale_notified_on = models.DateField(null=True, blank=True, editable=False)
    # The department's answer this protocol grew from (protocols.services.draft_from_escalation):
    # one protocol per escalation, and it lets the share of escalations that led to a protocol be counted.
    from_escalation = models.ForeignKey(
        "escalations.Escalation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="protocols",
    )

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        ordering = ["key"]
        indexes = [models.Index(fields=["status", "department"], name="protocol_status_idx")]

    def __str__(self) -> str:
        return self.current.title if self.current else self.key


class ProtocolVersion(models.Model):
    """One state of a protocol's content; never edited, so every change can be seen and restored."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("topic")
    )
    public_space = models.BooleanField(_("public space"), default=False)
    questions = models.JSONField(_("example questions"), default=list)
    answers = models.JSONField(_("answers per language"), default=dict)
    links = models.JSONField(_("self-service links"), default=list, blank=True)
    review_by = models.DateField(_("review by"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["protocol", "-number"]
        constraints = [models.UniqueConstraint(fields=["protocol", "number"], name="unique_protocol_version")]

    def __str__(self) -> str:
        return f"{self.protocol.key} v{self.number}"


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class ProtocolProposal(models.Model):
    """A department's proposed change to one of its protocols (or a new one), for an editor to decide."""

    protocol = models.ForeignKey(
        Protocol, on_delete=models.CASCADE, null=True, blank=True, related_name="proposals"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="protocol_proposals")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The protocol's current version when the proposal was made (None for a new protocol), so the
    # editor sees when the protocol has moved on since.
    base_version = models.ForeignKey(
        ProtocolVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The whole proposed content, in the fields of the YAML format (see protocols.services.ProtocolContent).
    content = models.JSONField()
    note = models.CharField(_("why"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.content.get('key', '?')} ({self.get_status_display()})"


class MessageSuggestions(models.Model):
    """The protocols that answer a resident's message, worked out by a worker as the message comes in,
    so that an agent opening the conversation does not wait for them."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # The published protocols' fingerprint when this was worked out: after a change it is worked out again.
    fingerprint = models.CharField(max_length=40)
    ranking = models.JSONField(default=list)  # [[protocol key, score], ...], best first
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.message_id}: {', '.join(key for key, _score in self.ranking)}"


class Embedding(models.Model):
    """A protocol text's vector from the suggestion engine's model, kept so that a new process builds its
    index of the published protocols by reading vectors instead of computing them (minutes for 1,000)."""

    kind = models.CharField(max_length=10)  # "query" (titles, example questions) or "passage"
    digest = models.CharField(max_length=64)  # of the model's version and the text
    vector = models.BinaryField()  # float32

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "digest"], name="unique_embedding")]

    def __str__(self) -> str:
        return f"{self.kind} {self.digest[:12]}"
