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
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")
