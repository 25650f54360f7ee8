"""Guessing passwords: the lockout per username and address (django-axes) and the hourly limits."""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OFFICE = "192.0.2.10"
ELSEWHERE = "198.51.100.7"


def log_in(client, username, password, address=OFFICE, **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def logged_in_as(client):
    return client.get(reverse("home")).wsgi_request.user.get_username() or None


def fail(client, username, times, address=OFFICE):
    return [log_in(client, username, "wrong-password", address) for _ in range(times)]


def test_five_wrong_passwords_lock_the_username_out_from_that_address(client, eva):
    responses = fail(client, "eva", 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    page = responses[-1].content.decode()
    assert "Te veel pogingen" in page
    assert "Probeer het over 15 minuten opnieuw" in page
    assert responses[-1]["Retry-After"] == str(15 * 60)

    refused = log_in(client, "eva", PASSWORD)
    assert refused.status_code == 429
    assert logged_in_as(client) is None


def test_the_lockout_counts_usernames_in_any_case(client, eva):
    fail(client, "Eva", 2)
    fail(client, "EVA", 3)
    assert log_in(client, "eva", PASSWORD).status_code == 429


def test_colleagues_behind_the_same_address_can_still_log_in(client, eva, bram):
    fail(client, "eva", 5)
    assert log_in(client, "bram", PASSWORD).status_code == 302
    assert logged_in_as(client) == "bram"


def test_the_same_user_can_still_log_in_from_another_address(client, eva):
    fail(client, "eva", 5)
    assert log_in(client, "eva", PASSWORD, address=ELSEWHERE).status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, eva):
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False) as clock:
        fail(client, "eva", 5)
        clock.shift(timedelta(minutes=16))
        assert log_in(client, "eva", PASSWORD).status_code == 302


def test_logging_in_clears_the_earlier_failures(client, eva):
    fail(client, "eva", 4)
    assert log_in(client, "eva", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, "eva", 4)
    assert log_in(client, "eva", PASSWORD).status_code == 302


def test_behind_a_proxy_the_lockout_counts_the_forwarded_client(client, settings, eva):
    settings.TRUSTED_PROXIES = 1
    for _ in range(5):
        log_in(client, "eva", "wrong", address="10.0.0.2", HTTP_X_FORWARDED_FOR=f"evil, {ELSEWHERE}")
    assert AccessAttempt.objects.get().ip_address == ELSEWHERE  # not "evil", which the client wrote
    behind_proxy = log_in(client, "eva", PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR=OFFICE)
    assert behind_proxy.status_code == 302


def test_an_administrator_unlocks_a_user_in_the_admin(client, eva, ada):
    fail(client, "eva", 5)
    client.force_login(ada)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert "eva" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="eva")
    client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    client.post(reverse("logout"))
    assert log_in(client, "eva", PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_stopped(client, settings, eva):
    settings.LOGIN_FAILURES_PER_HOUR_PER_ADDRESS = 3
    for username in ("piet", "klaas", "jan"):
        assert log_in(client, username, "guess").status_code == 200
    stopped = log_in(client, "eva", PASSWORD)
    assert stopped.status_code == 429
    assert "Te veel pogingen" in stopped.content.decode()
    assert log_in(client, "eva", PASSWORD, address=ELSEWHERE).status_code == 302


def test_many_addresses_guessing_one_password_are_stopped(client, settings, eva):
    settings.LOGIN_FAILURES_PER_HOUR_PER_USERNAME = 3
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        assert log_in(client, "eva", "guess", address=address).status_code == 200
    assert log_in(client, "eva", PASSWORD, address="203.0.113.4").status_code == 429


def test_the_rate_limit_lets_log_ins_through_when_the_cache_is_down(client, settings, eva):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1",
        }
    }
    fail(client, "eva", 2)
    assert log_in(client, "eva", PASSWORD).status_code == 302


def test_api_tokens_are_not_password_log_ins(eva):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    for _ in range(6):
        assert api.get(reverse("api-conversations")).status_code == 401
    assert not AccessAttempt.objects.exists()
