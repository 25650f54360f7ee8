"""Webhook endpoints. Each one checks the signature first, then stores, then answers 200 quickly."""

import logging
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from channels import services, signatures
from channels.events import Malformed
from channels.models import Platform
from webcare import ratelimits

logger = logging.getLogger(__name__)
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# X's CRC tokens are short base64/uuid strings. Anything else could be a forged body to get signed.
CRC_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{1,200}")


def webhook(platform: str, endpoint: str, is_valid):
    """A view that verifies a platform's POST and keeps it for a worker to file (`services.ingest`)."""

    def view(request: HttpRequest) -> HttpResponse:
        body = request.body  # read first: the signature is over these bytes
        if not is_valid(request):
            return _refused(request, platform)
        delivery = {
            "platform": platform,
            "endpoint": endpoint,
            "body": body,
            "query": request.META.get("QUERY_STRING", ""),
            "content_type": request.content_type or "",
        }
        try:
            services.ingest(**delivery)
        except Malformed as error:
            services.keep_malformed(**delivery, error=str(error))
            return HttpResponseBadRequest(f"malformed delivery: {error}")
        return _ok(platform)

    return view


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


def _ok(platform: str) -> HttpResponse:
    if platform == Platform.TWILIO:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")  # no automatic answer to the resident
    return HttpResponse("EVENT_RECEIVED", content_type="text/plain")


whatsapp_message = csrf_exempt(require_POST(webhook(Platform.TWILIO, "whatsapp", signatures.twilio_is_valid)))
whatsapp_status = csrf_exempt(
    require_POST(webhook(Platform.TWILIO, "whatsapp-status", signatures.twilio_is_valid))
)
_meta_post = webhook(Platform.META, "meta", signatures.meta_is_valid)
_x_post = webhook(Platform.X, "x", signatures.x_is_valid)


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
