import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalations.models import Department
from feedback.workflow import OUTCOMES, PENDING, Status
from inbox.models import Conversation, Message, Topic


def new_token() -> str:
    """128 random bits, URL-safe: the public status page cannot be guessed or enumerated."""
    return secrets.token_urlsafe(16)


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", _("suggestion")
    COMPLAINT = "complaint", _("complaint")


class SuggestionQuerySet(models.QuerySet):
    def for_account_manager(self, user) -> "SuggestionQuerySet":
        return self.filter(department__account_manager=user)

    def pending(self) -> "SuggestionQuerySet":
        return self.filter(status__in=PENDING)

    def with_outcome(self) -> "SuggestionQuerySet":
        return self.filter(status__in=OUTCOMES)


class Suggestion(models.Model):
    """A resident's idea or complaint about how the city works, followed to an outcome.

    Several residents may make the same suggestion: each is a `SuggestionReport`, and all of them
    hear the outcome. `summary` and `explanation` are shown on the public status page: no personal data.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SUGGESTION)
    summary = models.CharField(_("summary"), max_length=300)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("topic")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="suggestions", verbose_name=_("department")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    # The department's decision in plain language (B1), for the residents and the status page.
    explanation = models.TextField(_("explanation"), blank=True)
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The last change of status: reminders chase suggestions that have not moved for a while.
    status_changed_at = models.DateTimeField(default=timezone.now)
    outcome_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status"], name="suggestion_department_idx"),
            models.Index(fields=["status", "status_changed_at"], name="suggestion_pending_idx"),
        ]

    def __str__(self) -> str:
        return self.summary


class SuggestionReport(models.Model):
    """One resident who made the suggestion, in one conversation, and whether they want to hear back."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="reports")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.PROTECT, related_name="suggestion_reports"
    )
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notify = models.BooleanField(_("wants to hear back"), default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "conversation"], name="one_report_per_conversation")
        ]

    def __str__(self) -> str:
        return f"{self.suggestion} ({self.conversation})"


class SuggestionEvent(models.Model):
    """A change of status, with the explanation given then: the public history of a suggestion."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    explanation = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class NoticeState(models.TextChoices):
    SENT = "sent", _("sent")
    UNREACHABLE = "unreachable", _("cannot be reached")


class ResidentNotice(models.Model):
    """What one resident was told about one status of their suggestion: at most one per status."""

    report = models.ForeignKey(SuggestionReport, on_delete=models.CASCADE, related_name="notices")
    status = models.CharField(max_length=20, choices=Status.choices)
    state = models.CharField(max_length=20, choices=NoticeState.choices)
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "status"], name="one_notice_per_status")]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.get_state_display()}"
