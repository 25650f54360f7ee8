from datetime import timedelta

from django import template
from django.utils import timezone

from inbox.reply_rules import free_reply_closes_at

register = template.Library()

CLOSING_SOON = timedelta(hours=3)


@register.inclusion_tag("inbox/_window_badge.html")
def window_badge(conversation):
    """On a queue row: the platform's free-reply window has closed, or closes within three hours."""
    closes_at = free_reply_closes_at(conversation)
    now = timezone.now()
    return {
        "closes_at": closes_at,
        "closed": closes_at is not None and closes_at <= now,
        "closing": closes_at is not None and now < closes_at <= now + CLOSING_SOON,
    }
