from django import template
from django.template.loader import render_to_string

from protocols import panel

register = template.Library()


@register.simple_tag(takes_context=True)
def suggestions_panel(context, conversation) -> str:
    """The suggestions panel, if a worker has worked them out; '' and the page loads it after."""
    found = panel.panel_context(conversation, compute=False)
    return render_to_string(panel.TEMPLATE, found, request=context.request) if found else ""
