from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("accounts/_session_warning.html", takes_context=True)
def session_warning(context) -> dict:
    """The warning before an idle session ends, and the script that shows it (static/js/session.js)."""
    return {
        "idle_seconds": settings.SESSION_IDLE_TIMEOUT,
        "warning_seconds": settings.SESSION_IDLE_WARNING,
        "csrf_token": context.get("csrf_token"),
    }
