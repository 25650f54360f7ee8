from django import template
from django.template.loader import render_to_string

from feedback import views

register = template.Library()


@register.simple_tag(takes_context=True)
def feedback_panel(context, conversation) -> str:
    request = context.request
    return render_to_string(views.PANEL_TEMPLATE, views.panel_context(request, conversation), request=request)
