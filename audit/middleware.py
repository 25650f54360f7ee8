"""Who opened a resident's data and who changed what, recorded at one place instead of in every view.

The middleware knows each request's URL name, its ids, its user (also one who signed in with an API
token, once the view has run) and its outcome. From those alone it appends an audit entry; it never
reads a request's body, query string, headers or cookies, so nothing a resident wrote and no
password or token can reach the log. A view that records its own entry (`audit.services.record`
with the request, as exports and erasures do) is not recorded a second time.
"""

import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch

from audit.models import Action
from audit.services import record

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The screens and endpoints that show one resident's data: each GET of one is recorded as "viewed".
# Lists (the queue, the monitoring feed of public posts, the dashboards) are not: a page of fifty
# residents says little about any of them, and every opened conversation or contact is recorded here.
# The htmx panels inside the conversation page are part of that page's one entry.
PERSONAL_DATA_VIEWS = frozenset(
    {
        "inbox:conversation",  # the resident's messages, history, identities and notes
        "inbox:contact",  # the resident, their accounts on each channel, their conversations
        "privacy:contact",  # the resident's name, legal holds and erasure requests
        "inbox:attachment",  # a file the resident sent
        "api-conversation",
        "api-contact",
        "department:detail",  # a department's question, with the messages (and contact) shared with it
        "api-escalation",
        "feedback:detail",  # a suggestion and the residents who made it
        "api-feedback-detail",
    }
)

# Never recorded: what the platforms and residents call (webhooks, the public status page), health
# checks, the steps of logging in and out (audit.receivers records those), keeping a session alive,
# and POSTs that compute without changing anything.
UNRECORDED_NAMESPACES = frozenset({"channels", "public"})
UNRECORDED_VIEWS = frozenset(
    {
        "healthz",
        "login",
        "login-code",
        "logout",
        "admin:login",
        "admin:logout",
        "accounts:session-keep-alive",
        "set_language",
        "api-suggest",
        "api-monitoring-analyze",
    }
)

# The record a URL is about. Ids with a telling name say it themselves...
NAMED_IDS = {
    "conversation_id": "conversation",
    "contact_id": "contact",
    "escalation_id": "escalation",
    "key": "protocol",
}
# ...a plain `pk` (the admin's `object_id`, `id`) by the word before it: /inbox/conversations/<pk>/.
# In the admin that word is the model's own name (/admin/inbox/team/<object_id>/change/).
PLAIN_IDS = ("pk", "object_id", "id")
COLLECTIONS = {
    "conversations": "conversation",
    "messages": "message",
    "contacts": "contact",
    "escalations": "escalation",
    "department": "escalation",  # /department/<pk>/: a department's view of an escalation
    "departments": "department",
    "feedback": "suggestion",
    "mentions": "mention",
    "queries": "listeningquery",
    "alerts": "spikealert",
    "routing": "routingrule",
    "proposals": "protocolproposal",
}


class AuditMiddleware:
    """Records, for signed-in staff: GETs of PERSONAL_DATA_VIEWS as viewed; state-changing requests
    that succeeded as changed; either one answered 403 as refused."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        action = _action_for(request, response)
        if action is not None:
            match = request.resolver_match
            record(action, request=request, target=target_of(match), summary=match.view_name)
        return response


def _action_for(request: HttpRequest, response: HttpResponse) -> Action | None:
    match = request.resolver_match
    if match is None or getattr(request, "audit_recorded", False) or _unrecorded(match):
        return None
    changing = request.method in STATE_CHANGING
    if not changing and not (request.method == "GET" and match.view_name in PERSONAL_DATA_VIEWS):
        return None
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if response.status_code == 403:
        return Action.REFUSED
    if response.status_code >= 400 or (changing and _refused_with_a_message(request)):
        return None
    if changing and "admin" in match.namespaces and response.status_code == 200:
        return None  # the admin redirects after a change; a 200 is its form again, with errors
    return Action.CHANGED if changing else Action.VIEWED


def _unrecorded(match: ResolverMatch) -> bool:
    return match.view_name in UNRECORDED_VIEWS or bool(UNRECORDED_NAMESPACES.intersection(match.namespaces))


def _refused_with_a_message(request: HttpRequest) -> bool:
    """Screens answer a refused operation ("already closed") with an error message and a redirect."""
    # Django's message storage holds the messages added during this request in `_queued_messages`
    # until the response stores them; reading them the public way would mark them as shown.
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", ())
    return any(message.level >= messages.ERROR for message in queued)


def target_of(match: ResolverMatch) -> tuple[str, object] | None:
    """The (record type, id) a URL is about, from its ids alone; None for a URL without one."""
    for name in PLAIN_IDS:
        if name in match.kwargs:
            return _collection(match.route, name), match.kwargs[name]
    for name, object_type in NAMED_IDS.items():
        if name in match.kwargs:
            return object_type, match.kwargs[name]
    return None


def _collection(route: str, name: str) -> str:
    segments = route.split("/")
    for before, segment in zip(["", *segments], segments, strict=True):
        if re.fullmatch(rf"<(?:\w+:)?{name}>", segment):
            return COLLECTIONS.get(before, before)
    return ""
