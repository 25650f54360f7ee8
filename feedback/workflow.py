"""A resident's suggestion, from received to an outcome, written down once.

    received ──▶ forwarded ──▶ under consideration ──▶ planned ──▶ implemented
                                        │                 └──────▶ not adopted
                                        ├──▶ implemented
                                        └──▶ not adopted

An outcome (planned, implemented, not adopted) needs an explanation in plain language, and every
resident who asked to hear back is told it on the channel where they wrote.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    RECEIVED = "received", _("received")
    FORWARDED = "forwarded", _("forwarded to the department")
    UNDER_CONSIDERATION = "under_consideration", _("under consideration")
    PLANNED = "planned", _("planned")
    IMPLEMENTED = "implemented", _("implemented")
    NOT_ADOPTED = "not_adopted", _("not adopted")


OUTCOMES = (Status.PLANNED, Status.IMPLEMENTED, Status.NOT_ADOPTED)
# The department has decided for good: nothing further to follow up.
FINAL = (Status.IMPLEMENTED, Status.NOT_ADOPTED)
# Still waiting for the organisation: what reminders chase.
PENDING = (Status.RECEIVED, Status.FORWARDED, Status.UNDER_CONSIDERATION)

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.FORWARDED}),
    Status.FORWARDED: frozenset({Status.UNDER_CONSIDERATION}),
    Status.UNDER_CONSIDERATION: frozenset({Status.PLANNED, Status.IMPLEMENTED, Status.NOT_ADOPTED}),
    Status.PLANNED: frozenset({Status.IMPLEMENTED, Status.NOT_ADOPTED}),
    Status.IMPLEMENTED: frozenset(),
    Status.NOT_ADOPTED: frozenset(),
}


class InvalidTransition(Exception):
    pass


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS[current]:
        raise InvalidTransition(
            gettext("Not possible now: the status of this suggestion is “%(current)s”.")
            % {"current": Status(current).label}
        )


def next_statuses(current: str) -> list[str]:
    return [status for status in Status.values if status in TRANSITIONS[current]]
