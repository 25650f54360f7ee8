"""Rate limits on the webhooks: a sender of bad signatures hears 429, a platform's signed delivery never
does, and a limit whose counters are unreachable lets everything through."""

import os
import uuid

import pytest

from inbox.models import Message
from webcare import ratelimits

pytestmark = pytest.mark.django_db

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings, monkeypatch):
    settings.WEBHOOK_FAILURES_PER_MINUTE = LIMIT
    monkeypatch.setitem(ratelimits._cache_rests_until, "monotonic", 0.0)  # the cache is not resting


def test_a_sender_of_bad_signatures_is_told_to_slow_down(send):
    answers = [send.meta("messenger_text", signature="sha256=00").status_code for _ in range(LIMIT + 2)]
    assert answers == [403] * LIMIT + [429, 429]
    assert not Message.objects.exists()


def test_a_signed_delivery_is_accepted_from_an_address_that_sent_bad_ones(send):
    for _ in range(LIMIT + 1):
        send.twilio("inbound_text", signature="bad")
    assert send.twilio("inbound_text").status_code == 200
    assert send.meta("messenger_text").status_code == 200
    assert send.x("aaa_dm").status_code == 200
    assert Message.objects.count() == 3


def test_a_flood_of_signed_deliveries_is_never_limited(send):
    for number in range(LIMIT * 4):
        params = {**_twilio_text(), "MessageSid": f"SM{number:032d}"}
        assert send.twilio(params).status_code == 200
    assert Message.objects.count() == LIMIT * 4


def test_bad_signatures_count_per_sender(send, client):
    for _ in range(LIMIT + 1):
        send.x("aaa_dm", signature="sha256=AAAA")
    assert send.x("aaa_dm", signature="sha256=AAAA").status_code == 429
    other = client.post("/webhooks/x/", b"{}", content_type="application/json", REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 403


def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_saw(settings, client):
    settings.TRUSTED_PROXIES = 1

    def bad_from(address: str, spoofed: str = "203.0.113.66"):
        return client.post(
            "/webhooks/meta/",
            b"{}",
            content_type="application/json",
            HTTP_X_FORWARDED_FOR=f"{spoofed}, {address}",
            REMOTE_ADDR="10.0.0.1",  # the proxy
        ).status_code

    # The left-hand entry is the sender's own claim: changing it does not reset the count.
    assert [bad_from("198.51.100.5", spoofed=str(n)) for n in range(LIMIT + 1)] == [403] * LIMIT + [429]
    assert bad_from("198.51.100.6") == 403


def test_handshakes_are_limited_too(client):
    answers = [client.get("/webhooks/x/", {"crc_token": "abc"}).status_code for _ in range(LIMIT + 1)]
    assert answers == [200] * LIMIT + [429]
    verify = {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    answers = [client.get("/webhooks/meta/", verify).status_code for _ in range(LIMIT + 1)]
    assert answers == [403] * LIMIT + [429]


def test_with_the_cache_down_messages_are_still_taken_in(send, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 0.3},
        }
    }
    answers = [send.meta("messenger_text", signature="sha256=00").status_code for _ in range(LIMIT + 2)]
    assert answers == [403] * (LIMIT + 2)  # not counted, so never 429, and never a 500
    assert "the cache is unreachable" in caplog.text
    assert send.meta("messenger_text").status_code == 200
    assert send.twilio("inbound_text").status_code == 200
    assert Message.objects.count() == 2


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (CI sets REDIS_URL)")
def test_in_redis_the_count_is_shared_by_every_process(send, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # its keys expire after a minute; nothing is flushed
        }
    }
    answers = [send.meta("messenger_text", signature="sha256=00").status_code for _ in range(LIMIT + 1)]
    assert answers == [403] * LIMIT + [429]
    assert send.meta("messenger_text").status_code == 200


def _twilio_text() -> dict:
    from tests import signing

    return signing.load_fixture("twilio", "inbound_text")
