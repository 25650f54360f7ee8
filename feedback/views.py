"""The feedback loop on screen: the panel on a conversation, the list, one suggestion, the overview.

The panel is an htmx fragment that the conversation page loads by URL, so that the inbox never
imports feedback. Every change goes through feedback.services; on a refusal in the panel the agent's
words are kept in the session and put back, next to the message that says what was wrong (as the
escalation panel does). Suggestions are fetched through feedback.access only: an account manager
sees the departments they manage, and nothing about residents.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalations.models import Department
from escalations.services import suggested_department
from feedback import metrics, services
from feedback.access import (
    ACCOUNT_MANAGERS,
    DECIDERS,
    READERS,
    get_suggestion_for_user,
    may_decide,
    visible_suggestions,
)
from feedback.forms import SAME_AS_CHOICES, FilterForm, LinkForm, RecordForm, StatusForm
from feedback.models import Kind, NoticeState, ResidentNotice, Suggestion, SuggestionReport
from feedback.notifications import status_page_url
from feedback.workflow import OUTCOMES, InvalidTransition, Status
from inbox.access import get_conversation_for_user
from inbox.models import Contact, Conversation
from webcare.roles import INBOX_ROLES, LEAD_ROLES, has_role, role_required

LIST_SIZE = 50
REFUSED = (services.FeedbackError, InvalidTransition)


# --- The panel on a conversation --------------------------------------------------------------------


def _draft_key(conversation_id: int) -> str:
    return f"feedback-draft-{conversation_id}"


def _keep_draft(request: HttpRequest, conversation_id: int, form, *, which: str, refusal: str = "") -> None:
    """What the agent entered, and what was wrong with it, for the panel to show again."""
    request.session[_draft_key(conversation_id)] = {
        "refusal": refusal,
        "form": which,
        "summary": request.POST.get("summary", ""),
        "kind": request.POST.get("kind", ""),
        "department": request.POST.get("department", ""),
        "same_as": request.POST.get("same_as", ""),
        "notify": bool(request.POST.get("notify")),
        "errors": {name: " ".join(errors) for name, errors in form.errors.items()} if form else {},
    }


def _back_to_conversation(conversation: Conversation) -> HttpResponse:
    return redirect(reverse("inbox:conversation", args=[conversation.pk]) + "#feedback")


def _same_as_choices(user, conversation: Conversation, followed: list[int]) -> list[Suggestion]:
    """Open suggestions this resident may be making too: the conversation's topic, newest first.
    Without a topic, the newest open suggestions of any topic."""
    pending = visible_suggestions(user).pending().exclude(pk__in=followed)
    if conversation.topic_id is not None:
        pending = pending.filter(topic_id=conversation.topic_id)
    return list(pending.order_by("-created_at", "-id")[:SAME_AS_CHOICES])


@dataclass
class Followed:
    """A suggestion this conversation follows, and what its resident was told about it."""

    suggestion: Suggestion
    report: SuggestionReport
    status_page: str
    notices: list[ResidentNotice] = field(default_factory=list)


def _followed(user, conversation: Conversation) -> list[Followed]:
    reports = (
        SuggestionReport.objects.filter(conversation=conversation, suggestion__in=visible_suggestions(user))
        .select_related("suggestion__department")
        .order_by("-created_at", "-id")
    )
    followed = {
        report.suggestion_id: Followed(report.suggestion, report, status_page_url(report.suggestion))
        for report in reports
    }
    # The resident is told once, on whichever of their conversations they used last: show it here too.
    notices = ResidentNotice.objects.filter(
        report__suggestion_id__in=followed, report__conversation__contact_id=conversation.contact_id
    ).select_related("report")
    for notice in notices:
        followed[notice.report.suggestion_id].notices.append(notice)
    return list(followed.values())


PANEL_TEMPLATE = "feedback/_panel.html"


def panel_context(request: HttpRequest, conversation: Conversation) -> dict:
    """The suggestions and complaints panel on the conversation page (feedback/templatetags): what
    this resident follows, and the forms to record or link one, with the agent's last try."""
    draft = request.session.pop(_draft_key(conversation.pk), {})
    followed = _followed(request.user, conversation)
    suggested = suggested_department(conversation)
    departments = list(Department.objects.all())
    record_draft = draft if draft.get("form") == "record" else {}
    link_draft = draft if draft.get("form") == "link" else {}
    if record_draft:  # what the agent chose, even nothing, over the suggestion
        selected = next((d for d in departments if d.slug == record_draft["department"]), None)
    else:
        selected = suggested
    return {
        "conversation": conversation,
        "followed": followed,
        "departments": departments,
        "selected": selected,
        "suggested": suggested,
        "kinds": Kind.choices,
        "kind": record_draft.get("kind") or Kind.SUGGESTION,
        "summary": record_draft.get("summary", ""),
        "notify": record_draft.get("notify", True),
        "record_errors": record_draft.get("errors", {}),
        "same_as_choices": _same_as_choices(request.user, conversation, [f.suggestion.pk for f in followed]),
        "same_as": link_draft.get("same_as", ""),
        "link_notify": link_draft.get("notify", True),
        "link_errors": link_draft.get("errors", {}),
        "record_refusal": record_draft.get("refusal", ""),
        "link_refusal": link_draft.get("refusal", ""),
    }


