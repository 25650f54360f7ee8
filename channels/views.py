"""Webhook endpoints. Each one checks the signature first, then stores, then answers 200 quickly."""

import json
import logging
import re
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from channels import meta, services, signatures, whatsapp, x
from channels.events import Malformed
from channels.models import Platform
from webcare import ratelimits
from webcare.lib.db import retry_transient

logger = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# X's CRC tokens are short base64/uuid strings. Anything else could be a forged body to get signed.
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,200}")


def webhook(platform: str, endpoint: str, is_valid):
    """Verify, parse and store a platform's POST; a view only says how to parse it."""

    def decorator(parse):
        @wraps(parse)
        def view(request: HttpRequest) -> HttpResponse:
            body = request.body  # read first: the signature is over these bytes
            if not is_valid(request):
                return _refused(request, platform)
            content_type = request.content_type or ""
            try:
                events = _parsed(parse, request)
                # Many deliveries at once can deadlock on a resident's rows: the loser runs again.
                retry_transient(
                    lambda: services.ingest(
                        platform=platform,
                        endpoint=endpoint,
                        body=body,
                        content_type=content_type,
                        events=events,
                    )
                )
            except Malformed as error:
                services.keep_malformed(
                    platform=platform,
                    endpoint=endpoint,
                    body=body,
                    content_type=content_type,
                    error=str(error),
                )
                return HttpResponseBadRequest(f"malformed delivery: {error}")
            return _ok(platform)

        return view

    return decorator


def _refused(request: HttpRequest, platform: str) -> HttpResponse:
    """A bad signature is refused; past the limit a sender of bad signatures hears 429.

    Only failures count: a validly signed delivery is never limited, however many a crisis brings.
    """
    if ratelimits.exceeded("webhook-signature", request, limit=settings.WEBHOOK_FAILURES_PER_MINUTE):
        return ratelimits.too_many_requests()
    logger.warning("%s webhook with a bad signature refused", platform)
    return HttpResponseForbidden("invalid signature")


def _handshake_flood(request: HttpRequest, platform: str) -> bool:
    """Handshakes (Meta's verification, X's CRC) come a few times an hour: more is someone probing."""
    limit = settings.WEBHOOK_FAILURES_PER_MINUTE
    return ratelimits.exceeded(f"webhook-handshake-{platform}", request, limit=limit)


def _parsed(parse, request: HttpRequest) -> list:
    """Whatever a parser trips over in a delivery it cannot read makes the delivery malformed."""
    try:
        return parse(request)
    except Malformed:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError, OverflowError, OSError) as error:
        raise Malformed(f"{type(error).__name__}: {error}") from error


def _json_body(request: HttpRequest):
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError) as error:
        raise Malformed("the body is not JSON") from error


def _ok(platform: str) -> HttpResponse:
    if platform == Platform.TWILIO:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")  # no automatic answer to the resident
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


@csrf_exempt
@require_POST
@webhook(Platform.TWILIO, "whatsapp", signatures.twilio_is_valid)
def whatsapp_message(request: HttpRequest) -> list:
    return [whatsapp.parse_message(request.POST)]


@csrf_exempt
@require_POST
@webhook(Platform.TWILIO, "whatsapp-status", signatures.twilio_is_valid)
def whatsapp_status(request: HttpRequest) -> list:
    update = whatsapp.parse_status(request.POST, send_key=request.GET.get("key", ""))
    return [update] if update else []


@webhook(Platform.META, "meta", signatures.meta_is_valid)
def _meta_post(request: HttpRequest) -> list:
    return meta.parse(_json_body(request))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _meta_post(request)
    if _handshake_flood(request, Platform.META):
        return ratelimits.too_many_requests()
    # The subscription handshake: echo the challenge when the verify token is ours.
    mode, token = request.GET.get("hub.mode"), request.GET.get("hub.verify_token", "")
    if (
        mode == "subscribe"
        and settings.META_VERIFY_TOKEN
        and constant_time_compare(token, settings.META_VERIFY_TOKEN)
    ):
        return HttpResponse(request.GET.get("hub.challenge", ""), content_type="text/plain")
    return HttpResponseForbidden("verification failed")


@webhook(Platform.X, "x", signatures.x_is_valid)
def _x_post(request: HttpRequest) -> list:
    return x.parse(_json_body(request))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def x_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _x_post(request)
    if _handshake_flood(request, Platform.X):
        return ratelimits.too_many_requests()
    token = request.GET.get("crc_token", "")
    if not CRC_TOKEN.fullmatch(token) or not settings.X_CONSUMER_SECRET:
        return HttpResponseBadRequest("crc_token missing or not a token")
    return JsonResponse({"response_token": signatures.x_crc_response_token(token)})
