from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inbox.models import Channel, Conversation, Topic


class ListeningQuery(models.Model):
    """What the desk listens for on social media, per topic; leads manage them (see monitoring.query)."""

    name = models.CharField(_("name"), max_length=100)
    expression = models.CharField(_("query"), max_length=512)
    topic = models.ForeignKey(
        Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("topic")
    )
    is_active = models.BooleanField(_("on"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("listening query")
        verbose_name_plural = _("listening queries")

    def __str__(self) -> str:
        return self.name


class Sentiment(models.TextChoices):
    POSITIVE = "positive", _("positive")
    NEUTRAL = "neutral", _("neutral")
    NEGATIVE = "negative", _("negative")


class MentionQuerySet(models.QuerySet):
    def relevant(self) -> "MentionQuerySet":
        return self.filter(relevant=True)

    def expired(self, now=None) -> "MentionQuerySet":
        """Mentions kept past their term that never became a conversation (see docs/monitoring-privacy.md)."""
        return self.filter(conversation__isnull=True, expires_at__lte=now or timezone.now())


class Mention(models.Model):
    """A public post about the city that the desk heard, with what enrichment made of it.

    Personal data of people who did not contact the city: only what the desk needs is kept (the
    text, the public handle, the link), and only for MONITORING_RETENTION_DAYS unless it becomes a
    conversation.
    """

    channel = models.CharField(max_length=20, choices=Channel.choices)
    external_id = models.CharField(max_length=100)
    text = models.TextField()
    author = models.CharField(_("author"), max_length=100, blank=True)  # the public handle
    author_id = models.CharField(max_length=100, blank=True)  # the platform's id, to answer them
    url = models.URLField(max_length=500, blank=True)
    # Where an answer would go: the post (X conversation, Facebook post, Instagram media) and the
    # platform details a reply needs (comment id, ...), as the channel adapters record them.
    thread_key = models.CharField(max_length=200, blank=True)
    context = models.JSONField(default=dict, blank=True)
    posted_at = models.DateTimeField(_("posted"))
    fetched_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    queries = models.ManyToManyField(ListeningQuery, blank=True, related_name="mentions")
    # Enrichment (monitoring.enrichment); empty until enriched.
    language = models.CharField(max_length=8, blank=True)
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True)
    topic = models.ForeignKey(Topic, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    district = models.CharField(_("district"), max_length=40, blank=True)
    needs_answer = models.BooleanField(_("needs an answer"), default=False)
    relevant = models.BooleanField(_("about the municipality"), default=True)
    enriched_at = models.DateTimeField(null=True, blank=True)
    # An agent who corrected the labels: enrichment never overwrites them, and what enrichment said
    # is kept beside them, so the corrections measure and teach the enrichment.
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(null=True, blank=True)
    machine_labels = models.JSONField(default=dict, blank=True)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["channel", "external_id"], name="unique_mention")]
        indexes = [
            models.Index(fields=["relevant", "-posted_at"], name="mention_feed_idx"),
            models.Index(fields=["topic", "posted_at"], name="mention_topic_idx"),
            models.Index(fields=["expires_at"], name="mention_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.external_id}"

    @property
    def can_be_answered(self) -> bool:
        """Whether the municipal account may reply to it in public. Instagram allows no comment on a
        photo the account is tagged in, nor on media found by hashtag (whose author it does not name)."""
        unanswerable = self.context.get("tagged") or self.context.get("hashtag")
        return bool(self.author_id) and not (self.channel == Channel.INSTAGRAM and unanswerable)


class SourceCursor(models.Model):
    """Where a poll of one source left off (since_id or a time), and when it may ask again."""

    source = models.CharField(max_length=200, unique=True)  # e.g. "x:search:12", "instagram:mentions"
    position = models.CharField(max_length=100, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
    # After a 429 the platform says when to come back; no poll before that.
    resume_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    # On a source's own row ("x", "facebook", "instagram"): a poll of it is running until then.
    leased_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.source


class SpikeAlert(models.Model):
    """An hour in which a topic was talked about far more than its usual rhythm predicts."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="+", verbose_name=_("topic"))
    hour = models.DateTimeField(_("hour"))
    count = models.PositiveIntegerField(_("mentions"))
    expected = models.FloatField(_("expected"))
    examples = models.ManyToManyField(Mention, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-hour", "-id"]
        constraints = [models.UniqueConstraint(fields=["topic", "hour"], name="one_alert_per_topic_hour")]

    def __str__(self) -> str:
        return f"{self.topic} {self.hour:%Y-%m-%d %H:00}"
