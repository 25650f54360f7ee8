"""Log-ins, log-outs and failed log-ins are recorded; a failed one names only an account that exists."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_logging_in_and_out_is_recorded_with_the_address(client, eva):
    client.post(reverse("login"), {"username": "eva", "password": PASSWORD}, REMOTE_ADDR="198.51.100.4")
    client.post(reverse("logout"), REMOTE_ADDR="198.51.100.4")
    logged = [(e.action, e.actor, e.actor_name, e.ip_address) for e in AuditEntry.objects.all()]
    assert logged == [
        (Action.LOGGED_OUT, eva, "eva", "198.51.100.4"),
        (Action.LOGGED_IN, eva, "eva", "198.51.100.4"),
    ]


def test_a_failed_log_in_names_the_account_that_was_tried(client, eva):
    client.post(reverse("login"), {"username": "eva", "password": "not-her-password"})
    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.actor, entry.actor_name, entry.ip_address) == (
        Action.LOGIN_FAILED,
        eva,
        "eva",
        "127.0.0.1",
    )
    assert "not-her-password" not in repr(AuditEntry.objects.values().get())


def test_a_failed_log_in_with_a_name_that_is_no_account_leaves_the_name_out(client, eva):
    # Someone typed their password where the name goes: it must not land in the log.
    client.post(reverse("login"), {"username": PASSWORD, "password": "eva"})
    [entry] = AuditEntry.objects.all()
    assert (entry.action, entry.actor, entry.actor_name) == (Action.LOGIN_FAILED, None, "")
    assert PASSWORD not in repr(AuditEntry.objects.values().get())


def test_logging_out_without_being_logged_in_records_nothing(client):
    client.post(reverse("logout"))
    assert not AuditEntry.objects.exists()
