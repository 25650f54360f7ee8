"""Reading a resident's message: its topic and whether it reports danger in the public space."""

from collections.abc import Iterable

from inbox.models import Topic
from webcare.lib.text import contains_phrase, normalize

# Danger in the public space jumps the queue. Matched at word starts, Dutch and English.
DANGER_PHRASES = (
    "gaslucht",
    "ruik gas",
    "ruiken gas",
    "ruikt naar gas",
    "gaslek",
    "gas lek",
    "omgevallen boom",
    "boom omgevallen",
    "boom is omgevallen",
    "boom op de weg",
    "boom op straat",
    "boom op de rijbaan",
    "open put",
    "putdeksel weg",
    "putdeksel ontbreekt",
    "losse kabel",
    "kabel hangt",
    "stroomkabel",
    "elektriciteitskabel",
    "smell gas",
    "smell of gas",
    "smells of gas",
    "gas leak",
    "fallen tree",
    "tree fell",
    "tree down",
    "tree on the road",
    "open manhole",
    "manhole cover missing",
    "missing manhole",
    "loose cable",
    "live wire",
    "exposed cable",
    "hanging cable",
)


def is_danger(text: str) -> bool:
    normalized = normalize(text)
    return any(contains_phrase(normalized, phrase) for phrase in DANGER_PHRASES)


def detect_topic(text: str, topics: Iterable[Topic]) -> Topic | None:
    """The topic whose keywords cover most of the text; longer, more specific keywords weigh more."""
    normalized = normalize(text)
    best, best_score = None, 0
    for topic in topics:
        score = sum(len(k) for k in topic.keyword_list if contains_phrase(normalized, k))
        if score > best_score:
            best, best_score = topic, score
    return best
