"""An escalation's status flow, written down once: who holds it, and where it may go next.

with the department (open) ──answer──▶ answered ──the agent replies to the resident──▶ closed
     │      ▲                              │
     │      └────── more info added ───────┼── (a follow-up question)
     ▼                                     │
more info requested ───────────────────────┘
(open and more info requested may be withdrawn by the desk)
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    OPEN = "open", _("with the department")
    INFO_REQUESTED = "info_requested", _("more information requested")
    ANSWERED = "answered", _("answer received")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")


# Statuses in which the department owes the desk an answer.
WITH_DEPARTMENT = (Status.OPEN,)
# Statuses in which the escalation is still in play.
ACTIVE = (Status.OPEN, Status.INFO_REQUESTED, Status.ANSWERED)

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.INFO_REQUESTED, Status.ANSWERED, Status.WITHDRAWN}),
    Status.INFO_REQUESTED: frozenset({Status.OPEN, Status.WITHDRAWN}),
    Status.ANSWERED: frozenset({Status.CLOSED, Status.OPEN}),
    Status.CLOSED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}


class InvalidTransition(Exception):
    pass


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS[current]:
        raise InvalidTransition(
            gettext("Not possible now: the status of this question is “%(current)s”.")
            % {"current": Status(current).label}
        )
