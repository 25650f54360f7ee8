from django import template
from django.template.loader import render_to_string

from escalations import desk_views

register = template.Library()


@register.simple_tag(takes_context=True)
def escalation_panel(context, conversation) -> str:
    request = context.request
    return render_to_string(
        desk_views.PANEL_TEMPLATE, desk_views.panel_context(request, conversation), request=request
    )
