"""Refusing log-ins that guess: django-axes' lockout per username and address, and hourly limits.

Axes counts failed passwords and failed two-factor codes per (username, address) pair and locks that
pair out for AXES_COOLOFF_TIME. The pair, not the address alone: the city's staff often share one
outgoing address, and one person's typos must not lock out the desk. The pair, not the username
alone: someone who knows a colleague's username could otherwise lock them out from anywhere.

The pair alone would let one address guess a thousand usernames, or a thousand addresses guess one
password, so two hourly counters (django-ratelimit, in the shared cache) limit failures per address
and per username; past either, the log-in form answers 429 without checking the password.
"""

import logging
from datetime import timedelta

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from webcare.lib.addresses import client_address

logger = logging.getLogger(__name__)

RATE_GROUP_ADDRESS = "login-failures-per-address"
RATE_GROUP_USERNAME = "login-failures-per-username"


def username_of(request: HttpRequest, credentials: dict | None) -> str:
    """Usernames are matched case-insensitively by people, so count `Lotte` and `lotte` as one."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return username.strip().lower()


def without_username(request: HttpRequest, credentials: dict | None) -> bool:
    """Axes counts only attempts that name a user: a single sign-on callback names none (the provider
    checked the person), and counting those per address would lock a whole office out of it."""
    return not username_of(request, credentials)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The lockout page (429), in the user's language; it names the wait but never the reason's details."""
    return locked_out(request, get_cool_off(request) or timedelta(0))


def locked_out(request: HttpRequest, wait: timedelta) -> HttpResponse:
    minutes = max(1, round(wait.total_seconds() / 60))
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(int(wait.total_seconds()))
    return response


def _limits(username: str) -> list[tuple[str, object, str]]:
    def by_address(group: str, request: HttpRequest) -> str:
        return client_address(request) or "unknown"

    def by_username(group: str, request: HttpRequest) -> str:
        return username.strip().lower()

    return [
        (RATE_GROUP_ADDRESS, by_address, f"{settings.LOGIN_FAILURES_PER_HOUR_PER_ADDRESS}/h"),
        (RATE_GROUP_USERNAME, by_username, f"{settings.LOGIN_FAILURES_PER_HOUR_PER_USERNAME}/h"),
    ]


def failures_wait(request: HttpRequest, *, username: str) -> timedelta | None:
    """How long until this address, or this username from anywhere, may try again; None: it may now.

    The counters live in the cache; when it cannot answer, the limit lets the log-in through (the
    lockout in the database still holds) rather than locking everyone out.
    """
    for group, key, rate in _limits(username):
        usage = _usage(request, group, key, rate, increment=False)
        if usage is not None and usage["count"] >= usage["limit"]:
            return timedelta(seconds=max(usage["time_left"], 1))
    return None


def count_failure(request: HttpRequest, *, username: str) -> None:
    for group, key, rate in _limits(username):
        _usage(request, group, key, rate, increment=True)


def _usage(request, group, key, rate, *, increment: bool) -> dict | None:
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, method="POST", increment=increment)
    except Exception:  # any cache failure: the limit fails open, see above
        logger.warning("Log-in rate limit skipped: the cache did not answer", exc_info=True)
        return None
    if usage is None or usage["limit"] == 0:  # limit 0: django-ratelimit could not read the cache
        return None
    return usage
