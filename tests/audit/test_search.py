"""Leads search the log by who, action, record, day and address, and download what they found."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import Action, AuditEntry
from tests.factories import conversation

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def entry(
    actor, action=Action.VIEWED, *, at, object_type="contact", object_id="7", ip="192.0.2.1", summary=""
):
    return AuditEntry.objects.create(
        at=datetime(*at, tzinfo=AMSTERDAM),
        actor=actor,
        actor_name=actor.username,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary or f"inbox:{object_type}",
        ip_address=ip,
    )


@pytest.fixture
def history(eva, bram, lotte):
    """Three entries on two days, and lotte's log-in of the test itself."""
    return [
        entry(eva, at=(2026, 3, 1, 9, 0)),
        entry(bram, Action.CHANGED, at=(2026, 3, 1, 23, 30), object_type="conversation", object_id="12"),
        entry(eva, at=(2026, 3, 2, 0, 30), object_id="8", ip="198.51.100.2"),
    ]


def shown(client, **filters) -> list[int]:
    response = client.get(reverse("audit:log"), filters)
    assert response.status_code == 200
    return [entry.pk for entry in response.context["page"] if entry.action != Action.LOGGED_IN]


def test_a_lead_sees_the_log_newest_first(client, lotte, history):
    client.force_login(lotte)
    response = client.get(reverse("audit:log"))
    assert "Auditlog" in response.content.decode()
    assert shown(client) == [e.pk for e in reversed(history)]


def test_the_log_filters_on_who_what_which_record_and_where(client, lotte, history):
    first, changed, last = history
    client.force_login(lotte)
    assert shown(client, actor="eva") == [last.pk, first.pk]
    assert shown(client, action="changed") == [changed.pk]
    assert shown(client, object_type="contact", object_id="7") == [first.pk]
    assert shown(client, object_type="conversation") == [changed.pk]
    assert shown(client, ip_address="198.51.100.2") == [last.pk]
    assert shown(client, actor="eva", object_type="contact", object_id="8") == [last.pk]


def test_the_days_are_whole_days_in_amsterdam_both_included(client, lotte, history):
    first, changed, last = history
    client.force_login(lotte)
    assert shown(client, since="2026-03-01", until="2026-03-01") == [changed.pk, first.pk]  # 23:30 counts
    assert shown(client, since="2026-03-02", until="2026-03-02") == [last.pk]


def test_filters_that_make_no_sense_show_an_error_and_nothing(client, lotte, history):
    client.force_login(lotte)
    response = client.get(reverse("audit:log"), {"since": "2026-03-02", "until": "2026-03-01"})
    assert "Deze filters kloppen niet." in response.content.decode()
    assert list(response.context["page"]) == []
    response = client.get(reverse("audit:log"), {"ip_address": "not an address"})
    assert response.context["page"].paginator.count == 0


def test_the_log_comes_in_pages_of_fifty(client, lotte, eva):
    for minute in range(55):
        entry(eva, at=(2026, 3, 1, 9, minute))
    client.force_login(lotte)
    assert len(client.get(reverse("audit:log"), {"action": "viewed"}).context["page"]) == 50
    assert len(client.get(reverse("audit:log"), {"action": "viewed", "page": 2}).context["page"]) == 5


def test_the_download_holds_the_filtered_entries_and_is_itself_recorded(client, lotte, history):
    first = history[0]
    client.force_login(lotte)
    response = client.get(reverse("audit:export"), {"object_type": "contact", "object_id": "7"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [
        ["Wanneer", "Wie", "Actie", "Betreft (soort)", "Betreft (nummer)", "Wat", "IP-adres"],
        ["2026-03-01T09:00:00+01:00", "eva", "viewed", "contact", "7", "inbox:contact", "192.0.2.1"],
    ]
    exported = AuditEntry.objects.get(action=Action.EXPORTED)
    assert (exported.actor, exported.object_type, exported.object_id) == (lotte, "contact", "7")
    assert exported.summary == "audit:export object_type=contact object_id=7"
    assert first.pk != exported.pk


def test_the_download_never_hands_a_spreadsheet_a_formula(client, lotte, eva):
    entry(eva, at=(2026, 3, 1, 9, 0), summary="=HYPERLINK(1)")
    client.force_login(lotte)
    content = b"".join(client.get(reverse("audit:export"), {"actor": "eva"}).streaming_content).decode()
    assert "'=HYPERLINK(1)" in content


def test_invalid_filters_give_no_download(client, lotte):
    client.force_login(lotte)
    assert client.get(reverse("audit:export"), {"action": "deleted"}).status_code == 400
    assert not AuditEntry.objects.filter(action=Action.EXPORTED).exists()


def test_a_lead_goes_from_a_contact_to_its_log(client, lotte, eva):
    found = conversation()
    link = f'href="/audit/?object_type=contact&amp;object_id={found.contact_id}"'
    client.force_login(lotte)
    assert link in client.get(reverse("inbox:contact", args=[found.contact_id])).content.decode()
    client.force_login(eva)
    assert link not in client.get(reverse("inbox:contact", args=[found.contact_id])).content.decode()
