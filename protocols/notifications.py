"""Telling editors and departments which protocols are past their review date, once per stale period.

Run daily by Celery beat (protocols.tasks.notify_stale_protocols). Each recipient gets one digest:
editors every stale protocol, a department's members only their own department's.
"""

import logging
import smtplib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from protocols.models import Protocol
from webcare.roles import EDITOR_ROLES, PROPOSER_ROLES

logger = logging.getLogger(__name__)

DIGEST_TEMPLATE = "protocols/email/stale_digest.txt"


@dataclass(frozen=True)
class StaleItem:
    """One line of a digest."""

    title: str
    key: str
    department: str
    review_by: date
    url: str


@dataclass(frozen=True)
class StaleReport:
    protocols: int  # stale and not yet notified in this stale period
    sent: int  # digests sent
    failed: int  # digests the mail server refused
    notified: int  # protocols now marked as notified

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def notify_stale_protocols(*, today: date | None = None) -> StaleReport:
    """Send one digest of newly stale protocols to every editor and department member with an e-mail.

    A protocol is marked notified (`stale_notified_on = today`) once every digest that lists it was
    sent. One whose digest failed, or that nobody could be told about, stays unmarked and is in the
    next run's digests again: a reminder sent twice is better than one never sent. Moving the review
    date on starts a new stale period (Protocol.objects.stale_unnotified()). Sending takes no lock,
    so editors can keep saving while the mail server is slow.
    """
    today = today or timezone.localdate()
    due = list(Protocol.objects.stale_unnotified(today).with_current().order_by("current__review_by", "key"))
    items = {protocol.pk: _item(protocol) for protocol in due}
    sent = failed = 0
    sent_ids: set[int] = set()
    failed_ids: set[int] = set()
    for user, protocols, for_editor in _digests(due):
        ids = {protocol.pk for protocol in protocols}
        try:
            _send(user, [items[pk] for pk in items if pk in ids], for_editor=for_editor)
        except (smtplib.SMTPException, OSError):
            logger.exception("stale-protocol digest to user %s failed; retried in the next run", user.pk)
            failed += 1
            failed_ids |= ids
        else:
            sent += 1
            sent_ids |= ids
    notified = sent_ids - failed_ids
    Protocol.objects.filter(pk__in=notified).update(stale_notified_on=today)
    report = StaleReport(protocols=len(due), sent=sent, failed=failed, notified=len(notified))
    logger.info(
        "stale protocols: %d to notify, %d digests sent, %d failed, %d protocols marked notified",
        report.protocols,
        report.sent,
        report.failed,
        report.notified,
    )
    return report


def _digests(due: list[Protocol]) -> Iterator[tuple]:
    """(user, their protocols, whether they are an editor) for everyone to tell, each user once."""
    if not due:
        return
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    editors = list(users.filter(role__in=EDITOR_ROLES).order_by("pk"))
    for editor in editors:
        yield editor, due, True
    by_department: dict[int, list[Protocol]] = {}
    for protocol in due:
        by_department.setdefault(protocol.department_id, []).append(protocol)
    # Department members are users with the department role (as in protocols.access): they are
    # the ones who can open their department's protocols, also those not published.
    members = users.filter(role__in=PROPOSER_ROLES, department_id__in=list(by_department)).order_by("pk")
    for member in members.exclude(pk__in=[editor.pk for editor in editors]):
        yield member, by_department[member.department_id], False


def _item(protocol: Protocol) -> StaleItem:
    return StaleItem(
        title=protocol.current.title,
        key=protocol.key,
        department=protocol.department.name,
        review_by=protocol.current.review_by,
        url=_absolute(reverse("protocols:detail", args=[protocol.key])),
    )


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _language_of(user) -> str:
    # Users have no language preference yet: every digest is in the desk's language (Dutch).
    return settings.LANGUAGE_CODE


def _send(user, items: list[StaleItem], *, for_editor: bool) -> None:
    with translation.override(_language_of(user)):
        subject = ngettext(
            "%(count)d protocol is past its review date",
            "%(count)d protocols are past their review date",
            len(items),
        ) % {"count": len(items)}
        body = render_to_string(
            DIGEST_TEMPLATE,
            {
                "name": user.get_full_name() or user.username,
                "items": items,
                "for_editor": for_editor,
                "department": "" if for_editor else items[0].department,
                "list_url": _absolute(reverse("protocols:list")) + "?stale=on",
            },
        )
    EmailMessage(subject, body, to=[user.email]).send()
