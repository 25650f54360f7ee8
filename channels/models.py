from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    TWILIO = "twilio", "Twilio (WhatsApp)"
    META = "meta", "Meta (Facebook, Instagram)"
    X = "x", "X"


class RawEventState(models.TextChoices):
    DONE = "done", _("done")
    PENDING = "pending", _("pending")  # stored; a worker has not filed it yet
    MALFORMED = "malformed", _("malformed")  # signed, but not a shape we understand; kept to replay


class RawEventQuerySet(models.QuerySet):
    def insert_new(self, **values) -> int | None:
        """INSERT one delivery, in one statement; its id, or None when the same one is already here."""
        table, quote = self.model._meta.db_table, connection.ops.quote_name
        row = self.model(**values)  # every other column gets its default
        fields = [f for f in self.model._meta.concrete_fields if not f.primary_key]
        columns = {f.column: f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields}
        names, slots = ", ".join(map(quote, columns)), ", ".join(["%s"] * len(columns))
        # Names come from the model; the values are parameters.
        sql = (
            f"INSERT INTO {quote(table)} ({names}) VALUES ({slots}) ON CONFLICT (platform, digest) DO NOTHING"  # noqa: S608
        )
        with connection.cursor() as cursor:
            cursor.execute(sql + " RETURNING id", list(columns.values()))
            inserted = cursor.fetchone()
        return inserted[0] if inserted else None


class RawEvent(models.Model):
    """One webhook delivery exactly as the platform sent it, stored before anything else happens.

    The digest of the body is unique, so a delivery the platform repeats is recognised and skipped.
    A worker files what it says (`channels.services.process_raw_event`).
    """

    platform = models.CharField(max_length=10, choices=Platform.choices)
    endpoint = models.CharField(max_length=40)
    digest = models.CharField(max_length=64)
    body = models.TextField()
    query = models.CharField(max_length=200, blank=True)  # the URL's query string (Twilio's send key)
    content_type = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=RawEventState.choices, default=RawEventState.DONE)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField(default=timezone.now)

    objects = RawEventQuerySet.as_manager()

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
