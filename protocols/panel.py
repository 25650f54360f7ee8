"""The suggestions panel on a conversation: the protocols that answer the resident's latest message,
and first, while a department has the question, the holding reply."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from inbox.access import get_conversation_for_user
from inbox.models import Direction
from protocols.holding import holding_reply
from protocols.models import MessageSuggestions
from protocols.suggest import suggest
from webcare.roles import INBOX_ROLES, role_required


@role_required(INBOX_ROLES)
def suggestions(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = get_conversation_for_user(request.user, conversation_id)
    latest = conversation.messages.filter(direction=Direction.INBOUND).order_by("-created_at", "-id").first()
    known = MessageSuggestions.objects.filter(message=latest).values_list("fingerprint", "ranking").first()
    result = suggest(
        latest.text if latest else "",
        first_name=conversation.contact.first_name,
        channel=conversation.channel,
        public=conversation.is_public,
        known=known,
    )
    holding = holding_reply(conversation, result.language) if conversation.department_due else None
    shown = ([holding] if holding else []) + result.results
    return render(
        request,
        "protocols/_suggestions.html",
        {
            "conversation": conversation,
            "suggestions": list(enumerate(shown[:3], start=1)),
            "result": result,
            "limit": conversation.reply_limit,
        },
    )