@require_POST
@role_required(INBOX_ROLES)
def record(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """A new suggestion from this conversation, or (with `same_as`) this resident follows one."""
    conversation = get_conversation_for_user(request.user, conversation_id)
    if "same_as" in request.POST:
        return _link(request, conversation)
    form = RecordForm(request.POST)
    if not form.is_valid():
        _keep_draft(request, conversation.pk, form, which="record")
        messages.error(request, _("The suggestion was not recorded: see the form below."))
        return _back_to_conversation(conversation)
    data = form.cleaned_data
    try:
        suggestion = services.record(
            agent=request.user,
            conversation_id=conversation.pk,
            summary=data["summary"],
            department_id=data["department"].pk,
            notify=data["notify"],
            kind=data["kind"],
        )
    except REFUSED as error:
        _keep_draft(request, conversation.pk, None, which="record", refusal=str(error))
        messages.error(request, str(error))
        return _back_to_conversation(conversation)
    if data["notify"]:
        text = _("Recorded for %(department)s. The resident gets the link to follow it.")
    else:
        text = _("Recorded for %(department)s. The resident will not be told about it.")
    messages.success(request, text % {"department": suggestion.department.name})
    return _back_to_conversation(conversation)


def _link(request: HttpRequest, conversation: Conversation) -> HttpResponse:
    form = LinkForm(request.POST)
    form.fields["same_as"].queryset = visible_suggestions(request.user).pending()
    if not form.is_valid():
        _keep_draft(request, conversation.pk, form, which="link")
        messages.error(request, _("The resident was not added: see the form below."))
        return _back_to_conversation(conversation)
    suggestion = form.cleaned_data["same_as"]
    try:
        services.link(
            agent=request.user,
            suggestion_id=suggestion.pk,
            conversation_id=conversation.pk,
            notify=form.cleaned_data["notify"],
        )
    except REFUSED as error:
        _keep_draft(request, conversation.pk, None, which="link", refusal=str(error))
        messages.error(request, str(error))
        return _back_to_conversation(conversation)
    messages.success(
        request,
        _("This resident now follows “%(summary)s” too.") % {"summary": suggestion.summary},
    )
    return _back_to_conversation(conversation)


# --- The list and one suggestion ---------------------------------------------------------------------


def _departments_for(user):
    """The departments whose suggestions `user` sees, for the filter."""
    if has_role(user, INBOX_ROLES):
        return Department.objects.all()
    return Department.objects.filter(account_manager=user)


@role_required(READERS)
def suggestion_list(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET, departments=_departments_for(request.user))
    suggestions = visible_suggestions(request.user)
    suggestions = form.apply(suggestions) if form.is_valid() else suggestions.none()
    suggestions = suggestions.annotate(
        residents=Count("reports__conversation__contact", distinct=True),
        unreachable=Count(
            "reports__conversation__contact",
            filter=Q(reports__notices__state=NoticeState.UNREACHABLE),
            distinct=True,
        ),
    ).order_by("-created_at", "-id")
    page = Paginator(suggestions, LIST_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "feedback/list.html",
        {
            "form": form,
            "page": page,
            "can_see_overview": has_role(request.user, LEAD_ROLES | ACCOUNT_MANAGERS),
        },
    )


@dataclass
class Resident:
    """One resident (contact) following a suggestion. For account managers only `number`,
    `wants_to_hear_back` and the notices without their conversation: no resident data."""

    number: int
    wants_to_hear_back: bool
    contact: Contact | None = None
    reports: list[SuggestionReport] = field(default_factory=list)
    notices: list[ResidentNotice] = field(default_factory=list)


def _residents(suggestion: Suggestion, *, desk: bool) -> list[Resident]:
    reports = suggestion.reports.select_related("conversation__contact").prefetch_related("notices")
    by_contact: dict[int, Resident] = {}
    for report in reports:
        resident = by_contact.get(report.conversation.contact_id)
        if resident is None:
            resident = by_contact[report.conversation.contact_id] = Resident(
                number=len(by_contact) + 1,
                wants_to_hear_back=False,
                contact=report.conversation.contact if desk else None,
            )
        resident.wants_to_hear_back |= report.notify
        if desk:
            resident.reports.append(report)
        resident.notices.extend(report.notices.all())
    for resident in by_contact.values():
        resident.notices.sort(key=lambda notice: (notice.created_at, notice.pk))
    return list(by_contact.values())


def _detail(request: HttpRequest, suggestion: Suggestion, form: StatusForm | None, *, code: int = 200):
    desk = has_role(request.user, INBOX_ROLES)
    deciding = may_decide(request.user, suggestion)
    if deciding and form is None:
        form = StatusForm(current=suggestion.status)
    residents = _residents(suggestion, desk=desk)
    return render(
        request,
        "feedback/detail.html",
        {
            "suggestion": suggestion,
            "events": suggestion.events.all(),
            "residents": residents,
            "unreachable": sum(
                1 for r in residents if any(n.state == NoticeState.UNREACHABLE for n in r.notices)
            ),
            "status_page": status_page_url(suggestion),
            "desk": desk,
            "form": form if deciding and form.fields["status"].choices else None,
            "outcomes": OUTCOMES,
        },
        status=code,
    )


@role_required(READERS)
def suggestion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_suggestion_for_user(request.user, pk), None)


