"""What a post says: language, sentiment, topic, district, whether it needs an answer, and whether it
is about the municipality at all.

Two layers, both offline: the word lists' reading (monitoring/lexicon.py) and small classifiers
learned from labelled posts (monitoring/learning.py) that weigh the lists' signals against the words
themselves, for what lists cannot see: a complaint told as a plain fact ("fireworks every night at
1am for 2 weeks now"), sarcasm without a marker. They learn from the city's examples
(settings.MONITORING_EXAMPLES_FILE) and from every label an agent corrected in the feed; after a
correction the next batch is read by retrained classifiers. Language, topic and district stay with
the lists: they are the city's to read and correct, and the lists measure better on topic.
"""

import json
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Max

from monitoring import learning, lexicon, services
from monitoring.models import Mention

LEARNED = ("sentiment", "needs_answer", "relevant")


@dataclass(frozen=True)
class Analysis:
    language: str
    sentiment: str
    topic: str | None
    district: str | None
    needs_answer: bool
    relevant: bool


@dataclass(frozen=True)
class Readers:
    topics: lexicon.Topics
    learned: dict[str, learning.Classifier]  # per field in LEARNED that has examples of each value


def analyze(text: str, readers: Readers | None = None) -> Analysis:
    readers = readers or current()
    reading = lexicon.read(text, readers.topics)
    found = learning.features(text, reading) if readers.learned else {}

    def decide(field: str):
        classifier = readers.learned.get(field)
        return classifier.predict(found) if classifier else str(getattr(reading, field))

    relevant = decide("relevant") == "True"
    return Analysis(
        language=reading.language,
        sentiment=decide("sentiment"),
        topic=reading.topic if relevant else None,
        district=reading.district,
        needs_answer=relevant and decide("needs_answer") == "True",
        relevant=relevant,
    )


def examples() -> list[dict]:
    """The city's labelled posts, then the agents' corrections (which win where a text is in both)."""
    path = Path(settings.MONITORING_EXAMPLES_FILE)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    labelled = {}
    for line in lines:
        if line.strip():
            post = json.loads(line)
            labelled[post["text"]] = post
    corrected = Mention.objects.filter(corrected_at__isnull=False).values(
        "text", "sentiment", "needs_answer", "relevant"
    )
    for post in corrected:
        labelled[post["text"]] = post
    return list(labelled.values())


def train(posts: list[dict], topics: lexicon.Topics) -> dict[str, learning.Classifier]:
    found = [learning.features(post["text"], lexicon.read(post["text"], topics)) for post in posts]
    learned = {}
    for field in LEARNED:
        labels = [str(post[field]) for post in posts]
        if len(set(labels)) > 1:
            learned[field] = learning.fit(found, labels)
    return learned


_cache: dict[tuple, Readers] = {}
_lock = threading.Lock()


def current() -> Readers:
    """The readers for the examples and corrections as they are now; retrained when either changes."""
    path = Path(settings.MONITORING_EXAMPLES_FILE)
    corrections = Mention.objects.filter(corrected_at__isnull=False).aggregate(
        n=Count("pk"), at=Max("corrected_at")
    )
    topics = lexicon.topics()
    key = (
        id(topics),
        str(path),
        path.stat().st_mtime_ns if path.exists() else None,
        corrections["n"],
        corrections["at"],
    )
    with _lock:
        if key not in _cache:
            _cache.clear()
            _cache[key] = Readers(topics=topics, learned=train(examples(), topics))
        return _cache[key]


def enrich(mention_ids: list[int]) -> None:
    readers = current()
    for mention in Mention.objects.filter(pk__in=mention_ids).only("pk", "text"):
        result = analyze(mention.text, readers)
        services.save_enrichment(
            mention.pk,
            language=result.language,
            sentiment=result.sentiment,
            topic_slug=result.topic,
            district=result.district,
            needs_answer=result.needs_answer,
            relevant=result.relevant,
        )
