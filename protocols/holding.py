"""The holding reply: while a department works on a resident's question, the desk tells the resident
who has it and by when, in words a department approved (the protocol settings.HOLDING_REPLY_PROTOCOL).
"""

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from escalations.models import Escalation
from escalations.workflow import Status as EscalationStatus
from inbox.models import Conversation
from protocols.fitting import fit_answer
from protocols.models import Protocol
from protocols.services import render_answer
from protocols.suggest import Suggestion


def holding_reply(conversation: Conversation, language: str) -> Suggestion | None:
    """The holding reply for the department that has this conversation's question now, if any."""
    escalation = (
        Escalation.objects.filter(conversation=conversation, status=EscalationStatus.OPEN)
        .select_related("department")
        .order_by("-created_at")
        .first()
    )
    protocol = Protocol.objects.published().with_current().filter(key=settings.HOLDING_REPLY_PROTOCOL).first()
    if escalation is None or protocol is None:
        return None
    department = escalation.department
    with translation.override(language if language in dict(settings.LANGUAGES) else "en"):
        deadline = date_format(timezone.localtime(escalation.due_at).date(), "l j F")
    answer = render_answer(
        protocol.current.answers,
        language,
        first_name=conversation.contact.first_name,
        values={
            "department": department.name,
            "days": str(department.service_level_days),
            "deadline": deadline,
        },
    )
    fitted = fit_answer(
        answer,
        channel=conversation.channel,
        public=conversation.is_public,
        public_space=protocol.current.public_space,
        links=protocol.current.links,
        language=language,
    )
    return Suggestion(
        key=protocol.key,
        title=protocol.current.title,
        score=1.0,
        answer=fitted.text,
        shortened=fitted.shortened,
    )
