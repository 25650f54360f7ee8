"""The client's address: REMOTE_ADDR, or X-Forwarded-For only as far as our own proxies wrote it."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from audit.models import Action, AuditEntry
from tests.factories import conversation
from webcare.lib.addresses import client_address

PROXY = "10.0.0.2"


def _address(forwarded: str | None = None, remote: str = PROXY) -> str | None:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **extra))


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = 0
    assert _address("203.0.113.9") == PROXY


def test_behind_one_proxy_the_address_it_appended_counts(settings):
    settings.TRUSTED_PROXIES = 1
    assert _address("203.0.113.9") == "203.0.113.9"
    # Whatever the client put in the header itself stays to the left and is not believed.
    assert _address("192.0.2.66, 203.0.113.9") == "203.0.113.9"


def test_behind_two_proxies_the_address_the_outer_one_appended_counts(settings):
    settings.TRUSTED_PROXIES = 2
    assert _address("192.0.2.66,203.0.113.9, 10.0.0.1") == "203.0.113.9"


def test_a_request_that_passed_fewer_proxies_gets_its_own_address(settings):
    settings.TRUSTED_PROXIES = 2
    assert _address("203.0.113.9") == PROXY
    assert _address() == PROXY


def test_what_is_not_an_address_is_left_out(settings):
    settings.TRUSTED_PROXIES = 1
    assert _address("unknown") is None
    assert _address("2001:db8::1") == "2001:db8::1"
    settings.TRUSTED_PROXIES = 0
    assert _address(remote="") is None


@pytest.mark.django_db
@pytest.mark.parametrize(("proxies", "recorded"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_log_believes_the_forwarded_address_only_with_proxies(client, eva, settings, proxies, recorded):
    settings.TRUSTED_PROXIES = proxies
    found = conversation()
    client.force_login(eva)
    client.get(reverse("inbox:contact", args=[found.contact_id]), HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert AuditEntry.objects.get(action=Action.VIEWED).ip_address == recorded
