"""The protocol screens: editors manage protocols, a department proposes changes to its own, the desk reads.

Who sees what is decided once, in protocols.access; every view fetches through it. All changes go
through protocols.services.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalations.access import get_escalation_for_user
from escalations.models import Department
from inbox.models import REPLY_LIMITS, Channel, Topic
from protocols import services
from protocols.access import get_protocol_for_user, statuses_for_user, visible_protocols
from protocols.forms import ProposalForm, ProtocolFilterForm, ProtocolForm, RejectForm, StatusForm
from protocols.models import ProposalStatus, Protocol, ProtocolProposal
from protocols.services import ProtocolContent, ProtocolError, VersionConflict
from protocols.workflow import InvalidTransition, Status
from webcare.roles import (
    EDITOR_ROLES,
    INBOX_ROLES,
    PROPOSER_ROLES,
    PROTOCOL_READERS,
    has_role,
    role_required,
)

LIST_SIZE = 200
PROPOSALS_SIZE = 100
# The preview fills in a resident's name, so editors see the answer as it is sent.
PREVIEW_FIRST_NAME = "Sanne"
# Public replies carry the agent's initials (" ^EP", see inbox.services), which count against the limit.
SIGNATURE_ALLOWANCE = len(" ^EP")


def _is_editor(request: HttpRequest) -> bool:
    return has_role(request.user, EDITOR_ROLES)


def _is_department_member(request: HttpRequest) -> bool:
    return has_role(request.user, PROPOSER_ROLES)


# --- Presentation: the answer per channel, and what a proposal changes -----------------------------


@dataclass(frozen=True)
class ChannelFit:
    channel: str
    public: bool
    label: str
    limit: int
    length: int
    extra: int  # counted on top of the text: the agent's initials on public replies

    @property
    def over(self) -> bool:
        return self.length > self.limit

    @property
    def over_message(self) -> str:
        return _("Too long for %(channel)s") % {"channel": self.label}


@dataclass(frozen=True)
class AnswerPreview:
    language: str
    text: str
    fits: list[ChannelFit]


def _channel_label(channel: str, public: bool) -> str:
    name = Channel(channel).label
    if public:
        return _("%(channel)s public reply") % {"channel": name}
    return _("%(channel)s private message") % {"channel": name}


def answer_preview(answers: dict[str, str], language: str) -> AnswerPreview:
    """The answer as the resident reads it, and its length against each channel's reply limit."""
    text = services.render_answer(answers, language, first_name=PREVIEW_FIRST_NAME) if answers else ""
    fits = []
    for (channel, public), limit in REPLY_LIMITS.items():
        extra = SIGNATURE_ALLOWANCE if public else 0
        length = len(text) + extra if text else 0
        fits.append(ChannelFit(channel, public, _channel_label(channel, public), limit, length, extra))
    return AnswerPreview(language, text, fits)


@dataclass(frozen=True)
class Change:
    field: str  # "title", "answer_nl", ...: stable, unlike the translated label
    label: str
    old: str
    new: str


def _as_text(
    content: ProtocolContent | None, topics: dict[str, str], departments: dict[str, str]
) -> dict[str, tuple[str, str]]:
    """Each field of the content as (label, text), the way the diff shows it."""
    if content is None:
        return {}
    fields = {
        "title": (_("Title"), content.title),
        "department": (_("Department"), departments.get(content.department, content.department)),
        "topic": (_("Topic"), topics.get(content.topic, content.topic)),
        "public_space": (_("About the public space"), _("yes") if content.public_space else _("no")),
        "questions": (_("Example questions"), "\n".join(content.questions)),
    }
    for language, text in sorted(content.answers.items(), key=lambda item: (item[0] != "nl", item[0])):
        fields[f"answer_{language}"] = (_("Answer (%(language)s)") % {"language": language.upper()}, text)
    fields["links"] = (_("Self-service links"), "\n".join(content.links))
    fields["review_by"] = (_("Review by"), content.review_by.isoformat() if content.review_by else "")
    return fields


def proposal_changes(
    proposal: ProtocolProposal, topics: dict[str, str], departments: dict[str, str]
) -> list[Change]:
    """Field by field, what accepting the proposal would change in the protocol's current content."""
    current = services.content_of(proposal.protocol) if proposal.protocol else None
    return content_changes(current, services.content_from_json(proposal.content), topics, departments)


