"""Text helpers shared by the apps: normalisation for matching, language detection."""

import functools
import re
import unicodedata

_WORD = re.compile(r"[a-z0-9]+")


def normalize(text: str) -> str:
    """Lower-case, accents stripped, so that 'Café' and 'cafe' match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def contains_phrase(normalized_text: str, phrase: str) -> bool:
    """Whether `phrase` occurs at a word start in `normalized_text` ('lantaarn' matches 'lantaarnpaal')."""
    return re.search(r"\b" + re.escape(normalize(phrase)), normalized_text) is not None


_DUTCH = frozenset(
    "de het een en is ik je jij u uw wij we niet wel van voor met op aan bij dat die dit er naar "
    "wat waar wanneer hoe waarom kan kunt mijn mag moet graag hallo hoi goedemorgen dank bedankt "
    "nog ook al geen zijn was heb heeft hebben straat gemeente".split()
)
_ENGLISH = frozenset(
    "the a an and is i you your we not of for with on at to that this there what where when how "
    "why can could my may must please hello hi thanks thank no also have has been was street "
    "city council do does".split()
)


# The languages residents of a Dutch city write in, besides Dutch and English.
RESIDENT_LANGUAGES = ("nl", "en", "de", "fr", "es", "it", "pt", "pl", "ro", "bg", "tr", "ar", "uk", "ru")
# Below this probability the language model is guessing (short, informal texts): count function words.
CONFIDENT = 0.9


@functools.cache
def _identifier():
    """py3langid's naive Bayes model over byte n-grams, restricted to RESIDENT_LANGUAGES (~50 MB).

    Made anew from the restricted weights: the identifier `set_languages` restricts keeps the weights
    of all 97 languages as well, 24 MB more in every process that reads a resident's language."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    every = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    every.set_languages(RESIDENT_LANGUAGES)
    return LanguageIdentifier(
        every.nb_ptc,
        every.nb_pc,
        every.nb_classes,
        every.tk_nextmove,
        every.tk_output,
        norm_probs=True,
        tk_row=every.tk_row,
    )


def detect_language(text: str) -> str:
    """The language of a resident's text as an ISO 639-1 code; Dutch unless there is reason to doubt it.

    The model decides when it is sure; for what it is unsure about ("ok thx", "hoi", "is city hall
    open on King's Day?") function words tell Dutch from English.
    """
    language, probability = _identifier().classify(text)
    if probability >= CONFIDENT:
        return language
    tokens = words(text)
    dutch = sum(token in _DUTCH for token in tokens)
    english = sum(token in _ENGLISH for token in tokens)
    return "en" if english > dutch else "nl"
