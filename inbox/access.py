"""One permission-checked fetch per model: every view and endpoint goes through these."""

from django.http import Http404

from inbox.models import Contact, Conversation
from webcare.roles import INBOX_ROLES, has_role


def get_conversation_for_user(user, pk: int) -> Conversation:
    try:
        return (
            Conversation.objects.visible_to(user)
            .select_related("contact", "identity", "team", "topic", "assigned_to")
            .get(pk=pk)
        )
    except Conversation.DoesNotExist:
        raise Http404 from None


def get_contact_for_user(user, pk: int) -> Contact:
    if not has_role(user, INBOX_ROLES):
        raise Http404
    try:
        return Contact.objects.get(pk=pk)
    except Contact.DoesNotExist:
        raise Http404 from None
