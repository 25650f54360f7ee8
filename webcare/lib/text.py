"""Text helpers shared by the apps: normalisation for matching, simple language detection."""

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


def detect_language(text: str) -> str:
    """'nl' or 'en' by counting function words; Dutch unless the text is clearly English."""
    tokens = words(text)
    dutch = sum(token in _DUTCH for token in tokens)
    english = sum(token in _ENGLISH for token in tokens)
    return "en" if english > dutch else "nl"
