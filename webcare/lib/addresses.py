"""The address a request came from, also behind reverse proxies."""

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, or None when it cannot be told.

    Without trusted proxies (`TRUSTED_PROXIES` = 0) that is REMOTE_ADDR: X-Forwarded-For is written by
    the client and proves nothing. With n trusted proxies in front of the app, each appends the
    address it received from to X-Forwarded-For, so the n-th address from the right was written by
    the outermost of ours: the client as our first proxy saw it. Anything to its left the client
    could have made up. A request with fewer addresses did not pass all our proxies: its REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return _valid(forwarded[-proxies])
    return _valid(remote)


def _valid(address: str) -> str | None:
    try:
        return str(ip_address(address))
    except ValueError:
        return None
