"""The desk's side of escalations: the panel on a conversation, and the lead's overview per department.

The panel is an htmx fragment that the conversation page loads by URL, so that the inbox never
imports escalations. Every change goes through escalations.services; on a refusal the agent's words
are kept in the session and put back in the panel, next to the message that says what was wrong.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalations import services
from escalations.access import get_escalation_for_user, visible_escalations
from escalations.desk_forms import AddInfoForm, EscalateForm, WithdrawForm, resident_messages
from escalations.models import Department, Escalation
from escalations.workflow import ACTIVE, TRANSITIONS, InvalidTransition, Status
from inbox import services as inbox_services
from inbox.access import get_conversation_for_user
from inbox.models import Conversation
from inbox.workflow import InvalidTransition as InvalidConversationTransition
from inbox.workflow import Status as ConversationStatus
from webcare.lib.dates import office_day_hours, office_hours_between, working_days_between
from webcare.roles import INBOX_ROLES, LEAD_ROLES, role_required

REFUSED = (
    services.EscalationError,
    InvalidTransition,
    InvalidConversationTransition,
    inbox_services.InboxError,
)
# The resident's messages offered for sharing: the latest ones are what a department needs.
SHAREABLE_MESSAGES = 20
ANSWERED_WINDOW = timedelta(days=30)
OVERDUE_LIST_SIZE = 100


def _draft_key(conversation_id: int) -> str:
    return f"escalation-draft-{conversation_id}"


def _keep_draft(request: HttpRequest, conversation_id: int, **draft) -> None:
    """What the agent wrote, for the panel to show again after a refusal."""
    request.session[_draft_key(conversation_id)] = draft


def _back_to_conversation(conversation: Conversation) -> HttpResponse:
    return redirect(reverse("inbox:conversation", args=[conversation.pk]) + "#escalation")


def _refused(request: HttpRequest, error: Exception | str) -> None:
    messages.error(request, str(error))


def _form_errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _deadline_context(escalation: Escalation, now: datetime) -> dict:
    if escalation.status != Status.OPEN:
        return {}
    if escalation.is_overdue:
        return {"overdue": True}
    today = timezone.localtime(now).date()
    return {"days_left": working_days_between(today, timezone.localtime(escalation.due_at).date())}


PANEL_TEMPLATE = "escalations/_desk_panel.html"


def panel_context(request: HttpRequest, conversation) -> dict:
    """The department panel on the conversation page (escalations/templatetags): the question to the
    department and its answer, or the form to ask one, with the draft the agent's last try left."""
    draft = request.session.pop(_draft_key(conversation.pk), {})
    now = timezone.now()
    escalations = list(
        visible_escalations(request.user)
        .filter(conversation=conversation)
        .select_related("answered_by")
        .order_by("-created_at", "-id")
    )
    active = next((e for e in escalations if e.status in ACTIVE), None)
    context = {
        "conversation": conversation,
        "active": active,
        "earlier": [e for e in escalations if e is not active],
        "held_by_other": conversation.assigned_to_id not in (None, request.user.pk),
        "closed": conversation.status == ConversationStatus.CLOSED,
        "draft": draft,
        "now": now,
    }
    shareable = list(resident_messages(conversation).order_by("-created_at", "-id")[:SHAREABLE_MESSAGES])
    if active:
        shared = set(active.shared_messages.values_list("pk", flat=True))
        context.update(
            events=active.events.select_related("actor"),
            can_add_info=active.status in (Status.INFO_REQUESTED, Status.ANSWERED),
            can_withdraw=Status.WITHDRAWN in TRANSITIONS[active.status],
            shared_count=len(shared),
            # Messages the department has not seen yet, to send along with the information.
            shareable=[message for message in reversed(shareable) if message.pk not in shared],
            **_deadline_context(active, now),
        )
    else:
        wanted = request.GET.get("department") or draft.get("department")
        suggested = services.suggested_department(conversation)
        departments = list(Department.objects.all())
        selected = next((d for d in departments if d.slug == wanted), suggested)
        checked = set(draft.get("messages", [shareable[0].pk] if shareable else []))
        context.update(
            departments=departments,
            selected=selected,
            suggested=suggested,
            shareable=[(message, message.pk in checked) for message in reversed(shareable)],
        )
    return context


