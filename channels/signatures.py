"""Is this request really from the platform? Checked on the raw request, before anything is read."""

import base64
import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator


def public_url(request: HttpRequest) -> str:
    """The URL the platform called, as it saw it: behind a proxy that is PUBLIC_BASE_URL, not our host."""
    return settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()


def twilio_is_valid(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not (signature and settings.TWILIO_AUTH_TOKEN):
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(public_url(request), request.POST, signature)


def meta_is_valid(request: HttpRequest) -> bool:
    """X-Hub-Signature-256 over the raw bytes: Meta's JSON escapes unicode and '/', so never re-encode."""
    signature = request.headers.get("X-Hub-Signature-256", "")
    if not (signature.startswith("sha256=") and settings.META_APP_SECRET):
        return False
    expected = hmac.new(settings.META_APP_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    return _same(signature.removeprefix("sha256="), expected)


def x_is_valid(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twitter-Webhooks-Signature", "")
    if not (signature.startswith("sha256=") and settings.X_CONSUMER_SECRET):
        return False
    return _same(signature, _x_token(request.body))


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also survives a header with non-ASCII characters."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


def x_crc_response_token(crc_token: str) -> str:
    return _x_token(crc_token.encode())


def _x_token(message: bytes) -> str:
    mac = hmac.new(settings.X_CONSUMER_SECRET.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode()
