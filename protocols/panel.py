"""The suggestions panel on a conversation: the protocols that answer the resident's latest message,
and first, while a department has the question, the holding reply.

The conversation page shows the panel at once when a worker has worked the suggestions out
(`protocols.suggest_for_message`); otherwise the page loads it from `suggestions` after it."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inbox.access import get_conversation_for_user
from inbox.models import Conversation, Direction
from protocols.holding import holding_reply
from protocols.models import MessageSuggestions
from protocols.suggest import suggest
from webcare.roles import INBOX_ROLES, role_required

TEMPLATE = "protocols/_suggestions.html"


def panel_context(conversation: Conversation, *, compute: bool = True) -> dict | None:
    """What the panel shows; without `compute`, None unless a worker has stored the suggestions."""
    latest = conversation.messages.filter(direction=Direction.INBOUND).order_by("-created_at", "-id").first()
    known = MessageSuggestions.objects.filter(message=latest).values_list("fingerprint", "ranking").first()
    result = suggest(
        latest.text if latest else "",
        first_name=conversation.contact.first_name,
        channel=conversation.channel,
        public=conversation.is_public,
        known=known,
        compute=compute,
    )
    if result is None:
        return None
    holding = holding_reply(conversation, result.language) if conversation.department_due else None
    shown = ([holding] if holding else []) + result.results
    return {
        "conversation": conversation,
        "suggestions": list(enumerate(shown[:3], start=1)),
        "result": result,
        "limit": conversation.reply_limit,
    }


@role_required(INBOX_ROLES)
def suggestions(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = get_conversation_for_user(request.user, conversation_id)
    return render(request, TEMPLATE, panel_context(conversation))