def content_changes(
    before: ProtocolContent | None,
    after: ProtocolContent,
    topics: dict[str, str],
    departments: dict[str, str],
) -> list[Change]:
    """Field by field, where `after` differs from `before`."""
    old = _as_text(before, topics, departments)
    new = _as_text(after, topics, departments)
    changes = []
    for field in dict.fromkeys([*old, *new]):
        label, old_text = old.get(field, ("", ""))
        new_label, new_text = new.get(field, ("", ""))
        if old_text != new_text:
            changes.append(Change(field, label or new_label, old_text, new_text))
    return changes


# --- Reading -------------------------------------------------------------------------------------


@role_required(PROTOCOL_READERS)
def protocol_list(request: HttpRequest) -> HttpResponse:
    editor, member = _is_editor(request), _is_department_member(request)
    form = ProtocolFilterForm(request.GET, show_department=not member, show_status=editor or member)
    visible = visible_protocols(request.user)
    protocols, total = [], 0
    if form.is_valid():
        found = form.apply(visible.with_current())
        total = found.count()
        protocols = list(found.order_by("current__title", "key")[:LIST_SIZE])
    # One definition of stale (Protocol.objects.stale()), also for the badges on the rows.
    stale_keys = set(visible.stale().filter(pk__in=[p.pk for p in protocols]).values_list("key", flat=True))
    return render(
        request,
        "protocols/list.html",
        {
            "form": form,
            "protocols": protocols,
            "total": total,
            "shown": len(protocols),
            "stale_keys": stale_keys,
            # Stale protocols are flagged to editors and to the department that owns them.
            "stale_count": visible.stale().count() if editor or member else 0,
            "open_proposals": ProtocolProposal.objects.filter(status=ProposalStatus.OPEN).count()
            if editor
            else 0,
            "can_edit": editor,
            "can_propose": member,
        },
    )


@role_required(PROTOCOL_READERS)
def protocol_detail(request: HttpRequest, key: str) -> HttpResponse:
    protocol = get_protocol_for_user(request.user, key)
    version = protocol.current
    editor = _is_editor(request)
    languages = sorted(version.answers, key=lambda language: (language != "nl", language != "en", language))
    proposals = protocol.proposals.select_related("author", "decided_by")
    if editor:
        proposals = proposals.filter(status=ProposalStatus.OPEN)
    elif not _is_department_member(request):
        proposals = proposals.none()
    return render(
        request,
        "protocols/detail.html",
        {
            "protocol": protocol,
            "version": version,
            "previews": [answer_preview(version.answers, language) for language in languages],
            "versions": protocol.versions.select_related("author", "topic"),
            "proposals": proposals[:20],
            "is_stale": Protocol.objects.stale().filter(pk=protocol.pk).exists(),
            "transitions": statuses_for_user(request.user, protocol),
            "missing_languages": services.missing_languages(version.answers),
            "can_edit": editor,
            "can_propose": _is_department_member(request),
            "first_name": PREVIEW_FIRST_NAME,
        },
    )


# --- Editing -------------------------------------------------------------------------------------


def _form_context(form: ProtocolForm, protocol: Protocol | None, **extra) -> dict:
    typed = form.answers_typed()
    return {
        "form": form,
        "protocol": protocol,
        "previews": {language: answer_preview({language: typed[language]}, language) for language in typed},
        "first_name": PREVIEW_FIRST_NAME,
        **extra,
    }


def _wants_preview(request: HttpRequest) -> bool:
    """The "Preview" button: without JavaScript the editor sees the answers rendered without saving."""
    return request.method == "POST" and "preview" in request.POST


def _rebased(
    form: ProtocolForm, protocol: Protocol, conflict: VersionConflict, **form_kwargs
) -> tuple[ProtocolForm, list[Change]]:
    """After a colleague saved a newer version: the editor's text again, now based on that version.

    The editor's input stays exactly as posted; only the hidden version number moves on, so saving
    again (after comparing) is a deliberate choice. Also returns where their text differs from the
    current version, for the comparison.
    """
    protocol.refresh_from_db()
    data = form.data.copy()
    data[form.add_prefix("based_on")] = str(conflict.current)
    rebased = type(form)(data, initial=form.initial, protocol=protocol, **form_kwargs)
    changes = []
    if rebased.is_valid():
        topics = dict(Topic.objects.values_list("slug", "name"))
        departments = dict(Department.objects.values_list("slug", "name"))
        changes = content_changes(services.content_of(protocol), rebased.content(), topics, departments)
    rebased.add_error(None, str(conflict))
    return rebased, changes


