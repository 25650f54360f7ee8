"""The webhook signing helpers and fixtures are themselves correct.

Twilio signatures are cross-checked against twilio-python's own validator; Meta and X
signatures against an independent HMAC computed here.  No database needed.
"""

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from twilio.request_validator import RequestValidator

from tests.signing import (
    FIXTURES_DIR,
    META_APP_SECRET,
    META_VERIFY_TOKEN,
    TWILIO_AUTH_TOKEN,
    X_CONSUMER_SECRET,
    load_fixture,
    meta_body,
    meta_headers,
    meta_signature,
    twilio_headers,
    twilio_signature,
    x_body,
    x_crc_response_token,
    x_headers,
    x_signature,
)

TWILIO_FIXTURES = sorted(p.stem for p in (FIXTURES_DIR / "twilio").glob("*.json"))
META_FIXTURES = sorted(p.stem for p in (FIXTURES_DIR / "meta").glob("*.json"))
X_FIXTURES = sorted(p.stem for p in (FIXTURES_DIR / "x").glob("*.json"))

TWILIO_URLS = [
    "https://webcare.gemeentedemo.nl/webhooks/twilio/whatsapp/",
    "https://webcare.gemeentedemo.nl/webhooks/twilio/status/?channel=wa&tenant=demo",
]

EXPECTED = {
    "twilio": {
        "inbound_text",
        "inbound_image",
        "inbound_two_media",
        "status_sent",
        "status_delivered",
        "status_read",
        "status_undelivered_63016",
        "status_failed",
    },
    "meta": {
        "messenger_text",
        "messenger_image",
        "messenger_echo",
        "messenger_delivery",
        "messenger_read",
        "messenger_batch",
        "messenger_reaction",
        "page_comment",
        "page_comment_by_page",
        "page_comment_edited",
        "instagram_text",
        "instagram_image",
        "instagram_echo",
        "instagram_story_mention",
        "instagram_comment",
        "instagram_comment_reply",
        "instagram_mention",
        "instagram_seen",
    },
    "x": {
        "aaa_dm",
        "aaa_dm_image",
        "aaa_dm_echo",
        "aaa_mention",
        "aaa_own_tweet",
        "aaa_favorite",
        "xaa_dm_received",
        "xaa_post_mention",
        "xaa_dm_sent",
    },
}

PAGE_ID = "104857600123456"
IG_ACCOUNT_ID = "17841400123456789"
X_ACCOUNT_ID = "1600000000000000001"
WHATSAPP_SENDER = "whatsapp:+31850001234"


def test_secrets_are_the_agreed_test_values():
    assert TWILIO_AUTH_TOKEN == "test-twilio-token"
    assert META_APP_SECRET == "test-meta-secret"
    assert X_CONSUMER_SECRET == "test-x-secret"
    assert META_VERIFY_TOKEN == "test-verify-token"


@pytest.mark.parametrize("platform", sorted(EXPECTED))
def test_every_expected_fixture_exists(platform):
    present = {p.stem for p in (FIXTURES_DIR / platform).glob("*.json")}
    assert EXPECTED[platform] <= present, EXPECTED[platform] - present


def test_load_fixture_accepts_suffix_and_returns_a_fresh_dict():
    first = load_fixture("twilio", "inbound_text")
    first["Body"] = "changed"
    assert load_fixture("twilio", "inbound_text.json")["Body"] != "changed"


# --------------------------------------------------------------------------- Twilio


@pytest.mark.parametrize("url", TWILIO_URLS)
@pytest.mark.parametrize("name", TWILIO_FIXTURES)
def test_twilio_signature_matches_twilio_library(name, url):
    params = load_fixture("twilio", name)
    validator = RequestValidator(TWILIO_AUTH_TOKEN)
    signature = twilio_signature(url, params, TWILIO_AUTH_TOKEN)

    assert signature == validator.compute_signature(url, params)
    assert validator.validate(url, params, signature) is True
    # Twilio also accepts the URL with an explicit default port.
    assert validator.validate(url.replace(".nl/", ".nl:443/", 1), params, signature) is True


