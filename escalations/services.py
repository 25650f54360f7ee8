"""Everything that changes escalations. Each function is one transaction; callers check roles first.

The department answers the desk, never the resident: every step that concerns the conversation goes
through `inbox.services` (hand_to_department, back_from_department, end_department_work).
"""

from datetime import datetime, time

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from escalations.models import Department, Escalation, EscalationEvent, EventKind
from escalations.workflow import Status, check_transition
from inbox import services as inbox
from inbox.models import Conversation, DepartmentUpdate, Message
from webcare.lib.dates import add_working_days
from webcare.lib.tasks import enqueue_on_commit

NOTIFY_TASK = "escalations.notify_department"
QUESTION_LENGTH = 5000


class EscalationError(Exception):
    """A request the escalations refuse; the message is for the person who asked."""


def deadline(start: datetime, working_days: int) -> datetime:
    """Closing time on the `working_days`-th working day after `start`: weekends and Dutch public
    holidays (Christmas, King's Day, ...) do not count."""
    tz = timezone.get_current_timezone()
    day = add_working_days(timezone.localtime(start, tz).date(), working_days)
    closes = time.fromisoformat(settings.OFFICE_HOURS_END)
    return datetime.combine(day, closes, tzinfo=tz)


def suggested_department(conversation: Conversation) -> Department | None:
    """The department that usually answers questions on the conversation's topic."""
    if conversation.topic_id is None:
        return None
    return Department.objects.filter(topics=conversation.topic_id).order_by("name").first()


def _locked(escalation_id: int) -> Escalation:
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("department", "conversation")
        .get(pk=escalation_id)
    )


def _move(escalation: Escalation, status: str, kind: str, *, actor=None, text: str = "") -> None:
    check_transition(escalation.status, status)
    EscalationEvent.objects.create(
        escalation=escalation,
        kind=kind,
        actor=actor,
        from_status=escalation.status,
        to_status=status,
        text=text,
    )
    escalation.status = status