@require_POST
@role_required(DECIDERS)
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    suggestion = get_suggestion_for_user(request.user, pk)
    if not may_decide(request.user, suggestion):
        raise Http404
    form = StatusForm(request.POST, current=suggestion.status)
    if not form.is_valid():
        return _detail(request, suggestion, form, code=400)
    try:
        suggestion = services.change_status(
            actor=request.user,
            suggestion_id=suggestion.pk,
            status=form.cleaned_data["status"],
            explanation=form.cleaned_data["explanation"],
        )
    except REFUSED as error:
        form.add_error(None, str(error))
        return _detail(request, get_suggestion_for_user(request.user, pk), form, code=400)
    if suggestion.status in OUTCOMES:
        text = _("The status is now “%(status)s”. The residents who want to hear back are told.")
    else:
        text = _("The status is now “%(status)s”.")
    messages.success(request, text % {"status": Status(suggestion.status).label})
    return redirect("feedback:detail", pk=suggestion.pk)


# --- The overview ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeFigures:
    department: Department | None  # None: all departments together
    median_days: float | None
    loop: metrics.ClosedLoop


@role_required(LEAD_ROLES | ACCOUNT_MANAGERS)
def overview(request: HttpRequest) -> HttpResponse:
    suggestions = visible_suggestions(request.user)
    counts = metrics.counts_per_department(suggestions)
    outcomes = [
        OutcomeFigures(
            department=row.department,
            median_days=metrics.median_days_to_outcome(suggestions.filter(department=row.department)),
            loop=metrics.closed_loop(suggestions.filter(department=row.department)),
        )
        for row in counts
    ]
    everything = OutcomeFigures(
        department=None,
        median_days=metrics.median_days_to_outcome(suggestions),
        loop=metrics.closed_loop(suggestions),
    )
    return render(
        request,
        "feedback/overview.html",
        {
            "counts": counts,
            "statuses": Status.choices,
            "totals": [sum(row.per_status[i][1] for row in counts) for i in range(len(Status.values))],
            "total": sum(row.total for row in counts),
            "outcomes": outcomes,
            "everything": everything,
        },
    )
