from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    TWILIO = "twilio", "Twilio (WhatsApp)"
    META = "meta", "Meta (Facebook, Instagram)"
    X = "x", "X"


class RawEventState(models.TextChoices):
    DONE = "done", _("done")
    PENDING = "pending", _("pending")  # needs a call to the platform first (Instagram mentions)
    MALFORMED = "malformed", _("malformed")  # signed, but not a shape we understand; kept to replay


class RawEvent(models.Model):
    """One webhook delivery exactly as the platform sent it, stored before anything else happens.

    The digest of the body is unique, so a delivery the platform repeats is recognised and skipped.
    """

    platform = models.CharField(max_length=10, choices=Platform.choices)
    endpoint = models.CharField(max_length=40)
    digest = models.CharField(max_length=64)
    body = models.TextField()
    content_type = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=RawEventState.choices, default=RawEventState.DONE)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("stored delivery")
        verbose_name_plural = _("stored deliveries")
        constraints = [models.UniqueConstraint(fields=["platform", "digest"], name="unique_raw_event")]
        indexes = [
            models.Index(fields=["received_at"], condition=Q(state="pending"), name="pending_raw_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.endpoint} {self.received_at:%Y-%m-%d %H:%M:%S}"


class PollCursor(models.Model):
    """How far a catch-up poll of a platform got (a time or the newest id seen)."""

    name = models.CharField(max_length=50, unique=True)
    value = models.CharField(max_length=100)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catch-up cursor")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