def _words(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise EscalationError(_("Write %(what)s first.") % {"what": what})
    if len(text) > QUESTION_LENGTH:
        raise EscalationError(_("At most %(limit)d characters, please.") % {"limit": QUESTION_LENGTH})
    return text


def _check_department_member(escalation: Escalation, member) -> None:
    """A department answers its own escalations only (the views already show others as 404)."""
    if member.department_id != escalation.department_id:
        raise Escalation.DoesNotExist


@transaction.atomic
def escalate(
    *,
    agent,
    conversation_id: int,
    department_id: int,
    question: str,
    message_ids: list[int] | tuple[int, ...] = (),
    share_contact: bool = False,
) -> Escalation:
    """Ask a department about a conversation; it leaves the queue until the department answers."""
    question = _words(question, _("the question for the department"))
    department = Department.objects.filter(pk=department_id).first()
    if department is None:
        raise EscalationError(_("Choose a department."))
    if Escalation.objects.filter(
        conversation_id=conversation_id, status__in=(Status.OPEN, Status.INFO_REQUESTED)
    ).exists():
        raise EscalationError(_("A department is already working on this conversation."))
    now = timezone.now()
    due_at = deadline(now, department.service_level_days)
    inbox.hand_to_department(
        actor=agent, conversation_id=conversation_id, due_at=due_at, detail=department.name
    )
    escalation = Escalation.objects.create(
        conversation_id=conversation_id,
        department=department,
        question=question,
        share_contact=share_contact,
        asked_by=agent,
        created_at=now,
        due_at=due_at,
    )
    shared = Message.objects.filter(conversation_id=conversation_id, pk__in=list(message_ids))
    escalation.shared_messages.set(shared)
    EscalationEvent.objects.create(
        escalation=escalation, kind=EventKind.ASKED, actor=agent, to_status=Status.OPEN, text=question
    )
    enqueue_on_commit(NOTIFY_TASK, escalation.pk)
    return escalation


@transaction.atomic
def answer(*, member, escalation_id: int, text: str) -> Escalation:
    """The department's answer, for the agent to adapt and send; the conversation returns to them."""
    text = _words(text, _("the answer"))
    escalation = _locked(escalation_id)
    _check_department_member(escalation, member)
    _move(escalation, Status.ANSWERED, EventKind.ANSWERED, actor=member, text=text)
    escalation.answer = text
    escalation.answered_by = member
    escalation.answered_at = timezone.now()
    escalation.save()
    inbox.back_from_department(
        conversation_id=escalation.conversation_id,
        update=DepartmentUpdate.ANSWERED,
        detail=escalation.department.name,
    )
    return escalation


@transaction.atomic
def request_info(*, member, escalation_id: int, text: str) -> Escalation:
    """The department needs more to answer: the question goes back to the agent with what is missing."""
    text = _words(text, _("what the department needs to know"))
    escalation = _locked(escalation_id)
    _check_department_member(escalation, member)
    _move(escalation, Status.INFO_REQUESTED, EventKind.INFO_REQUESTED, actor=member, text=text)
    escalation.save()
    inbox.back_from_department(
        conversation_id=escalation.conversation_id,
        update=DepartmentUpdate.INFO_REQUESTED,
        detail=escalation.department.name,
    )
    return escalation


@transaction.atomic
def add_info(
    *, agent, escalation_id: int, text: str, message_ids: list[int] | tuple[int, ...] = ()
) -> Escalation:
    """The agent's answer to the department's request, or a follow-up question after an answer.

    Either way the department has it again, with a fresh deadline of its full service level.
    """
    text = _words(text, _("the information for the department"))
    escalation = _locked(escalation_id)
    kind = EventKind.FOLLOW_UP if escalation.status == Status.ANSWERED else EventKind.INFO_ADDED
    _move(escalation, Status.OPEN, kind, actor=agent, text=text)
    now = timezone.now()
    escalation.due_at = deadline(now, escalation.department.service_level_days)
    escalation.reminded_at = escalation.overdue_notified_at = escalation.notified_at = None
    escalation.save()
    if message_ids:
        shared = Message.objects.filter(conversation_id=escalation.conversation_id, pk__in=list(message_ids))
        escalation.shared_messages.add(*shared)
    inbox.hand_to_department(
        actor=agent,
        conversation_id=escalation.conversation_id,
        due_at=escalation.due_at,
        detail=escalation.department.name,
    )
    enqueue_on_commit(NOTIFY_TASK, escalation.pk)
    return escalation


@transaction.atomic
def withdraw(*, agent, escalation_id: int, reason: str = "") -> Escalation:
    """The desk no longer needs the department (the resident answered it themselves, ...)."""
    escalation = _locked(escalation_id)
    _move(escalation, Status.WITHDRAWN, EventKind.WITHDRAWN, actor=agent, text=reason.strip())
    escalation.closed_at = timezone.now()
    escalation.save()
    inbox.end_department_work(
        actor=agent, conversation_id=escalation.conversation_id, detail=escalation.department.name
    )
    return escalation


@transaction.atomic
def close_answered(*, conversation_id: int, agent) -> int:
    """The agent replied to the resident after the department's answer: those escalations are done."""
    closed = 0
    answered = Escalation.objects.select_for_update().filter(
        conversation_id=conversation_id, status=Status.ANSWERED
    )
    for escalation in answered:
        _move(escalation, Status.CLOSED, EventKind.CLOSED, actor=agent)
        escalation.closed_at = timezone.now()
        escalation.save()
        closed += 1
    return closed


def reminder_due(escalation: Escalation, now: datetime) -> bool:
    """Remind on the working day before the deadline (or on the day itself, if that is the first)."""
    today = timezone.localtime(now).date()
    last_day = timezone.localtime(escalation.due_at).date()
    return escalation.due_at > now and (last_day <= today or add_working_days(today, 1) >= last_day)


@transaction.atomic
def mark_reminded(*, escalation_id: int, kind: str, now: datetime) -> bool:
    """Record a reminder (REMINDED before the deadline, OVERDUE after) once; False if already done."""
    escalation = _locked(escalation_id)
    field = "reminded_at" if kind == EventKind.REMINDED else "overdue_notified_at"
    if getattr(escalation, field) is not None or escalation.status != Status.OPEN:
        return False
    setattr(escalation, field, now)
    escalation.save(update_fields=[field])
    EscalationEvent.objects.create(escalation=escalation, kind=kind)
    return True