def _form_status(request: HttpRequest, form: ProtocolForm, conflict: list[Change] | None) -> int:
    if conflict is not None:
        return 409
    return 400 if request.method == "POST" and form.errors else 200


@role_required(EDITOR_ROLES)
def protocol_edit(request: HttpRequest, key: str | None = None) -> HttpResponse:
    protocol = get_protocol_for_user(request.user, key) if key else None
    initial = ProtocolForm.initial_for(protocol, services.content_of(protocol) if protocol else None)
    form = ProtocolForm(request.POST or None, initial=initial, protocol=protocol)
    conflict = None
    if request.method == "POST" and not _wants_preview(request) and form.is_valid():
        try:
            saved, changed = services.save_protocol(
                form.content(),
                author=request.user,
                note=form.cleaned_data["note"],
                # A new protocol starts from nothing (0): a colleague may have taken the key meanwhile.
                expected_version=form.cleaned_data["based_on"] if protocol else 0,
            )
        except VersionConflict as error:  # only an existing protocol can have a newer version
            form, conflict = _rebased(form, protocol, error)
        except ProtocolError as error:
            form.add_error(None, str(error))
        else:
            if changed:
                messages.success(
                    request, _("Saved as version %(number)d.") % {"number": saved.current.number}
                )
            else:
                messages.info(request, _("Nothing changed, so there is no new version."))
            return redirect("protocols:detail", key=saved.key)
    context = _form_context(form, protocol, proposing=False, conflict=conflict)
    return render(request, "protocols/edit.html", context, status=_form_status(request, form, conflict))


@require_POST
@role_required(EDITOR_ROLES | PROPOSER_ROLES)
def change_status(request: HttpRequest, key: str) -> HttpResponse:
    """Editors move protocols along the workflow; a department approves its own drafts (to review)."""
    protocol = get_protocol_for_user(request.user, key)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("protocols:detail", key=protocol.key)
    new = Status(form.cleaned_data["status"])
    editor = _is_editor(request)
    # Editors hear from the workflow why a step is not possible; a department may take one step only.
    if not editor and new not in statuses_for_user(request.user, protocol):
        raise PermissionDenied
    try:
        services.set_status(
            protocol_id=protocol.pk,
            status=new,
            # The department decided on a draft: not on what an editor may have made of it meanwhile.
            expected=None if editor else protocol.status,
        )
    except (InvalidTransition, ProtocolError) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The protocol is now %(status)s.") % {"status": new.label})
    return redirect("protocols:detail", key=protocol.key)


@require_POST
@role_required(EDITOR_ROLES)
def restore_version(request: HttpRequest, key: str, number: int) -> HttpResponse:
    protocol = get_protocol_for_user(request.user, key)
    get_object_or_404(protocol.versions, number=number)
    try:
        restored = services.restore_version(protocol_id=protocol.pk, number=number, author=request.user)
    except ProtocolError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Version %(old)d is current again, as version %(new)d.")
            % {"old": number, "new": restored.number},
        )
    return redirect("protocols:detail", key=protocol.key)


# --- Proposals -----------------------------------------------------------------------------------


@role_required(PROPOSER_ROLES | EDITOR_ROLES)
def propose(request: HttpRequest, key: str | None = None) -> HttpResponse:
    if _is_editor(request):  # editors change protocols themselves
        return redirect("protocols:edit", key=key) if key else redirect("protocols:new")
    if request.user.department_id is None:
        raise PermissionDenied
    protocol = None
    if key:
        protocol = get_object_or_404(Protocol.objects.with_current().filter(current__isnull=False), key=key)
        if protocol.department_id != request.user.department_id:
            raise PermissionDenied
    initial = ProposalForm.initial_for(protocol, services.content_of(protocol) if protocol else None)
    initial.setdefault("department", request.user.department.slug)
    departments = Department.objects.filter(pk=request.user.department_id)
    form = ProposalForm(request.POST or None, initial=initial, protocol=protocol, departments=departments)
    conflict = None
    if request.method == "POST" and not _wants_preview(request) and form.is_valid():
        try:
            services.propose(
                author=request.user,
                content=form.content(),
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["based_on"] if protocol else None,
            )
        except VersionConflict as error:  # only an existing protocol can have a newer version
            form, conflict = _rebased(form, protocol, error, departments=departments)
        except ProtocolError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your proposal was sent to the protocol editors."))
            return (
                redirect("protocols:detail", key=protocol.key)
                if protocol
                else redirect("protocols:proposals")
            )
    context = _form_context(form, protocol, proposing=True, conflict=conflict)
    return render(request, "protocols/edit.html", context, status=_form_status(request, form, conflict))


