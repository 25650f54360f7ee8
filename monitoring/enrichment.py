"""What a post says: language, sentiment, topic, district, whether it needs an answer, and whether it
is about the municipality at all.

Offline and fast (hundreds of posts a second on one core), from word lists a city can read and
correct, chosen by measuring on the labelled set in bench/data (bench/monitoring.py, tuned on the dev
split only):

- language: py3langid with Dutch/English function words for short texts (webcare.lib.text);
- topic: the inbox's topic keywords (the same topics the desk routes by);
- district: the city file's places (monitoring/data/<city>.yaml), matched as whole words;
- relevance: a topic or a municipal word makes a post about the municipality; the city's name used
  for football, the airport, a gin or New York does not;
- sentiment: Dutch and English word lists and emoji; sarcasm is praise wrapped around a complaint
  ("Top hoor, derde week geen vuilnis 👏"), so a complaint wins over praise;
- needs an answer: a question, or a complaint about something the city handles.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

from inbox.models import Topic
from monitoring import services
from monitoring.models import Mention, Sentiment
from webcare.lib.text import detect_language, normalize

WORD = re.compile(r"[#@]?\w+(?:-\w+)*")

# Complaints: what goes wrong in a city, and how people say they are fed up. Word starts.
NEGATIVE = """
kapot stuk vies smerig vol overvol stinkt stank gevaarlijk onveilig overlast schandalig belachelijk
waardeloos slecht slechte nooit alweer weer niet opgehaald niks niets gebeurt klacht klagen boos
woedend irritant ergerlijk zat genoeg schande gat gaten losliggend omgevallen donker lekt lekkage
verstopt ratten muizen afval zwerfvuil troep rommel herrie lawaai drugs dumpen gedumpt geblokkeerd
onbegrijpelijk teleurgesteld teleurstellend frustrerend frustratie jammer helaas traag wachten wacht
broken dirty full overflowing smell stinks dangerous unsafe nuisance ridiculous terrible awful
useless never again nothing complaint annoying angry fed up disgusting noise flooded blocked
disappointed frustrating unacceptable rats litter trash garbage rubbish pothole dark still waiting
""".split()
# Praise and thanks. Word starts.
POSITIVE = """
bedankt dank dankjewel dankuwel top super mooi prachtig fijn geweldig fantastisch goed netjes snel
blij tevreden complimenten compliment chapeau heerlijk lekker topservice keurig opgelost gelukt
schoon genieten love lovely great thanks thank awesome amazing beautiful nice clean quick fast
happy pleased brilliant excellent wonderful fixed solved kudos
""".split()
NEGATIVE_EMOJI = set("😡🤬😠😤🙄😒😞😩😫🤮💩👎😭🤦")
POSITIVE_EMOJI = set("😍🥰😊🙂😀😃😄😁❤💚💙👍🙏🎉✨🌷☀🌞👌")
SARCASM_EMOJI = set("👏🙃😏")
# Negations turn a complaint into a fact ("niet kapot") less often than a fact into a complaint
# ("niet opgehaald"): they count as complaint words where residents report what did not happen.
NOT_DONE = re.compile(
    r"\b(niet|nog steeds niet|geen|nooit|not|no|never|still no)\b(?:\s+\w+){0,4}?\s+"
    r"(opgehaald|geleegd|gerepareerd|gemaaid|gedaan|gekomen|gebeurd|collected|emptied|fixed|repaired|done)\b"
)
QUESTION_WORDS = re.compile(
    r"^(hoe|wanneer|waarom|wie|wat|waar|welke|kan|kunnen|kun|mag|moet|is|zijn|heeft|hebben|weet|"
    r"how|when|why|who|what|where|which|can|could|is|are|does|do|will|should)\b"
)
ADDRESSED = re.compile(r"@(gemeente\w*|amsterdamnl|\w*gemeente\w*)", re.IGNORECASE)


@dataclass(frozen=True)
class Analysis:
    language: str
    sentiment: str
    topic: str | None
    district: str | None
    needs_answer: bool
    relevant: bool


@dataclass(frozen=True)
class City:
    municipal: tuple[str, ...]
    elsewhere: tuple[str, ...]
    places: tuple[tuple[str, str], ...]  # (normalised place, district), longest first


@functools.cache
def city() -> City:
    data = yaml.safe_load(Path(settings.MONITORING_CITY_FILE).read_text(encoding="utf-8"))
    places = [
        (normalize(place), district) for district, names in data["districts"].items() for place in names
    ]
    return City(
        municipal=tuple(normalize(word) for word in data["municipal"]),
        elsewhere=tuple(normalize(word) for word in data["elsewhere"]),
        places=tuple(sorted(places, key=lambda pair: -len(pair[0]))),
    )


@dataclass(frozen=True)
class _Topics:
    keywords: tuple[tuple[str, tuple[str, ...]], ...]  # (slug, normalised keywords)


def topics() -> _Topics:
    """The inbox's topics and their keywords, read once per process (they change rarely)."""
    return _topics_cached(Topic.objects.count())


