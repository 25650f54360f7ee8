"""The privacy app's own state, kept beside the other apps' records (keyed by contact or suggestion) so
that no other app needs a field or a migration for it (docs/privacy.md)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.models import Suggestion
from inbox.models import Contact


class AnonymisationReason(models.TextChoices):
    RETENTION = "retention", _("retention term passed")
    ERASURE = "erasure", _("erasure request")


class ContactAnonymisation(models.Model):
    """A contact whose personal data was replaced and redacted: the record and its figures remain."""

    contact = models.OneToOneField(Contact, on_delete=models.PROTECT, related_name="anonymisation")
    at = models.DateTimeField(_("anonymised at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=20, choices=AnonymisationReason.choices)
    # Who did it; empty when the nightly retention job did.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What was changed, per kind (messages redacted, files deleted, ...): counts only.
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("anonymised contact")
        verbose_name_plural = _("anonymised contacts")

    def __str__(self) -> str:
        return f"#{self.contact_id} {self.at:%Y-%m-%d}"


class LegalHoldQuerySet(models.QuerySet):
    def active(self, today: date | None = None) -> "LegalHoldQuerySet":
        """Holds not lifted whose end date (if any) has not passed."""
        today = today or timezone.localdate()
        return self.filter(lifted_at__isnull=True).filter(Q(until__isnull=True) | Q(until__gte=today))


class LegalHold(models.Model):
    """A reason the municipality must keep a contact's data as it is (an objection, a court case, an
    ombudsman's inquiry): no anonymisation, by retention or by request, while it applies."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(
        _("reason"), max_length=300, help_text=_("For example a case number. No personal data.")
    )
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: until it is lifted."))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self) -> str:
        return self.reason

    def applies(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.lifted_at is None and (self.until is None or self.until >= today)


class ReceivedThrough(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    EMAIL = "email", _("e-mail")
    LETTER = "letter", _("letter")
    PHONE = "phone", _("phone")
    IN_PERSON = "in_person", _("in person")
    OTHER = "other", _("other")


class ErasureState(models.TextChoices):
    ANONYMISED = "anonymised", _("carried out: anonymised")
    ON_HOLD = "on_hold", _("refused for now: legal hold")


class ErasureRequestQuerySet(models.QuerySet):
    def on_hold(self) -> "ErasureRequestQuerySet":
        return self.filter(state=ErasureState.ON_HOLD)


class ErasureRequest(models.Model):
    """A resident's request to erase their data (AVG art. 17), as a lead recorded it, and its outcome."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="erasure_requests")
    received_on = models.DateField(_("received on"))
    received_through = models.CharField(_("received through"), max_length=20, choices=ReceivedThrough.choices)
    note = models.CharField(
        _("note"), max_length=300, blank=True, help_text=_("For example a case number. No personal data.")
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(_("outcome"), max_length=20, choices=ErasureState.choices)
    # The hold that stopped it; when no hold applies any more, the nightly job carries it out.
    hold = models.ForeignKey(LegalHold, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    carried_out_at = models.DateTimeField(null=True, blank=True)

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_state_display()})"


class RetiredSuggestion(models.Model):
    """A suggestion whose texts were redacted and whose public status page was ended."""

    suggestion = models.OneToOneField(Suggestion, on_delete=models.PROTECT, related_name="retirement")
    at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"#{self.suggestion_id} {self.at:%Y-%m-%d}"


class RetentionRun(models.Model):
    """What one run of the retention job did: counts per kind, never whom it concerned."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    seconds = models.FloatField(_("duration (seconds)"), default=0)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"