@pytest.mark.parametrize("name", TWILIO_FIXTURES)
def test_twilio_signature_validates_against_a_django_querydict(name):
    url = TWILIO_URLS[0]
    params = load_fixture("twilio", name)
    query = QueryDict(urlencode(params))  # what request.POST holds for the form body
    validator = RequestValidator(TWILIO_AUTH_TOKEN)
    signature = twilio_headers(url, params, TWILIO_AUTH_TOKEN)["HTTP_X_TWILIO_SIGNATURE"]

    assert query.dict() == params  # blank values (e.g. an empty Body) survive
    assert twilio_signature(url, query, TWILIO_AUTH_TOKEN) == signature
    assert validator.validate(url, query, signature) is True

    tampered = query.copy()
    tampered["Body"] = query.get("Body", "") + "!"
    assert validator.validate(url, tampered, signature) is False
    assert RequestValidator("wrong-token").validate(url, query, signature) is False
    assert validator.validate(url.replace("https://", "http://", 1), query, signature) is False


def test_twilio_signature_sorts_repeated_values_like_twilio():
    url = TWILIO_URLS[0]
    query = QueryDict("b=2&a=z&a=y&To=whatsapp%3A%2B31850001234")
    expected = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(url, query)

    assert twilio_signature(url, query, TWILIO_AUTH_TOKEN) == expected
    assert (
        twilio_signature(url, {"b": "2", "a": ["z", "y"], "To": WHATSAPP_SENDER}, TWILIO_AUTH_TOKEN)
        == expected
    )


def test_twilio_headers_uses_the_django_meta_key():
    params = load_fixture("twilio", "inbound_text")
    headers = twilio_headers(TWILIO_URLS[0], params, TWILIO_AUTH_TOKEN)
    assert headers == {"HTTP_X_TWILIO_SIGNATURE": twilio_signature(TWILIO_URLS[0], params, TWILIO_AUTH_TOKEN)}


# --------------------------------------------------------------------------- Meta


def test_meta_body_is_ascii_with_escapes_like_meta():
    payload = {"text": "Café één 🚲", "url": "https://example.org/a/b"}
    body = meta_body(payload)

    body.decode("ascii")  # raises if not pure ASCII
    assert b"\\/" in body and b"https:\\/\\/example.org\\/a\\/b" in body
    assert b"Caf\\u00e9" in body and b"\\u00e9\\u00e9n" in body
    assert b"\\ud83d\\udeb2" in body  # the emoji as a surrogate pair
    assert b": " not in body and b", " not in body
    assert json.loads(body) == payload


