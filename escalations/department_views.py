"""The department's screens: its own queue of questions from the desk, and one question to answer.

A department member sees only their own department's escalations, an account manager (read-only)
those of the departments they manage: every view fetches through escalations.access, so anything
else is a 404. Of the conversation the department sees only what the agent shared (data
minimisation): the shared messages without their senders, and the resident's contact details only
when the agent ticked `share_contact`. Nothing here links to the inbox. All changes go through
escalations.services.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalations import services
from escalations.access import get_escalation_for_user, visible_escalations
from escalations.department_forms import AnswerForm, RequestInfoForm
from escalations.models import Escalation, EventKind
from escalations.workflow import InvalidTransition, Status
from inbox.models import Channel
from webcare.lib.dates import is_working_day
from webcare.roles import Role, has_role, role_required

# Members answer; an account manager follows their departments' questions without answering them.
ANSWERERS = frozenset({Role.DEPARTMENT})
READERS = ANSWERERS | frozenset({Role.ACCOUNT_MANAGER})

RECENT_DAYS = 30
RECENT_SIZE = 100
FIRST_LINE_LENGTH = 140

# What the history shows: the words exchanged and how the question ended, not the reminder mails.
THREAD_KINDS = (
    EventKind.ASKED,
    EventKind.INFO_REQUESTED,
    EventKind.INFO_ADDED,
    EventKind.FOLLOW_UP,
    EventKind.ANSWERED,
    EventKind.WITHDRAWN,
    EventKind.CLOSED,
)
FROM_DEPARTMENT = frozenset({EventKind.INFO_REQUESTED, EventKind.ANSWERED})
ASKED_THE_DESK = Q(events__kind=EventKind.INFO_REQUESTED)


# --- Presentation ---------------------------------------------------------------------------------


def working_days_left(due_at: datetime, now: datetime) -> int:
    """Whole working days after today up to the deadline's day: 0 when it is due today."""
    day, due, days = timezone.localdate(now), timezone.localdate(due_at), 0
    while day < due:
        day += timedelta(days=1)
        days += is_working_day(day)
    return days


def first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return Truncator(lines[0] if lines else "").chars(FIRST_LINE_LENGTH)


@dataclass(frozen=True)
class Row:
    escalation: Escalation
    summary: str
    overdue: bool
    days_left: int | None  # None once the deadline has passed, or when the department owes nothing


def _rows(escalations, now: datetime) -> list[Row]:
    rows = []
    for escalation in escalations:
        overdue = escalation.status == Status.OPEN and escalation.due_at < now
        days_left = working_days_left(escalation.due_at, now) if escalation.status == Status.OPEN else None
        rows.append(Row(escalation, first_line(escalation.question), overdue, None if overdue else days_left))
    return rows


@dataclass(frozen=True)
class SharedContact:
    """The resident as the department may see them: only when the agent shared their details."""

    name: str
    channel: str
    handle: str
    phone: str


def _shared_contact(escalation: Escalation) -> SharedContact | None:
    if not escalation.share_contact:
        return None
    conversation = escalation.conversation
    identity, contact = conversation.identity, conversation.contact
    phone = identity.external_id.removeprefix("whatsapp:") if identity.channel == Channel.WHATSAPP else ""
    return SharedContact(
        name=contact.name,
        channel=identity.get_channel_display(),
        handle=identity.handle if identity.handle != contact.name else "",
        phone=phone,
    )


# --- Reading --------------------------------------------------------------------------------------


@role_required(READERS)
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    escalations = visible_escalations(request.user)
    waiting = (
        escalations.filter(status=Status.INFO_REQUESTED)
        .annotate(info_requested_at=Max("events__created_at", filter=ASKED_THE_DESK))
        .order_by("info_requested_at", "id")
    )
    answered = (
        escalations.filter(
            status__in=(Status.ANSWERED, Status.CLOSED), answered_at__gte=now - timedelta(days=RECENT_DAYS)
        )
        .select_related("answered_by")
        .order_by("-answered_at", "-id")
    )
    open_rows = _rows(escalations.filter(status=Status.OPEN).in_deadline_order(), now)
    context = {
        "open_rows": open_rows,
        "overdue_count": sum(row.overdue for row in open_rows),
        "waiting_rows": _rows(waiting, now),
        "answered_rows": _rows(answered[:RECENT_SIZE], now),
        "recent_days": RECENT_DAYS,
        "department": request.user.department if has_role(request.user, ANSWERERS) else None,
        # An account manager may follow several departments: each row then says whose it is.
        "show_department": not has_role(request.user, ANSWERERS),
    }
    return render(request, "escalations/department/queue.html", context)


def _detail_page(
    request: HttpRequest,
    escalation: Escalation,
    *,
    answer_form: forms.Form | None = None,
    info_form: forms.Form | None = None,
    error: str = "",
) -> HttpResponse:
    now = timezone.now()
    can_answer = has_role(request.user, ANSWERERS) and escalation.status == Status.OPEN
    posted = answer_form is not None or info_form is not None
    events = escalation.events.filter(kind__in=THREAD_KINDS).select_related("actor")
    context = {
        "escalation": escalation,
        "row": _rows([escalation], now)[0],
        "shared_messages": escalation.shared_messages.order_by("created_at", "id"),
        "contact": _shared_contact(escalation),
        "thread": [(event, event.kind in FROM_DEPARTMENT) for event in events],
        "can_answer": can_answer,
        # After a refused post the forms stay, with the text as typed, even if the status moved on.
        "show_forms": can_answer or (posted and has_role(request.user, ANSWERERS)),
        "answer_form": answer_form or AnswerForm(),
        "info_form": info_form or RequestInfoForm(),
        "error": error,
    }
    return render(request, "escalations/department/detail.html", context, status=400 if posted else 200)


@role_required(READERS)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_escalation_for_user(request.user, pk))


# --- Replying to the desk -------------------------------------------------------------------------


def _reply(request: HttpRequest, pk: int, form_class: type[forms.Form], service, done: str) -> HttpResponse:
    """Parse, fetch for the user, one service call; on refusal the page again with the text kept."""
    escalation = get_escalation_for_user(request.user, pk)
    form = form_class(request.POST)
    error = ""
    if form.is_valid():
        try:
            service(member=request.user, escalation_id=escalation.pk, text=form.cleaned_data["text"])
        except services.EscalationError as refusal:
            form.add_error("text", str(refusal))
        except InvalidTransition as refusal:  # a colleague answered or asked first
            error = str(refusal)
            escalation = get_escalation_for_user(request.user, pk)
        except Escalation.DoesNotExist:
            raise Http404 from None
        else:
            messages.success(request, done % {"number": escalation.pk})
            return redirect("department:queue")
    key = "answer_form" if form_class is AnswerForm else "info_form"
    return _detail_page(request, escalation, error=error, **{key: form})


@require_POST
@role_required(ANSWERERS)
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _reply(
        request, pk, AnswerForm, services.answer, _("Question %(number)d answered; the desk has your answer.")
    )


@require_POST
@role_required(ANSWERERS)
def request_info(request: HttpRequest, pk: int) -> HttpResponse:
    return _reply(
        request,
        pk,
        RequestInfoForm,
        services.request_info,
        _("Question %(number)d went back to the desk with what you need to know."),
    )
