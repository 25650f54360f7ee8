from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    VIEWED = "viewed", _("viewed")
    CHANGED = "changed", _("changed")
    EXPORTED = "exported", _("exported")
    ANONYMISED = "anonymised", _("anonymised")
    ERASURE_REFUSED = "erasure_refused", _("erasure refused")
    LOGGED_IN = "logged_in", _("logged in")
    LOGGED_OUT = "logged_out", _("logged out")
    LOGIN_FAILED = "login_failed", _("log-in failed")
    # Staff asked for a resident's data or a change and were refused (403): someone probing shows up.
    REFUSED = "refused", _("refused")


class AppendOnly(ValueError):
    """Raised for any attempt to change or delete audit entries through Django."""

    def __init__(self) -> None:
        super().__init__("Audit entries are append-only.")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditEntryQuerySet(models.QuerySet):
    """Entries are only ever read and appended: bulk changes and deletes refuse like the rows do.

    On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE as well (migration 0003), for what
    does not go through Django.
    """

    def update(self, **kwargs):
        raise AppendOnly

    def delete(self):
        raise AppendOnly

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnly

    def matching(
        self,
        *,
        actor=None,
        action: str = "",
        object_type: str = "",
        object_id: str = "",
        since: date | None = None,
        until: date | None = None,
        ip_address: str = "",
    ) -> "AuditEntryQuerySet":
        """Entries meeting every filter given; `since` and `until` are whole local days, both included."""
        entries = self
        if actor is not None:
            entries = entries.filter(actor=actor)
        if action:
            entries = entries.filter(action=action)
        if object_type:
            entries = entries.filter(object_type=object_type)
        if object_id:
            entries = entries.filter(object_id=object_id)
        if since is not None:
            entries = entries.filter(at__gte=_day_start(since))
        if until is not None:
            entries = entries.filter(at__lt=_day_start(until + timedelta(days=1)))
        if ip_address:
            entries = entries.filter(ip_address=ip_address)
        return entries


class AuditEntry(models.Model):
    """Who did what to which record, when and from where. Appended, never changed or deleted.

    Holds ids and names of screens, never a resident's personal data or a request's content, so that
    anonymising a contact leaves the log intact and the log itself leaks nothing.
    """

    at = models.DateTimeField(_("when"), default=timezone.now, editable=False)
    # PROTECT: staff with entries are deactivated, not deleted, so the log keeps its actors.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, editable=False
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True, editable=False)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices, editable=False)
    object_type = models.CharField(_("record type"), max_length=40, blank=True, editable=False)
    object_id = models.CharField(_("record"), max_length=64, blank=True, editable=False)
    summary = models.CharField(_("what"), max_length=255, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
            models.Index(fields=["actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly
