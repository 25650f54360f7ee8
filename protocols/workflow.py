"""A protocol's publication status, written down once. Only published protocols are suggested."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    IN_REVIEW = "in_review", _("in review")
    PUBLISHED = "published", _("published")
    RETIRED = "retired", _("retired")


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.IN_REVIEW, Status.PUBLISHED, Status.RETIRED}),
    Status.IN_REVIEW: frozenset({Status.DRAFT, Status.PUBLISHED, Status.RETIRED}),
    Status.PUBLISHED: frozenset({Status.IN_REVIEW, Status.RETIRED}),
    Status.RETIRED: frozenset({Status.DRAFT, Status.PUBLISHED}),
}


class InvalidTransition(Exception):
    """A status change the workflow does not allow; the message is for the editor."""


def check_transition(current: str, new: str) -> None:
    if new not in TRANSITIONS[current]:
        raise InvalidTransition(
            gettext("A %(current)s protocol cannot become %(new)s.")
            % {"current": Status(current).label, "new": Status(new).label}
        )
