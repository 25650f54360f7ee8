"""The first reading of a post, from word lists a city can read and correct: language, sentiment,
topic, district, whether it needs an answer, and whether it is about the municipality at all.
The enrichment (monitoring/enrichment.py) learns from labelled posts how far to trust these signals.

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
from monitoring.models import Sentiment
from webcare.lib.text import detect_language, normalize

WORD = re.compile(r"[#@]?\w+(?:-\w+)*")
SHORT = 4  # keywords this short match whole words only

# Complaints: what goes wrong in a city, and how people say they are fed up. Word starts.
NEGATIVE = (
    """
kapot stuk vies smerig vol overvol propvol uitpuilen puilt stinkt stank gevaarlijk levensgevaarlijk onveilig
overlast schandalig belachelijk waardeloos slecht slechte nooit alweer niks niets klacht klagen boos woedend
irritant ergerlijk schande gaten losliggend omgevallen omvallen scheef afgebroken dood donker lekt lekkage
verstopt ratten muizen zwerfvuil troep rommel herrie lawaai dumpen gedumpt geblokkeerd onbegrijpelijk
teleurgesteld teleurstellend frustrerend frustratie jammer helaas traag ellende oplichting foutmelding kwijt
gevallen gebroken zonde onleesbaar beklad dreunt onacceptabel waarom
broken dirty overflowing smell stinks dangerous unsafe nuisance ridiculous terrible awful useless never
complaint annoying angry disgusting noise flooded blocked disappointed frustrating unacceptable rats
trash garbage rubbish pothole potholes stuck loose scam worst why
vreselijk verschrikkelijk afschuwelijk rampzalig chaos puinhoop ramp drama triest treurig balen baal kut
klote bizar absurd idioot schandaal onbetaalbaar gevaar wtf ugh horrible nightmare mess joke shame sad
overpriced sucks hopeless hopeloos
""".split()
    + [
        "nog steeds geen",
        "nog steeds niet",
        "te laag",
        "te hoog",
        "veel te",
        "fed up",
        "still waiting",
        "still no",
        "not again",
        "no one",
        "nobody",
        "weken later",
        "maanden later",
        "al weken",
        "al maanden",
        "al dagen",
        "for weeks",
        "for months",
        "for days",
        "niemand komt",
        "niemand doet",
    ]
)
# Praise and thanks. Word starts.
POSITIVE = (
    """
bedankt dank dankjewel dankuwel top super mooi prachtig fijn geweldig fantastisch goed netjes snel
blij tevreden complimenten compliment chapeau heerlijk lekker topservice keurig opgelost gelukt
schoon genieten gezellig vrolijk love lovely great thanks thank awesome amazing beautiful nice clean
quick fast happy pleased brilliant excellent wonderful fixed solved kudos favourite favorite gorgeous
elite shoutout proud enjoy dankbaar perfect prima handig gaaf tof leuk trots aanrader helpful friendly
efficient smooth recommend
""".split()
    + ["zo moet het", "goed bezig", "spic en span", "can't wait", "well done", "goed gedaan", "top gedaan"]
    + ["blij mee", "love it", "well organised"]
)
NEGATIVE_EMOJI = set("😡🤬😠😤🙄😒😞😩😫🤮💩👎😭🤦🐢")
POSITIVE_EMOJI = set("😍🥰😊🙂😀😃😄😁❤💚💙👍🙏🎉✨🌷☀🌞👌🔥🙌💪🍻🌸🌇😅🎵")
SARCASM_EMOJI = set("👏🙃😏")
# Praise that opens with a shrug is usually sarcasm: "Top hoor", "Mooi hè", "Heerlijk, ...".
SARCASM = re.compile(
    r"^(top|mooi|fijn|heerlijk|lekker|gezellig|geweldig|fantastisch|prachtig|super|great|love|lovely|"
    r"fantastic|wonderful|brilliant|nice|amazing)\b[^.!?]{0,40}?\b(hoor|he|hoor!|,)|"
    r"\b(hoor|he)\b[.!]|\b(really appreciate|totally normal|definitely legal|going great|great value|"
    r"so relaxing|zo rustgevend|heel conceptueel|truly the)\b"
)
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


@dataclass(frozen=True)
class Reading:
    language: str
    sentiment: str
    topic: str | None
    district: str | None
    needs_answer: bool
    relevant: bool
    # The signals behind it, for the learned layer.
    complaints: int
    praise: int
    sarcasm: bool
    question: bool
    municipal: bool
    elsewhere: bool


@dataclass(frozen=True)
class City:
    municipal: tuple[str, ...]
    elsewhere: tuple[str, ...]
    places: tuple[tuple[str, str], ...]  # (normalised place, district), longest first


@functools.cache
def city() -> City:
    data = yaml.safe_load(Path(settings.MONITORING_CITY_FILE).read_text(encoding="utf-8"))
    places = [
        (_plain(place).strip(), district) for district, names in data["districts"].items() for place in names
    ]
    return City(
        municipal=tuple(normalize(word) for word in data["municipal"]),
        elsewhere=tuple(normalize(word) for word in data["elsewhere"]),
        places=tuple(sorted(places, key=lambda pair: -len(pair[0]))),
    )


@dataclass(frozen=True)
class Topics:
    keywords: tuple[tuple[str, tuple[str, ...]], ...]  # (slug, normalised keywords)


def topics() -> Topics:
    """The inbox's topics and their keywords, read once per process (they change rarely)."""
    return _topics_cached(Topic.objects.count())


