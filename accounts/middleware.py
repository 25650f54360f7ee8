"""Sessions end when idle, and a role that must use two-factor can do nothing before it has.

Both act in `process_view`, after the URL is resolved, so that they can name the views they leave
alone. Requests the browser makes on its own (the live queue's polling, `static/js/session.js`'s
status check) carry the `X-Session-Passive` header and never count as activity.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import two_factor

LAST_ACTIVITY_KEY = "last_activity"
# The idle clock is written to the session at most this often, not on every click and every panel of a
# page (a database write and commit each, measured with bench/desk.py): a session may end this much early.
ACTIVITY_RESOLUTION_SECONDS = 60
PASSIVE_HEADER = "HTTP_X_SESSION_PASSIVE"

# Views that only report on the session: asking must not keep it alive.
PASSIVE_VIEWS = frozenset({"accounts:session-status", "accounts:session-ended"})
# Residents' pages (the suggestion status page): a colleague's session is neither read nor touched there.
RESIDENT_NAMESPACES = frozenset({"public"})
# Views a user who still has to set up two-factor may use: setting it up, leaving, the language.
BEFORE_TWO_FACTOR_VIEWS = frozenset(
    {
        "accounts:two-factor",
        "accounts:backup-codes",
        "accounts:session-status",
        "accounts:session-keep-alive",
        "accounts:session-ended",
        "login",
        "login-code",
        "logout",
        "set_language",
    }
)


def idle_seconds_left(request: HttpRequest) -> int:
    last = request.session.get(LAST_ACTIVITY_KEY)
    if last is None:
        return settings.SESSION_IDLE_TIMEOUT
    return max(0, int(settings.SESSION_IDLE_TIMEOUT - (time.time() - last)))


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _send_to(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works for htmx (which would otherwise swap the target page into a part)."""
    if getattr(request, "htmx", False):
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


class IdleTimeoutMiddleware:
    """Log out a session that did nothing for SESSION_IDLE_TIMEOUT seconds; fix its absolute end.

    Every request of a user that is not passive resets the idle clock (written at most once a minute).
    The absolute end (SESSION_COOKIE_AGE after log-in) is fixed once, because saving the session on
    every request would otherwise push it forward each time.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if match and match.namespace in RESIDENT_NAMESPACES:
            return None
        if not request.user.is_authenticated:
            return None
        session = request.session
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if idle_seconds_left(request) <= 0:
            minutes = settings.SESSION_IDLE_TIMEOUT // 60
            logout(request)
            request.idle_logged_out = True
            messages.info(
                request,
                _("You were logged out because you did nothing for %(minutes)d minutes.")
                % {"minutes": minutes},
            )
            if _is_api(request) or view_name in PASSIVE_VIEWS:
                return None  # they answer an anonymous caller themselves
            if getattr(request, "htmx", False) or request.method != "GET":
                return _send_to(request, resolve_url(settings.LOGIN_URL))
            return redirect_to_login(request.get_full_path())
        if session.get("_session_expiry") is None:
            session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
        passive = request.META.get(PASSIVE_HEADER) == "1" or view_name in PASSIVE_VIEWS
        now, last = time.time(), session.get(LAST_ACTIVITY_KEY)
        if last is None or (not passive and now - last >= ACTIVITY_RESOLUTION_SECONDS):
            session[LAST_ACTIVITY_KEY] = now
        return None


class TwoFactorRequiredMiddleware:
    """A session counts only after its second factor when the user has one or the role needs one.

    A lead or administrator without a device is sent to set one up and can use nothing else. A user
    with a device whose session never passed the code (not through our log-in) is logged out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or two_factor.is_verified(request):
            return None
        if request.resolver_match and request.resolver_match.view_name in BEFORE_TWO_FACTOR_VIEWS:
            return None
        if not two_factor.must_verify(user):
            return None
        if two_factor.has_two_factor(user):
            logout(request)
            return _send_to(request, resolve_url(settings.LOGIN_URL))
        message = _("Set up two-factor log-in first: your role requires it.")
        if _is_api(request):
            return JsonResponse({"detail": message}, status=403)
        messages.warning(request, message)
        return _send_to(request, resolve_url("accounts:two-factor"))
