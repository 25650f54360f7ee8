from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalations.workflow import ACTIVE, WITH_DEPARTMENT, Status
from inbox.models import Conversation, Message, Topic


class Department(models.Model):
    """A back-office department (vakafdeling) that answers the desk's escalations."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_departments",
        verbose_name=_("account manager"),
    )
    service_level_days = models.PositiveSmallIntegerField(_("service level (working days)"), default=5)
    # What the department is asked about: suggests it when an agent escalates such a conversation.
    topics = models.ManyToManyField(Topic, blank=True, related_name="departments", verbose_name=_("topics"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EscalationQuerySet(models.QuerySet):
    def for_department(self, department) -> "EscalationQuerySet":
        return self.filter(department=department)

    def active(self) -> "EscalationQuerySet":
        return self.filter(status__in=ACTIVE)

    def with_department(self) -> "EscalationQuerySet":
        """What departments still owe the desk."""
        return self.filter(status__in=WITH_DEPARTMENT)

    def overdue(self, now=None) -> "EscalationQuerySet":
        return self.with_department().filter(due_at__lt=now or timezone.now())

    def in_deadline_order(self) -> "EscalationQuerySet":
        return self.order_by("due_at", "id")

    def figures_per_department(self, *, now, answered_since) -> "EscalationQuerySet":
        """One row per department id with the lead's counts (the desk overview).

        Counts are distinct because the join on `protocols` repeats an escalation per protocol.
        """
        with_department = models.Q(status__in=WITH_DEPARTMENT)
        overdue = with_department & models.Q(due_at__lt=now)
        answered = models.Q(answered_at__isnull=False)
        return (
            self.order_by()
            .values("department_id")
            .annotate(
                open=models.Count("id", filter=with_department, distinct=True),
                waiting_for_desk=models.Count(
                    "id", filter=models.Q(status=Status.INFO_REQUESTED), distinct=True
                ),
                overdue=models.Count("id", filter=overdue, distinct=True),
                oldest_overdue=models.Min("due_at", filter=overdue),
                answered_recently=models.Count(
                    "id", filter=models.Q(answered_at__gte=answered_since), distinct=True
                ),
                answered=models.Count("id", filter=answered, distinct=True),
                led_to_protocol=models.Count(
                    "id", filter=answered & models.Q(protocols__isnull=False), distinct=True
                ),
            )
        )

    def answered_since(self, moment) -> "EscalationQuerySet":
        return self.filter(answered_at__gte=moment)


class Escalation(models.Model):
    """A question from the desk to a department about one conversation (ruggespraak).

    The department sees the question and only what the agent chose to share: the selected messages,
    and the resident's name and contact details only when `share_contact` is set.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.PROTECT, related_name="escalations")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="escalations", verbose_name=_("department")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    question = models.TextField(_("question"))
    shared_messages = models.ManyToManyField(Message, blank=True, related_name="+")
    share_contact = models.BooleanField(_("share the resident's contact details"), default=False)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="escalations_asked"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The end of the department's last working day to answer; restarts when the desk adds information.
    due_at = models.DateTimeField(_("deadline"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # E-mail to the department about the question sent (a sweep sends what the queue missed).
    notified_at = models.DateTimeField(null=True, blank=True)
    # Reminders sent, so that each goes out once per deadline.
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["department", "status", "due_at"], name="escalation_queue_idx"),
            models.Index(fields=["status", "due_at"], name="escalation_due_idx"),
            models.Index(fields=["created_at"], name="escalation_asked_idx"),  # dashboards
        ]

    def __str__(self) -> str:
        return f"{self.department} #{self.pk}"

    @property
    def is_overdue(self) -> bool:
        return self.status in WITH_DEPARTMENT and self.due_at < timezone.now()


class EventKind(models.TextChoices):
    ASKED = "asked", _("question asked")
    INFO_REQUESTED = "info_requested", _("more information requested")
    INFO_ADDED = "info_added", _("information added")
    ANSWERED = "answered", _("answered")
    FOLLOW_UP = "follow_up", _("follow-up question")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    REMINDED = "reminded", _("reminder sent")
    OVERDUE = "overdue", _("deadline passed")


class EscalationEvent(models.Model):
    """One step in an escalation's history, with the words exchanged; appended, never edited."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"