def _proposals_page(request: HttpRequest, reject_forms: dict | None = None, status: int = 200):
    editor = _is_editor(request)
    proposals = ProtocolProposal.objects.select_related(
        "protocol__current__topic",
        "protocol__department",
        "base_version",
        "department",
        "author",
        "decided_by",
    )
    if editor:
        proposals = proposals.filter(status=ProposalStatus.OPEN)
    else:  # a department follows its own proposals, decided ones included, to read the reasons
        proposals = proposals.filter(department_id=request.user.department_id)
    topics = dict(Topic.objects.values_list("slug", "name"))
    departments = dict(Department.objects.values_list("slug", "name"))
    reject_forms = reject_forms or {}
    rows = [
        (
            proposal,
            proposal_changes(proposal, topics, departments),
            reject_forms.get(proposal.pk) or RejectForm(auto_id=f"id_reject_{proposal.pk}_%s"),
        )
        for proposal in proposals[:PROPOSALS_SIZE]
    ]
    context = {"rows": rows, "can_decide": editor}
    return render(request, "protocols/proposals.html", context, status=status)


@role_required(PROPOSER_ROLES | EDITOR_ROLES)
def proposal_list(request: HttpRequest) -> HttpResponse:
    return _proposals_page(request)


@require_POST
@role_required(EDITOR_ROLES)
def accept_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(ProtocolProposal, pk=pk)
    try:
        protocol = services.accept_proposal(editor=request.user, proposal_id=pk)
    except ProtocolError as error:
        messages.error(request, str(error))
        return redirect("protocols:proposals")
    messages.success(
        request,
        _("Proposal accepted: version %(number)d of the protocol.") % {"number": protocol.current.number},
    )
    return redirect("protocols:detail", key=protocol.key)


@require_POST
@role_required(EDITOR_ROLES)
def reject_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    get_object_or_404(ProtocolProposal, pk=pk)
    form = RejectForm(request.POST, auto_id=f"id_reject_{pk}_%s")
    if not form.is_valid():
        return _proposals_page(request, reject_forms={pk: form}, status=400)
    try:
        services.reject_proposal(editor=request.user, proposal_id=pk, reason=form.cleaned_data["reason"])
    except ProtocolError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Proposal rejected; the department can read your reason."))
    return redirect("protocols:proposals")


# --- Knowledge grows -----------------------------------------------------------------------------


@require_POST
@role_required(INBOX_ROLES | EDITOR_ROLES)
def from_escalation(request: HttpRequest, escalation_id: int) -> HttpResponse:
    """One click on an answered escalation: its answer becomes a draft protocol of the department.

    Editors go on to the draft; the desk stays with the conversation (it reads published protocols
    only), with a message.
    """
    escalation = get_escalation_for_user(request.user, escalation_id)
    back = redirect("inbox:conversation", pk=escalation.conversation_id)
    try:
        protocol = services.draft_from_escalation(author=request.user, escalation_id=escalation.pk)
    except ProtocolError as error:
        messages.error(request, str(error))
        return back if has_role(request.user, INBOX_ROLES) else redirect("protocols:list")
    if _is_editor(request):
        return redirect("protocols:detail", key=protocol.key)
    if protocol.status == Status.DRAFT:
        text = _("The answer is a draft protocol now, “%(title)s”; the department approves it.")
    else:
        text = _("This answer already became protocol “%(title)s” (%(status)s).")
    messages.success(
        request, text % {"title": protocol.current.title, "status": protocol.get_status_display()}
    )
    return back
