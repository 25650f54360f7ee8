"""E-mail about escalations: a new question for the department, a reminder on the working day before
the deadline, and word when the deadline has passed.

The e-mails carry no resident data and not even the question: only the department, the deadline and
a link into the desk, where the department member logs in. Run by Celery: a task per new question
(queued on commit) and `send_reminders` from the beat schedule, which also sends what the queue
missed (Redis down), so a question is never left unannounced.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from escalations import services
from escalations.models import Escalation, EventKind
from escalations.workflow import Status
from webcare.roles import Role

logger = logging.getLogger(__name__)

# Reminders look this far ahead: the working day before a deadline is never further away.
LOOKAHEAD = timedelta(days=7)


@dataclass(frozen=True)
class ReminderReport:
    announced: int  # new questions announced by the sweep
    reminded: int  # reminders before the deadline
    overdue: int  # deadlines passed


def notify_department(escalation_id: int) -> bool:
    """Tell the department's members about a question waiting for them, once; False if already done."""
    now = timezone.now()
    claimed = Escalation.objects.filter(
        pk=escalation_id, status=Status.OPEN, notified_at__isnull=True
    ).update(notified_at=now)
    if not claimed:
        return False
    escalation = Escalation.objects.select_related("department").get(pk=escalation_id)
    try:
        _send(escalation, "new", _members(escalation) or _account_manager(escalation))
    except (smtplib.SMTPException, OSError):
        logger.exception("announcing escalation %s failed; the next sweep tries again", escalation_id)
        Escalation.objects.filter(pk=escalation_id, notified_at=now).update(notified_at=None)
        return False
    return True


def send_reminders(now: datetime | None = None) -> ReminderReport:
    now = now or timezone.now()
    waiting = Escalation.objects.with_department().select_related("department", "asked_by")
    announced = sum(
        notify_department(pk) for pk in waiting.filter(notified_at__isnull=True).values_list("pk", flat=True)
    )
    reminded = overdue = 0
    soon = waiting.filter(reminded_at__isnull=True, due_at__gt=now, due_at__lte=now + LOOKAHEAD)
    for escalation in soon:
        if services.reminder_due(escalation, now) and services.mark_reminded(
            escalation_id=escalation.pk, kind=EventKind.REMINDED, now=now
        ):
            _send_quietly(escalation, "reminder", _members(escalation) or _account_manager(escalation))
            reminded += 1
    for escalation in waiting.filter(overdue_notified_at__isnull=True, due_at__lte=now):
        if services.mark_reminded(escalation_id=escalation.pk, kind=EventKind.OVERDUE, now=now):
            people = _members(escalation) + _account_manager(escalation) + _asker(escalation)
            _send_quietly(escalation, "overdue", people)
            overdue += 1
    report = ReminderReport(announced=announced, reminded=reminded, overdue=overdue)
    logger.info("escalation reminders: %s", report)
    return report


def _members(escalation: Escalation) -> list:
    return list(
        get_user_model()
        .objects.filter(is_active=True, role=Role.DEPARTMENT, department_id=escalation.department_id)
        .exclude(email="")
        .order_by("pk")
    )


def _account_manager(escalation: Escalation) -> list:
    manager = escalation.department.account_manager
    return [manager] if manager and manager.is_active and manager.email else []


def _asker(escalation: Escalation) -> list:
    agent = escalation.asked_by
    return [agent] if agent and agent.is_active and agent.email else []


SUBJECTS = {
    "new": lambda e: gettext("New question from the webcare desk for %(department)s") % _names(e),
    "reminder": lambda e: gettext("Reminder: the webcare desk needs an answer by %(deadline)s") % _names(e),
    "overdue": lambda e: gettext("Deadline passed: a question for %(department)s is still open") % _names(e),
}


def _names(escalation: Escalation) -> dict:
    return {
        "department": escalation.department.name,
        "deadline": timezone.localtime(escalation.due_at).strftime("%d-%m-%Y %H:%M"),
    }


def _send(escalation: Escalation, kind: str, people: list) -> None:
    for person in {p.pk: p for p in people}.values():
        with translation.override(settings.LANGUAGE_CODE):  # users have no language of their own yet
            is_member = person.role == Role.DEPARTMENT
            path = reverse("department:detail", args=[escalation.pk]) if is_member else "/"
            body = render_to_string(
                f"escalations/email/{kind}.txt",
                {
                    "name": person.get_full_name() or person.username,
                    "department": escalation.department.name,
                    "deadline": timezone.localtime(escalation.due_at),
                    "url": settings.PUBLIC_BASE_URL.rstrip("/") + path,
                },
            )
            subject = SUBJECTS[kind](escalation)
        EmailMessage(subject, body, to=[person.email]).send()


def _send_quietly(escalation: Escalation, kind: str, people: list) -> None:
    """A reminder is recorded before it is sent: a mail server down means one reminder fewer, not a
    reminder every few minutes."""
    try:
        _send(escalation, kind, people)
    except (smtplib.SMTPException, OSError):
        logger.exception("%s e-mail for escalation %s failed", kind, escalation.pk)
