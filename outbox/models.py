from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """Background work that is owed: written in the transaction of the change that caused it, and
    deleted when a worker has done it (docs/adr/0010-outbox.md).

    `available_at` is when the relay may hand the row to Celery (again): soon after a failed
    publish, and a lease after a successful one, in case the worker never finishes it.
    """

    task = models.CharField(max_length=100)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    available_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)  # hand-overs by the relay, and failed runs
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")
        indexes = [models.Index(fields=["available_at"], name="outbox_available_idx")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"
