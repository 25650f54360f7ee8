"""Turn webhook fixtures into the exact bytes and signature headers the platforms send.

Standard library only (no Django import), so it works in unit tests, in the Django
test client and from a shell.  The fixtures in ``tests/fixtures/<platform>/`` hold the
*decoded* payload; the helpers here produce what goes over the wire:

* **Twilio** posts ``application/x-www-form-urlencoded`` params and signs
  ``url + name1 + value1 + name2 + value2 …`` (names sorted; a repeated name's values
  sorted) with HMAC-SHA1 keyed by the Auth Token, base64-encoded, in
  ``X-Twilio-Signature``.  The URL is the *public* one Twilio called, query string
  included.
* **Meta** (Messenger, Instagram, Page feed) posts ASCII-only JSON (non-ASCII as
  ``\\uXXXX``, ``/`` as ``\\/``) and signs the raw body with HMAC-SHA256 keyed by the
  App Secret: ``X-Hub-Signature-256: sha256=<hex>``.
* **X** posts UTF-8 JSON and signs the raw body with HMAC-SHA256 keyed by the consumer
  secret, base64: ``X-Twitter-Webhooks-Signature: sha256=<base64>``.  The CRC
  challenge is answered with the same HMAC over the ``crc_token``.

Usage with Django's test client::

    params = load_fixture("twilio", "inbound_text")
    url = "http://testserver/webhooks/twilio/whatsapp/"
    client.post(url, params, **twilio_headers(url, params, TWILIO_AUTH_TOKEN))

    body = meta_body(load_fixture("meta", "messenger_text"))
    client.post(url, body, content_type="application/json", **meta_headers(body, META_APP_SECRET))
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

# Secrets the test settings are expected to use.  Obviously fake.
TWILIO_AUTH_TOKEN = "test-twilio-token"
META_APP_SECRET = "test-meta-secret"
META_VERIFY_TOKEN = "test-verify-token"
X_CONSUMER_SECRET = "test-x-secret"


def load_fixture(platform: str, name: str) -> dict:
    """Return the decoded payload in ``tests/fixtures/<platform>/<name>.json``.

    ``name`` may be given with or without the ``.json`` suffix.  Each call returns a
    fresh dict, so tests may modify it freely.
    """
    filename = name if name.endswith(".json") else f"{name}.json"
    with open(FIXTURES_DIR / platform / filename, encoding="utf-8") as fh:
        return json.load(fh)


# --------------------------------------------------------------------------- Twilio


def _param_items(params: Any) -> list[tuple[str, list[str]]]:
    """(name, [values]) pairs from a dict, a dict of lists, or a QueryDict/MultiDict."""
    if hasattr(params, "getlist"):
        return [(name, [str(v) for v in params.getlist(name)]) for name in params]
    items = []
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else [value]
        items.append((name, [str(v) for v in values]))
    return items


def twilio_signature(url: str, params: Mapping[str, Any], auth_token: str) -> str:
    """Base64 HMAC-SHA1 of ``url`` followed by name+value of every param.

    Params are sorted by name; the values of a repeated name (a list, or
    ``QueryDict.getlist``) are sorted too.  Same result as
    ``twilio.request_validator.RequestValidator(auth_token).compute_signature``.
    """
    pieces = [url]
    for name, values in sorted(_param_items(params)):
        pieces.extend(name + value for value in sorted(set(values)))  # as RequestValidator does
    digest = hmac.new(auth_token.encode("utf-8"), "".join(pieces).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def twilio_headers(url: str, params: Mapping[str, Any], auth_token: str = TWILIO_AUTH_TOKEN) -> dict:
    """Django test-client extra headers for a Twilio webhook POST to ``url``."""
    return {"HTTP_X_TWILIO_SIGNATURE": twilio_signature(url, params, auth_token)}


def twilio_post(url: str, params: Mapping[str, Any], auth_token: str = TWILIO_AUTH_TOKEN) -> dict:
    """Django test-client arguments for a Twilio webhook POST: a form, URL-encoded as Twilio sends it."""
    return {
        "data": urlencode(params),
        "content_type": "application/x-www-form-urlencoded",
        **twilio_headers(url, params, auth_token),
    }


# --------------------------------------------------------------------------- Meta


def meta_body(payload: Any) -> bytes:
    """Serialise like Meta does: compact, ASCII-only (``\\uXXXX``) and ``/`` as ``\\/``.

    A receiver that re-serialises ``json.loads(body)`` before checking the
    signature will therefore fail, as it would in production.
    """
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return text.replace("/", "\\/").encode("ascii")


def meta_signature(body: bytes, secret: str) -> str:
    """``sha256=`` + hex HMAC-SHA256 of the raw body, keyed with the App Secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def meta_headers(body: bytes, secret: str = META_APP_SECRET) -> dict:
    """Django test-client extra headers (``X-Hub-Signature-256``) for a Meta webhook POST."""
    return {"HTTP_X_HUB_SIGNATURE_256": meta_signature(body, secret)}


# --------------------------------------------------------------------------- X


def _x_hmac(message: bytes, secret: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")


def x_body(payload: Any) -> bytes:
    """Serialise like X does: compact UTF-8 JSON, non-ASCII characters unescaped."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def x_signature(body: bytes, consumer_secret: str) -> str:
    """``sha256=`` + base64 HMAC-SHA256 of the raw body, keyed with the consumer secret."""
    return _x_hmac(body, consumer_secret)


def x_headers(body: bytes, secret: str = X_CONSUMER_SECRET) -> dict:
    """Django test-client extra headers (``X-Twitter-Webhooks-Signature``) for an X webhook POST."""
    return {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": x_signature(body, secret)}


def x_crc_response_token(crc_token: str, secret: str = X_CONSUMER_SECRET) -> str:
    """The ``response_token`` a correct CRC GET answer carries: ``sha256=`` + base64 HMAC."""
    return _x_hmac(crc_token.encode("utf-8"), secret)