@require_POST
@role_required(INBOX_ROLES)
def escalate(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = get_conversation_for_user(request.user, conversation_id)
    form = EscalateForm(request.POST, conversation=conversation)
    if not form.is_valid():
        _keep_draft(request, conversation.pk, question=request.POST.get("question", ""))
        _refused(request, _form_errors(form))
        return _back_to_conversation(conversation)
    data = form.cleaned_data
    try:
        escalation = services.escalate(
            agent=request.user,
            conversation_id=conversation.pk,
            department_id=data["department"].pk if data["department"] else 0,
            question=data["question"],
            message_ids=[message.pk for message in data["messages"]],
            share_contact=data["share_contact"],
        )
    except REFUSED as error:
        _keep_draft(
            request,
            conversation.pk,
            department=data["department"].slug if data["department"] else "",
            question=data["question"],
            messages=[message.pk for message in data["messages"]],
            share_contact=data["share_contact"],
        )
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Asked %(department)s. They answer by %(deadline)s.")
            % {
                "department": escalation.department.name,
                "deadline": _when(escalation.due_at),
            },
        )
    return _back_to_conversation(conversation)


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@require_POST
@role_required(INBOX_ROLES)
def add_info(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_escalation_for_user(request.user, pk)
    conversation = get_conversation_for_user(request.user, escalation.conversation_id)
    form = AddInfoForm(request.POST, conversation=conversation)
    if not form.is_valid():
        _keep_draft(request, conversation.pk, text=request.POST.get("text", ""))
        _refused(request, _form_errors(form))
        return _back_to_conversation(conversation)
    try:
        escalation = services.add_info(
            agent=request.user,
            escalation_id=escalation.pk,
            text=form.cleaned_data["text"],
            message_ids=[message.pk for message in form.cleaned_data["messages"]],
        )
    except REFUSED as error:
        _keep_draft(request, conversation.pk, text=form.cleaned_data["text"])
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Sent to %(department)s. They answer by %(deadline)s.")
            % {"department": escalation.department.name, "deadline": _when(escalation.due_at)},
        )
    return _back_to_conversation(conversation)


@require_POST
@role_required(INBOX_ROLES)
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    escalation = get_escalation_for_user(request.user, pk)
    conversation = get_conversation_for_user(request.user, escalation.conversation_id)
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.withdraw(agent=request.user, escalation_id=escalation.pk, reason=reason)
    except REFUSED as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("Question to %(department)s withdrawn.") % {"department": escalation.department.name},
        )
    return _back_to_conversation(conversation)


@dataclass(frozen=True)
class DepartmentFigures:
    department: Department
    open: int = 0
    waiting_for_desk: int = 0
    overdue: int = 0
    oldest_overdue: datetime | None = None
    answered_recently: int = 0
    median_hours: float | None = None
    answered: int = 0
    led_to_protocol: int = 0

    @property
    def median_days(self) -> float | None:
        return None if self.median_hours is None else self.median_hours / office_day_hours()

    @property
    def protocol_share(self) -> float | None:
        return None if not self.answered else 100 * self.led_to_protocol / self.answered


def department_figures(now: datetime) -> list[DepartmentFigures]:
    """The lead's figures per department. Turnaround runs from the question to the (last) answer in
    office hours, so it includes any time the desk took to add information the department asked for."""
    since = now - ANSWERED_WINDOW
    counts = {
        row.pop("department_id"): row
        for row in Escalation.objects.figures_per_department(now=now, answered_since=since)
    }
    turnarounds: dict[int, list[float]] = defaultdict(list)
    answered = Escalation.objects.answered_since(since).values_list(
        "department_id", "created_at", "answered_at"
    )
    for department_id, asked, answered_at in answered:
        turnarounds[department_id].append(office_hours_between(asked, answered_at))
    return [
        DepartmentFigures(
            department=department,
            median_hours=median(turnarounds[department.pk]) if turnarounds[department.pk] else None,
            **counts.get(department.pk, {}),
        )
        for department in Department.objects.all()
    ]


@role_required(LEAD_ROLES)
def overview(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    overdue = (
        Escalation.objects.overdue(now)
        .select_related("department", "asked_by", "conversation__contact")
        .in_deadline_order()[:OVERDUE_LIST_SIZE]
    )
    return render(
        request,
        "escalations/desk_overview.html",
        {"figures": department_figures(now), "overdue": overdue, "now": now},
    )
