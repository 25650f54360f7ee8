"""A small text classifier learned from labelled posts: logistic regression on words, word pairs,
pieces of words (Dutch compounds, typos) and the word lists' own signals.

scikit-learn fits it; predicting is a sum of the weights of the features a post has, which keeps the
enrichment at thousands of posts a second without a model server.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from monitoring.lexicon import Reading
from webcare.lib.text import normalize

TOKEN = re.compile(r"\w+|[^\w\s]")
WORD_PIECE_SIZES = (3, 4, 5)
WORD_PIECE_WEIGHT = 0.2  # many pieces per word: each counts for less than a whole word
# Fitted on a few hundred posts: a weak penalty, the examples are few but clean (5-fold CV on dev).
STRENGTH = 10.0


def features(text: str, reading: Reading) -> dict[str, float]:
    tokens = TOKEN.findall(normalize(text))
    found: dict[str, float] = {f"w:{token}": 1.0 for token in tokens}
    found.update({f"p:{a} {b}": 1.0 for a, b in zip(tokens, tokens[1:], strict=False)})
    for word in re.findall(r"\w+", normalize(text)):
        padded = f"<{word}>"
        for size in WORD_PIECE_SIZES:
            for start in range(len(padded) - size + 1):
                piece = f"c:{padded[start : start + size]}"
                found[piece] = found.get(piece, 0.0) + WORD_PIECE_WEIGHT
    found.update(
        {
            "lex:complaints": min(reading.complaints, 3),
            "lex:praise": min(reading.praise, 3),
            "lex:sarcasm": float(reading.sarcasm),
            "lex:question": float(reading.question),
            "lex:exclamation": float("!" in text),
            "lex:municipal": float(reading.municipal),
            "lex:elsewhere": float(reading.elsewhere),
            "lex:relevant": float(reading.relevant),
            "lex:needs_answer": float(reading.needs_answer),
            f"lex:sentiment={reading.sentiment}": 1.0,
            f"lex:topic={reading.topic}": 1.0,
        }
    )
    return found


@dataclass(frozen=True)
class Classifier:
    labels: tuple[str, ...]
    intercept: np.ndarray  # one per label
    index: dict[str, int]  # feature -> its row in `weights`
    weights: np.ndarray  # a row per feature, a column per label

    def scores(self, found: dict[str, float]) -> np.ndarray:
        rows, values = [], []
        for name, value in found.items():
            row = self.index.get(name)
            if row is not None:
                rows.append(row)
                values.append(value)
        return self.intercept + np.asarray(values) @ self.weights[rows] if rows else self.intercept.copy()

    def predict(self, found: dict[str, float]) -> str:
        return self.labels[int(self.scores(found).argmax())]


def fit(examples: Sequence[dict[str, float]], labels: Sequence[str]) -> Classifier:
    vectorizer = DictVectorizer()
    model = LogisticRegression(C=STRENGTH, max_iter=3000).fit(vectorizer.fit_transform(examples), labels)
    coefficients, intercept = model.coef_, model.intercept_
    if len(model.classes_) == 2:  # one column for "the second label": the first one scores zero
        coefficients = np.vstack([np.zeros_like(coefficients), coefficients])
        intercept = np.array([0.0, intercept[0]])
    used = [
        (name, column) for name, column in vectorizer.vocabulary_.items() if np.any(coefficients[:, column])
    ]
    return Classifier(
        labels=tuple(str(label) for label in model.classes_),
        intercept=np.asarray(intercept, dtype=np.float64),
        index={name: row for row, (name, _column) in enumerate(used)},
        weights=np.ascontiguousarray(coefficients[:, [column for _name, column in used]].T, dtype=np.float64),
    )
