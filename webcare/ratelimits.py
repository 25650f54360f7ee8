"""Counting a client's requests per minute, for limits that must never take the desk down with them.

The counters live in the default cache: Redis when REDIS_URL is set, so every process counts together.
When the cache cannot be reached the limit lets the request through and logs why: a rate limit protects
the desk, it must never be the reason a resident's message is refused. After such a failure the cache
rests for a few seconds, so a flood while Redis is down does not wait for a time-out per request.
"""

import logging
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from webcare.lib.addresses import client_address  # REMOTE_ADDR, or behind TRUSTED_PROXIES the proxy's view

logger = logging.getLogger(__name__)
CACHE_REST_SECONDS = 10
_cache_rests_until = {"monotonic": 0.0}


def exceeded(scope: str, request: HttpRequest, *, limit: int, period: int = 60) -> bool:
    """Count this request against its client's budget for `scope`: True once past `limit` in the period.

    Fails open: True only when the count could be read.
    """
    now = time.monotonic()
    if now < _cache_rests_until["monotonic"]:
        return False
    # The counter lives `period` seconds from the client's first request: incr keeps its expiry.
    key = f"ratelimit:{scope}:{client_address(request) or 'unknown'}"
    try:
        count = 1 if cache.add(key, 1, timeout=period) else cache.incr(key)
    except ValueError:  # the counter expired between add and incr: this is the first of a new one
        count = 1
    except Exception:  # Redis down, a time-out, a full cache: none of them may refuse the request
        _cache_rests_until["monotonic"] = now + CACHE_REST_SECONDS
        logger.warning("rate limit %r not counted: the cache is unreachable", scope, exc_info=True)
        return False
    return count > limit


def too_many_requests(period: int = 60) -> HttpResponse:
    response = HttpResponse("too many requests", status=429, content_type="text/plain")
    response["Retry-After"] = str(period)
    return response