@pytest.mark.parametrize("name", META_FIXTURES)
def test_meta_fixture_body_and_signature(name):
    payload = load_fixture("meta", name)
    body = meta_body(payload)
    expected = "sha256=" + hmac.new(META_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()

    assert body.isascii()
    assert json.loads(body) == payload
    assert meta_signature(body, META_APP_SECRET) == expected
    assert meta_headers(body, META_APP_SECRET) == {"HTTP_X_HUB_SIGNATURE_256": expected}
    # Re-serialising the parsed JSON gives other bytes, so it must not verify.
    reserialised = json.dumps(json.loads(body), ensure_ascii=False).encode("utf-8")
    assert reserialised != body
    assert meta_signature(reserialised, META_APP_SECRET) != expected


def test_meta_fixtures_contain_slashes_and_non_ascii():
    bodies = [meta_body(load_fixture("meta", name)) for name in META_FIXTURES]
    raw = [json.dumps(load_fixture("meta", name), ensure_ascii=False) for name in META_FIXTURES]
    assert any("é" in text for text in raw)
    assert any("ë" in text for text in raw)
    assert any(any(ord(ch) > 0xFFFF for ch in text) for text in raw)  # an emoji
    assert sum(b"\\/" in body for body in bodies) >= 3


# --------------------------------------------------------------------------- X


def test_x_signature_known_answer():
    body = b'{"for_user_id":"1600000000000000001"}'
    mac = hmac.new(b"test-x-secret", body, hashlib.sha256).digest()
    expected = "sha256=" + base64.b64encode(mac).decode("ascii")

    assert x_signature(body, X_CONSUMER_SECRET) == expected
    assert x_headers(body, X_CONSUMER_SECRET) == {"HTTP_X_TWITTER_WEBHOOKS_SIGNATURE": expected}


def test_x_body_is_compact_unescaped_utf8():
    payload = {"text": "Café één 🚲", "url": "https://example.org/a"}
    assert x_body(payload) == '{"text":"Café één 🚲","url":"https://example.org/a"}'.encode()


def test_x_crc_response_token_known_answer():
    token = "9c7d3a1e-5b2f-4e8a-b6c4-0d2e4f6a8b1c"
    mac = hmac.new(b"test-x-secret", token.encode(), hashlib.sha256).digest()
    assert x_crc_response_token(token, X_CONSUMER_SECRET) == "sha256=" + base64.b64encode(mac).decode()


@pytest.mark.parametrize("name", X_FIXTURES)
def test_x_fixture_body_is_utf8_and_signed(name):
    payload = load_fixture("x", name)
    body = x_body(payload)
    mac = hmac.new(X_CONSUMER_SECRET.encode(), body, hashlib.sha256).digest()

    assert json.loads(body.decode("utf-8")) == payload
    assert b"\\u" not in body  # X does not escape non-ASCII
    assert x_signature(body, X_CONSUMER_SECRET) == "sha256=" + base64.b64encode(mac).decode()


# --------------------------------------------------------------------------- fixture shapes


@pytest.mark.parametrize("name", TWILIO_FIXTURES)
def test_twilio_fixture_shape(name):
    params = load_fixture("twilio", name)
    assert isinstance(params, dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    assert params["AccountSid"].startswith("AC") and len(params["AccountSid"]) == 34
    assert len(params["MessageSid"]) == 34
    assert params["SmsSid"] == params["MessageSid"]
    if name.startswith("inbound"):
        assert params["To"] == WHATSAPP_SENDER
        assert params["From"].startswith("whatsapp:+316")
        assert params["WaId"] == params["From"].removeprefix("whatsapp:+")
        for i in range(int(params["NumMedia"])):
            assert params[f"MediaUrl{i}"].startswith(
                f"https://api.twilio.com/2010-04-01/Accounts/{params['AccountSid']}/Messages/{params['MessageSid']}/Media/ME"
            )
            assert params[f"MediaContentType{i}"]
    else:
        assert params["From"] == WHATSAPP_SENDER
        assert params["MessageStatus"] == params["SmsStatus"]
        assert params["ChannelPrefix"] == "whatsapp"


def test_twilio_status_fixtures_tell_a_consistent_story():
    sent, delivered, read = (load_fixture("twilio", f"status_{s}") for s in ("sent", "delivered", "read"))
    assert sent["MessageSid"] == delivered["MessageSid"] == read["MessageSid"]
    assert [sent["MessageStatus"], delivered["MessageStatus"], read["MessageStatus"]] == [
        "sent",
        "delivered",
        "read",
    ]

    window = load_fixture("twilio", "status_undelivered_63016")
    failed = load_fixture("twilio", "status_failed")
    assert len({sent["MessageSid"], window["MessageSid"], failed["MessageSid"]}) == 3
    assert (window["MessageStatus"], window["ErrorCode"], window["EventType"]) == (
        "undelivered",
        "63016",
        "UNDELIVERED",
    )
    assert failed["MessageStatus"] == "failed" and failed["ErrorCode"]


@pytest.mark.parametrize("name", META_FIXTURES)
def test_meta_fixture_shape(name):
    payload = load_fixture("meta", name)
    assert payload["object"] in {"page", "instagram"}
    assert isinstance(payload["entry"], list) and payload["entry"]
    account = PAGE_ID if payload["object"] == "page" else IG_ACCOUNT_ID
    for entry in payload["entry"]:
        assert entry["id"] == account
        assert isinstance(entry.get("messaging", entry.get("changes")), list)


@pytest.mark.parametrize("name", X_FIXTURES)
def test_x_fixture_shape(name):
    payload = load_fixture("x", name)
    if "for_user_id" in payload:
        assert payload["for_user_id"] == X_ACCOUNT_ID
    else:
        assert payload["data"]["event_type"]
        assert payload["data"]["filter"]["user_id"] == X_ACCOUNT_ID