@functools.lru_cache(maxsize=2)
def _topics_cached(_count: int) -> _Topics:
    return _Topics(
        tuple((topic.slug, tuple(normalize(k) for k in topic.keyword_list)) for topic in Topic.objects.all())
    )


def _starts(words: str, phrase: str) -> bool:
    """`phrase` at the start of a word in `words` (" "-joined normalised words, padded)."""
    return f" {phrase}" in words


def _whole(words: str, phrase: str) -> bool:
    return f" {phrase} " in words


def analyze(text: str, known_topics: _Topics | None = None) -> Analysis:
    known_topics = known_topics or topics()
    lowered = normalize(text)
    words = " " + " ".join(WORD.findall(lowered)) + " "
    plain = " " + " ".join(re.findall(r"\w+", lowered)) + " "
    topic = _topic(plain, known_topics)
    municipal = any(_starts(words, word) for word in city().municipal)
    elsewhere = any(_whole(plain, word) for word in city().elsewhere)
    relevant = municipal or (topic is not None and not elsewhere)
    negative = _complaint(plain, text)
    positive = sum(_starts(plain, word) for word in POSITIVE) + sum(ch in POSITIVE_EMOJI for ch in text)
    sentiment = _sentiment(negative, positive, text)
    question = "?" in text or bool(QUESTION_WORDS.match(lowered.lstrip("@#")))
    needs_answer = relevant and (question or (sentiment == Sentiment.NEGATIVE and topic is not None))
    return Analysis(
        language=detect_language(text),
        sentiment=sentiment,
        topic=topic if relevant else None,
        district=_district(plain) if relevant else None,
        needs_answer=needs_answer,
        relevant=relevant,
    )


def _topic(plain: str, known: _Topics) -> str | None:
    best, best_score = None, 0
    for slug, keywords in known.keywords:
        score = sum(len(k) for k in keywords if _starts(plain, k))
        if score > best_score:
            best, best_score = slug, score
    return best


def _complaint(plain: str, text: str) -> int:
    count = sum(_starts(plain, word) for word in NEGATIVE if " " not in word)
    count += sum(_whole(plain, word) for word in NEGATIVE if " " in word)
    count += 2 * len(NOT_DONE.findall(plain))
    return count + sum(ch in NEGATIVE_EMOJI for ch in text)


def _sentiment(negative: int, positive: int, text: str) -> str:
    if negative and (positive or any(ch in SARCASM_EMOJI for ch in text)):
        return Sentiment.NEGATIVE  # praise around a complaint is sarcasm
    if negative:
        return Sentiment.NEGATIVE
    if positive:
        return Sentiment.POSITIVE
    return Sentiment.NEUTRAL


def _district(plain: str) -> str | None:
    for place, district in city().places:
        if _whole(plain, place):
            return district
    return None


def enrich(mention_ids: list[int]) -> None:
    known = topics()
    for mention in Mention.objects.filter(pk__in=mention_ids).only("pk", "text"):
        result = analyze(mention.text, known)
        services.save_enrichment(
            mention.pk,
            language=result.language,
            sentiment=result.sentiment,
            topic_slug=result.topic,
            district=result.district,
            needs_answer=result.needs_answer,
            relevant=result.relevant,
        )
