"""The conversation's status flow, written down once."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NEW = "new", _("new")
    OPEN = "open", _("open")
    WAITING = "waiting", _("waiting on resident")
    ESCALATED = "escalated", _("escalated")
    CLOSED = "closed", _("closed")


# Statuses in which the desk still owes the resident an answer.
ANSWERABLE = (Status.NEW, Status.OPEN)


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.WAITING, Status.ESCALATED, Status.CLOSED}),
    Status.OPEN: frozenset({Status.WAITING, Status.ESCALATED, Status.CLOSED}),
    Status.WAITING: frozenset({Status.OPEN, Status.ESCALATED, Status.CLOSED}),
    Status.ESCALATED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


class InvalidTransition(Exception):
    pass


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS[current]:
        raise InvalidTransition(
            gettext("A conversation that is %(current)s cannot become %(new)s.")
            % {"current": Status(current).label, "new": Status(new).label}
        )
