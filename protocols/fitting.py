"""A protocol's answer made fit for the thread it goes to: short enough, and private matters kept private.

Public replies (a comment, a post on X) are read by everyone: they are kept within the channel's
limit by whole sentences with the self-service link at the end, and an answer about a resident's own
affairs (anything outside the public space) invites them to continue in a private message.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from inbox.models import reply_limit

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
ELLIPSIS = "…"


@dataclass(frozen=True)
class FittedAnswer:
    text: str
    shortened: bool
    limit: int


def fit_answer(
    text: str, *, channel: str, public: bool, public_space: bool, links: list[str], language: str
) -> FittedAnswer:
    limit = reply_limit(channel, public)
    ending = ""
    if public and not public_space:
        # The desk's own words exist in its interface languages; other readers get English.
        with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
            ending = _(
                "Is this about your own situation? Send us a private message and we will help you there."
            )
    if len(text) + len(ending) + 1 <= limit:
        return FittedAnswer(f"{text} {ending}".strip() if ending else text, shortened=False, limit=limit)
    return FittedAnswer(_shorten(text, limit, ending, links), shortened=True, limit=limit)


def _shorten(text: str, limit: int, ending: str, links: list[str]) -> str:
    """Whole sentences from the start, then the first self-service link and the ending, within `limit`."""
    link = next((link for link in links if link), "")
    tail = " ".join(part for part in (link, ending) if part)
    room = limit - len(tail) - 1 if tail else limit
    kept = ""
    for sentence in SENTENCE_END.split(text.strip()):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > room:
            break
        kept = candidate
    if not kept:  # not even the first sentence fits: cut it at a word
        kept = text[: max(0, room - len(ELLIPSIS))].rsplit(" ", 1)[0].rstrip(" ,;:") + ELLIPSIS
    if link and link in kept:
        tail = ending
    result = " ".join(part for part in (kept, tail) if part)
    return result if len(result) <= limit else result[: limit - len(ELLIPSIS)] + ELLIPSIS
