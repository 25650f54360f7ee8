"""The agent's screens: the lean queue, a conversation, a contact, and the lead's routing table."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from inbox import services
from inbox.access import get_contact_for_user, get_conversation_for_user
from inbox.forms import AssignForm, MergeForm, NoteForm, QueueFilterForm, ReplyForm, RoutingRuleForm
from inbox.models import Conversation, Direction, Message, MessageTemplate, Note, RoutingRule, TemplatePurpose
from inbox.reply_rules import reply_window
from inbox.workflow import InvalidTransition, Status
from webcare.roles import INBOX_ROLES, LEAD_ROLES, has_role, role_required

QUEUE_SIZE = 50
HISTORY_SIZE = 200


@role_required(INBOX_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    if "status" not in params:  # first visit: the agent's own team, everything not closed
        params.setdefault("team", request.user.team.slug if request.user.team else "")
        params["status"] = "active"
    form = QueueFilterForm(params)
    conversations = Conversation.objects.none()
    if form.is_valid():
        conversations = form.apply(Conversation.objects.visible_to(request.user), request.user)
        conversations = conversations.for_list().in_queue_order()[:QUEUE_SIZE]
    if request.htmx:
        return render(request, "inbox/_queue_rows.html", {"form": form, "conversations": conversations})
    # Out of the queue but not out of sight: what the agent asked departments, with their deadlines.
    with_departments = Conversation.objects.visible_to(request.user).with_departments(request.user)
    return render(
        request,
        "inbox/queue.html",
        {
            "form": form,
            "conversations": conversations,
            "with_departments": with_departments.for_list()[:QUEUE_SIZE],
            "now": timezone.now(),
        },
    )


@require_POST
@role_required(INBOX_ROLES)
def next_conversation(request: HttpRequest) -> HttpResponse:
    if request.user.team is None:
        messages.error(request, _("You are not in a team, so there is no queue to pull from."))
        return redirect("inbox:queue")
    try:
        conversation = services.claim_next(agent=request.user)
    except services.InboxError as error:
        messages.error(request, str(error))
        return redirect("inbox:queue")
    if conversation is None:
        messages.success(request, _("The queue is empty. Well done!"))
        return redirect("inbox:queue")
    return redirect(conversation_url(conversation))


def conversation_url(conversation: Conversation) -> str:
    return reverse("inbox:conversation", args=[conversation.pk])


@role_required(INBOX_ROLES)
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for_user(request.user, pk)
    return render(request, "inbox/conversation.html", _conversation_context(request, conversation))


def _conversation_context(request, conversation: Conversation, **forms) -> dict:
    history = (
        Message.objects.filter(conversation__contact=conversation.contact)
        .select_related("author", "conversation")
        .order_by("-created_at", "-id")[:HISTORY_SIZE]
    )
    return {
        "conversation": conversation,
        "contact": conversation.contact,
        "history": list(reversed(history)),
        "identities": conversation.contact.identities.all(),
        "notes": Note.objects.filter(conversation=conversation).select_related("author"),
        "events": conversation.events.select_related("actor"),
        "held_by_other": conversation.assigned_to_id not in (None, request.user.pk),
        "is_lead": has_role(request.user, LEAD_ROLES),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "note_form": NoteForm(),
        "assign_form": AssignForm(initial={"agent": conversation.assigned_to_id}),
        "signature": request.user.signature if conversation.is_public else "",
        "closed": conversation.status == Status.CLOSED,
        "window": reply_window(conversation),
        "now": timezone.now(),
        "templates": MessageTemplate.objects.filter(
            channel=conversation.channel, purpose=TemplatePurpose.REPLY, is_active=True
        ),
    }


@require_POST
@role_required(INBOX_ROLES)
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_conversation_for_user(request.user, pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            template = form.cleaned_data["template"]
            services.reply(
                agent=request.user,
                conversation_id=pk,
                text=form.cleaned_data["text"],
                template_id=template.pk if template else None,
                private=form.cleaned_data["private"],
                protocol_key=form.cleaned_data["protocol"],
                protocol_answer=form.cleaned_data["protocol_answer"]
                if form.cleaned_data["protocol"]
                else None,
            )
        except (services.InboxError, InvalidTransition) as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, _("Reply sent."))
            return redirect(conversation_url(conversation))
    context = _conversation_context(request, conversation, reply_form=form)
    return render(request, "inbox/conversation.html", context, status=400)


@require_POST
@role_required(INBOX_ROLES)
def retry_delivery(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(Message, pk=pk, direction=Direction.OUTBOUND)
    conversation = get_conversation_for_user(request.user, message.conversation_id)
    try:
        services.retry_delivery(agent=request.user, message_id=message.pk)
    except services.InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The reply is being sent again."))
    return redirect(conversation_url(conversation))


@role_required(INBOX_ROLES)
def attachment(request: HttpRequest, pk: int, index: int) -> FileResponse:
    """A downloaded attachment, for whoever may see the conversation it belongs to."""
    message = get_object_or_404(Message, pk=pk)
    get_conversation_for_user(request.user, message.conversation_id)
    if index >= len(message.attachments) or "file" not in message.attachments[index]:
        raise Http404
    stored = message.attachments[index]
    response = FileResponse(default_storage.open(stored["file"]), content_type=stored["content_type"])
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "sandbox"  # never run what a resident sent
    return response


def _conversation_action(operation, success_message):
    """A POST that runs one service on one conversation and returns to it."""

    @require_POST
    @role_required(INBOX_ROLES)
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        conversation = get_conversation_for_user(request.user, pk)
        try:
            operation(request, conversation)
        except (services.InboxError, InvalidTransition) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success_message)
        if request.POST.get("next") == "queue":
            return redirect("inbox:queue")
        return redirect(conversation_url(conversation))

    return view


def _lead_only(request):
    if not has_role(request.user, LEAD_ROLES):
        raise PermissionDenied


def _assign(request, conversation):
    _lead_only(request)
    form = AssignForm(request.POST)
    if not form.is_valid():
        raise services.InboxError(_("Choose an agent."))
    services.assign_conversation(
        actor=request.user, conversation_id=conversation.pk, agent=form.cleaned_data["agent"]
    )


def _add_note(request, conversation):
    services.add_note(author=request.user, conversation_id=conversation.pk, text=request.POST.get("text", ""))


claim = _conversation_action(
    lambda r, c: services.claim_conversation(agent=r.user, conversation_id=c.pk),
    _("You are handling this conversation."),
)
release = _conversation_action(
    lambda r, c: services.release_conversation(agent=r.user, conversation_id=c.pk),
    _("Conversation returned to the team queue."),
)
close = _conversation_action(
    lambda r, c: services.close_conversation(actor=r.user, conversation_id=c.pk),
    _("Conversation closed."),
)
reopen = _conversation_action(
    lambda r, c: services.reopen_conversation(actor=r.user, conversation_id=c.pk),
    _("Conversation reopened."),
)
assign = _conversation_action(_assign, _("Conversation assigned."))
add_note = _conversation_action(_add_note, _("Note added."))


@role_required(INBOX_ROLES)
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_contact_for_user(request.user, pk)
    if contact.merged_into_id:
        return redirect("inbox:contact", pk=contact.merged_into_id)
    conversations = contact.conversations.for_list().order_by("-last_message_at")
    return render(
        request,
        "inbox/contact.html",
        {
            "contact": contact,
            "identities": contact.identities.all(),
            "conversations": conversations,
            "merge_form": MergeForm(),
            "is_lead": has_role(request.user, LEAD_ROLES),
        },
    )


@require_POST
@role_required(LEAD_ROLES)
def merge_contact(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_contact_for_user(request.user, pk)
    form = MergeForm(request.POST)
    if form.is_valid():
        source = get_contact_for_user(request.user, form.cleaned_data["other"])
        try:
            services.merge_contacts(actor=request.user, source_id=source.pk, target_id=target.pk)
        except services.InboxError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Contacts merged."))
    else:
        messages.error(request, _("Give the number of an existing contact."))
    return redirect("inbox:contact", pk=target.pk)


@role_required(LEAD_ROLES)
def routing_rules(request: HttpRequest) -> HttpResponse:
    rules = RoutingRule.objects.select_related("team").prefetch_related("topics")
    return render(request, "inbox/routing.html", {"rules": rules})


@role_required(LEAD_ROLES)
def routing_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=pk) if pk else None
    form = RoutingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Routing rule saved."))
        return redirect("inbox:routing")
    return render(request, "inbox/routing_edit.html", {"form": form, "rule": rule})
