"""Reading the contact export (plain codes and ISO times) as words and local times."""

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime

from escalations.workflow import Status as EscalationStatus
from feedback.models import Kind as SuggestionKind
from feedback.models import NoticeState
from feedback.workflow import Status as SuggestionStatus
from inbox.models import Channel, DeliveryStatus
from inbox.workflow import Status as ConversationStatus
from privacy.models import ErasureState, ReceivedThrough

register = template.Library()

CHOICES = {
    "channel": Channel,
    "conversation": ConversationStatus,
    "delivery": DeliveryStatus,
    "escalation": EscalationStatus,
    "suggestion": SuggestionStatus,
    "suggestion_kind": SuggestionKind,
    "notice": NoticeState,
    "through": ReceivedThrough,
    "erasure": ErasureState,
}


@register.filter
def label(value: str, kind: str) -> str:
    """The words for a stored code, e.g. {{ "closed"|label:"conversation" }}."""
    choices = CHOICES[kind]
    return choices(value).label if value in choices.values else value


@register.filter
def moment(value: str | None) -> str:
    """An ISO time from the export as a local date and time in the page's language."""
    parsed = parse_datetime(value) if value else None
    return date_format(localtime(parsed), "DATETIME_FORMAT") if parsed else "—"