@functools.lru_cache(maxsize=2)
def _topics_cached(_count: int) -> Topics:
    """The inbox's keywords of each topic, plus how people say it on social media (data/topics.yaml)."""
    spoken = yaml.safe_load((Path(__file__).parent / "data" / "topics.yaml").read_text(encoding="utf-8"))
    return Topics(
        tuple(
            (
                topic.slug,
                tuple(
                    dict.fromkeys(normalize(k) for k in [*topic.keyword_list, *spoken.get(topic.slug, [])])
                ),
            )
            for topic in Topic.objects.all()
        )
    )


def _plain(text: str) -> str:
    """Normalised words only, space-separated and padded: "Plein '40-'45" -> " plein 40 45 "."""
    return " " + " ".join(re.findall(r"\w+", normalize(text))) + " "


def _starts(words: str, phrase: str) -> bool:
    """`phrase` at the start of a word in `words` (" "-joined normalised words, padded)."""
    return f" {phrase}" in words


def _whole(words: str, phrase: str) -> bool:
    return f" {phrase} " in words


def read(text: str, known_topics: Topics | None = None) -> Reading:
    known_topics = known_topics or topics()
    lowered = normalize(text)
    words = " " + " ".join(WORD.findall(lowered)) + " "
    plain = _plain(text)
    topic = _topic(plain, known_topics)
    municipal = any(_starts(words, word) for word in city().municipal)
    elsewhere = any(_whole(plain, word) for word in city().elsewhere)
    relevant = municipal or (topic is not None and not elsewhere)
    negative = _complaint(plain, text)
    positive = sum(_found(plain, word) for word in POSITIVE) + sum(ch in POSITIVE_EMOJI for ch in text)
    sarcasm = bool(SARCASM.search(lowered)) or (positive > 0 and any(ch in SARCASM_EMOJI for ch in text))
    sentiment = _sentiment(negative, positive, sarcasm)
    question = "?" in text or bool(QUESTION_WORDS.match(lowered.lstrip("@#")))
    needs_answer = relevant and (question or (sentiment == Sentiment.NEGATIVE and topic is not None))
    return Reading(
        language=detect_language(text),
        sentiment=sentiment,
        topic=topic if relevant else None,
        district=_district(plain),
        needs_answer=needs_answer,
        relevant=relevant,
        complaints=negative,
        praise=positive,
        sarcasm=sarcasm,
        question=question,
        municipal=municipal,
        elsewhere=elsewhere,
    )


def _found(plain: str, keyword: str) -> bool:
    """Short words must be whole words ("gas" is not "gast", "park" not "parkeren"); longer ones may
    start a compound ("vuilnis" in "vuilniswagen")."""
    return _whole(plain, keyword) if len(keyword) <= SHORT else _starts(plain, keyword)


def _topic(plain: str, known: Topics) -> str | None:
    best, best_score = None, 0
    for slug, keywords in known.keywords:
        score = sum(len(k) for k in keywords if _found(plain, k))
        if score > best_score:
            best, best_score = slug, score
    return best


def _complaint(plain: str, text: str) -> int:
    count = sum(_found(plain, word) for word in NEGATIVE)
    count += 2 * len(NOT_DONE.findall(plain))
    return count + sum(ch in NEGATIVE_EMOJI for ch in text)


def _sentiment(negative: int, positive: int, sarcasm: bool) -> str:
    if sarcasm:
        return Sentiment.NEGATIVE  # praise around a complaint is sarcasm
    if negative > positive:
        return Sentiment.NEGATIVE
    if positive:
        return Sentiment.POSITIVE
    return Sentiment.NEGATIVE if negative else Sentiment.NEUTRAL


def _district(plain: str) -> str | None:
    for place, district in city().places:
        if _whole(plain, place):
            return district
    return None
