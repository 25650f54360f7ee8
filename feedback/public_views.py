"""The public status page of a resident's suggestion: /volg/<token>/, for anyone who has the link.

No login: the token (128 random bits, `feedback.models.new_token`) is the only key. The page shows
what the municipality did with the suggestion and nothing personal: it reads the suggestion, its
department's name and its status history, and never the residents, conversations or staff behind it.

It is a page for residents, apart from the staff screens: its own layout, no JavaScript at all, Dutch
unless the link asks for English (`?lang=en`). The language comes from the query string only, so the
page sets no cookie and needs no session.
"""

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from feedback.models import Suggestion, SuggestionEvent
from feedback.workflow import OUTCOMES, Status

# What `new_token` makes (URL-safe base64) and what the column holds: anything else is not a token,
# and is turned away before it reaches the database.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,32}")

# What each status means for the resident, in plain words (B1).
MEANINGS = {
    Status.RECEIVED: _("We have received it. We will send it to the department that deals with it."),
    Status.FORWARDED: _("The department that deals with it has it now. They will look at it."),
    Status.UNDER_CONSIDERATION: _("The department is looking at it and will decide what to do."),
    Status.PLANNED: _("The department will do it. It has not been done yet."),
    Status.IMPLEMENTED: _("It has been done."),
    Status.NOT_ADOPTED: _("The department has decided not to do it."),
}

# Security and privacy headers of every response of this page, found or not.
PUBLIC_HEADERS = {
    # The link is private to the resident: no search engine, no shared cache, no browser cache.
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "private, no-store",
    # The token is in the URL: it must not travel to other sites as the referrer of a link.
    "Referrer-Policy": "no-referrer",
    # Our own stylesheet and nothing else: no script, no form, no frame.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
}


def get_suggestion_for_token(token: str) -> Suggestion | None:
    """The suggestion whose token is exactly `token`, with only the fields the page may show."""
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    return (
        Suggestion.objects.filter(token=token)
        .select_related("department")
        .only("kind", "summary", "status", "explanation", "token", "created_at", "department__name")
        .first()
    )


def public_history(suggestion: Suggestion) -> list[SuggestionEvent]:
    """The status changes, oldest first, without who made them."""
    return list(
        SuggestionEvent.objects.filter(suggestion=suggestion)
        .only("to_status", "explanation", "created_at")
        .order_by("created_at", "id")
    )


@require_safe
def status_page(request: HttpRequest, token: str) -> HttpResponse:
    suggestion = get_suggestion_for_token(token)
    if suggestion is None:
        return _render(request, "feedback/public/not_found.html", {}, status=404)
    status = Status(suggestion.status)
    return _render(
        request,
        "feedback/public/status.html",
        {
            "suggestion": suggestion,
            "status": status,
            "meaning": MEANINGS[status],
            "explanation": suggestion.explanation if status in OUTCOMES else "",
            "history": public_history(suggestion),
            "meanings": [(choice, choice.label, MEANINGS[choice]) for choice in Status],
        },
    )


def _language(request: HttpRequest) -> str:
    """The language the link asks for (`?lang=en`), else Dutch: never a cookie or the session."""
    asked = request.GET.get("lang", "")
    return asked if asked in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _render(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        languages = [
            (code, translation.get_language_info(code)["name_local"], code == language)
            for code, _name in settings.LANGUAGES
        ]
        # Rendered without the request: no staff context processors, no CSRF token, no session.
        html = render_to_string(template, {**context, "languages": languages})
    response = HttpResponse(html, status=status)
    response["Content-Language"] = language
    for header, value in PUBLIC_HEADERS.items():
        response[header] = value
    return response
