"""Everything that changes monitoring data. Each function is one transaction; callers check roles.

Sources (monitoring.sources) hand over public posts; they are stored once (unique per channel and
platform id), tagged with the listening queries they match, and enriched in the background.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inbox import services as inbox
from inbox.models import Conversation, Topic
from monitoring import query as queries
from monitoring.models import ListeningQuery, Mention, Sentiment
from webcare.lib.tasks import enqueue_on_commit

ENRICH_TASK = "monitoring.enrich_mentions"


class MonitoringError(Exception):
    """A request monitoring refuses; the message is for the person who asked."""


@dataclass(frozen=True)
class Post:
    """A public post as a source found it."""

    channel: str
    external_id: str
    text: str
    posted_at: datetime
    author: str = ""
    author_id: str = ""
    url: str = ""
    thread_key: str = ""
    context: dict = field(default_factory=dict)


@dataclass
class Stored:
    created: list[int] = field(default_factory=list)
    duplicates: int = 0


def active_queries() -> list[tuple[ListeningQuery, queries.Node]]:
    """The active listening queries, parsed; one a lead broke is skipped, not fatal."""
    parsed = []
    for listening in ListeningQuery.objects.filter(is_active=True).order_by("pk"):
        try:
            parsed.append((listening, queries.parse(listening.expression)))
        except queries.QueryError:
            continue
    return parsed


@transaction.atomic
def store(posts: Iterable[Post], *, now: datetime | None = None) -> Stored:
    """Keep the posts not seen before, tagged with the queries they match; enrich them afterwards."""
    now = now or timezone.now()
    listening = active_queries()
    result = Stored()
    expires_at = now + timedelta(days=settings.MONITORING_RETENTION_DAYS)
    for post in posts:
        mention, created = Mention.objects.get_or_create(
            channel=post.channel,
            external_id=post.external_id,
            defaults={
                "text": post.text,
                "author": post.author[:100],
                "author_id": post.author_id[:100],
                "url": post.url[:500],
                "thread_key": post.thread_key[:200],
                "context": post.context,
                "posted_at": min(post.posted_at, now),
                "fetched_at": now,
                "expires_at": expires_at,
            },
        )
        if not created:
            result.duplicates += 1
            continue
        text = queries.Text.of(post.text)
        mention.queries.set([query for query, tree in listening if queries.matches(tree, text)])
        result.created.append(mention.pk)
    if result.created:
        enqueue_on_commit(ENRICH_TASK, result.created)
    return result


@transaction.atomic
def save_enrichment(
    mention_id: int, *, language, sentiment, topic_slug, district, needs_answer, relevant
) -> None:
    """What enrichment made of a post; an agent's correction is never overwritten."""
    Mention.objects.filter(pk=mention_id, corrected_at__isnull=True).update(
        language=language,
        sentiment=sentiment,
        topic=Topic.objects.filter(slug=topic_slug).first() if topic_slug else None,
        district=district or "",
        needs_answer=needs_answer,
        relevant=relevant,
        enriched_at=timezone.now(),
    )


@transaction.atomic
def to_conversation(*, agent, mention_id: int) -> Conversation:
    """Turn a mention into an inbox conversation, answered publicly from the municipal account.

    The post becomes the resident's first message in a public thread; the agent who asked has it.
    """
    mention = Mention.objects.select_for_update().get(pk=mention_id)
    if mention.conversation_id:
        return mention.conversation
    if not mention.can_be_answered:
        raise MonitoringError(
            _("The municipality cannot answer this post on its platform: open it there to react.")
        )
    message, _created = inbox.receive_message(
        inbox.IncomingMessage(
            channel=mention.channel,
            sender_id=mention.author_id,
            sender_name=mention.author,
            text=mention.text,
            provider_id=mention.external_id,
            thread_key=mention.thread_key or mention.external_id,
            is_public=True,
            sent_at=mention.posted_at,
            context={**mention.context, "mention": True},
        )
    )
    inbox.process_message(message.pk)
    inbox.claim_conversation(agent=agent, conversation_id=message.conversation_id)
    mention.conversation_id = message.conversation_id
    mention.save(update_fields=["conversation"])
    return mention.conversation


@transaction.atomic
def forget_expired(now: datetime | None = None) -> int:
    """Delete the mentions kept past their term that never became a conversation."""
    deleted, _by_model = Mention.objects.expired(now).delete()
    return deleted


@transaction.atomic
def correct(
    *, agent, mention_id: int, sentiment: str, topic_slug: str | None, needs_answer: bool, relevant: bool
) -> Mention:
    """An agent's reading of a post replaces enrichment's; the first machine reading is kept beside it."""
    mention = Mention.objects.select_for_update(of=("self",)).select_related("topic").get(pk=mention_id)
    if sentiment not in Sentiment.values:
        raise MonitoringError(_("Choose positive, neutral or negative."))
    topic = Topic.objects.filter(slug=topic_slug).first() if topic_slug else None
    if topic_slug and topic is None:
        raise MonitoringError(_("Unknown topic."))
    if mention.corrected_at is None:
        mention.machine_labels = {
            "sentiment": mention.sentiment,
            "topic": mention.topic.slug if mention.topic else None,
            "needs_answer": mention.needs_answer,
            "relevant": mention.relevant,
        }
    mention.sentiment, mention.topic = sentiment, topic
    mention.needs_answer, mention.relevant = needs_answer, relevant
    mention.corrected_by, mention.corrected_at = agent, timezone.now()
    mention.save()
    return mention
