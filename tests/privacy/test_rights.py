"""Residents' rights on the contact's privacy page: export, erasure request, legal hold; and who may."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEntry
from inbox.models import Contact
from privacy.models import ContactAnonymisation, ErasureRequest, ErasureState, LegalHold, RetentionRun
from tests.factories import conversation
from tests.privacy.scenario import EMAIL, NAME, NUMBER, X_ID, resident_with_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanne(eva, lotte, dirk, waste_department):
    return resident_with_everything(agent=eva, lead=lotte, member=dirk, department=waste_department)


# --- Export ---------------------------------------------------------------------------------------


def test_the_json_export_holds_everything_about_the_contact(client, lotte, sanne):
    client.force_login(lotte)
    response = client.get(reverse("privacy:export_json", args=[sanne.contact.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="contact-{sanne.contact.pk}.json"'
    export = json.loads(response.content)
    assert (export["format"], export["version"]) == ("webcare-contact-export", 1)
    assert set(export) == {
        "format", "version", "exported_at", "contact", "identities", "conversations", "suggestions",
        "mentions", "legal_holds", "erasure_requests",
    }  # fmt: skip
    assert export["contact"]["name"] == NAME
    merged = Contact.objects.get(merged_into=sanne.contact)
    assert [m["id"] for m in export["contact"]["merged_contacts"]] == [merged.pk]
    assert {(i["channel"], i["id"]) for i in export["identities"]} == {("whatsapp", NUMBER), ("x", X_ID)}
    whatsapp, x = export["conversations"]
    assert (whatsapp["id"], x["id"]) == (sanne.whatsapp.pk, sanne.x.pk)
    assert [m["from"] for m in whatsapp["messages"]] == ["resident", "municipality"]
    assert EMAIL in whatsapp["messages"][0]["text"]
    assert whatsapp["messages"][0]["attachments"] == [
        {"name": "0.jpg", "type": "image/jpeg", "removed": False}
    ]
    assert "111222333" in whatsapp["notes"][0]["text"]
    assert whatsapp["escalations"][0]["department"] == "Afval"
    assert whatsapp["escalations"][0]["answer"].startswith("Wij hebben Sanne gebeld")
    assert [s["summary"] for s in export["suggestions"]] == [
        "Meer lantaarnpalen in de Kerkstraat, vraagt Sanne"
    ]
    assert export["mentions"][0]["author"] == "sannedv"
    assert "eva" not in response.content.decode()  # staff are not named


def test_the_readable_export_is_a_page_in_the_users_language(client, lotte, sanne):
    client.force_login(lotte)
    page = client.get(reverse("privacy:export_page", args=[sanne.contact.pk])).content.decode()
    assert "Alles wat de webcaredesk bewaart over Sanne de Vries" in page
    assert "WhatsApp-gesprek" in page and EMAIL in page and "0.jpg" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("privacy:export_page", args=[sanne.contact.pk])).content.decode()
    assert "Everything the webcare desk holds about Sanne de Vries" in page


def test_every_export_is_recorded_in_the_audit_log(client, lotte, sanne):
    client.force_login(lotte)
    client.get(reverse("privacy:export_json", args=[sanne.contact.pk]))
    client.get(reverse("privacy:export_page", args=[sanne.contact.pk]))
    entries = AuditEntry.objects.filter(action=Action.EXPORTED).order_by("id")
    assert [(e.actor, e.object_type, e.object_id) for e in entries] == [
        (lotte, "contact", str(sanne.contact.pk))
    ] * 2
    assert [e.summary for e in entries] == ["contact export (JSON)", "contact export (readable page)"]
    assert not any("Sanne" in e.summary for e in entries)


def test_a_merged_contact_leads_to_the_one_that_holds_its_history(client, lotte, sanne):
    client.force_login(lotte)
    merged = Contact.objects.get(merged_into=sanne.contact)
    response = client.get(reverse("privacy:export_json", args=[merged.pk]))
    assert response["Location"] == reverse("privacy:contact", args=[sanne.contact.pk])


# --- Erasure and legal holds ----------------------------------------------------------------------


def erase(client, contact, **data):
    return client.post(
        reverse("privacy:erasure", args=[contact.pk]),
        {"received_on": timezone.localdate().isoformat(), "received_through": "email", **data},
        follow=True,
    )


def test_an_erasure_request_without_a_hold_anonymises_at_once(client, lotte, sanne):
    client.force_login(lotte)
    response = erase(client, sanne.contact, note="Zaak 2025-17, belde vanaf 0612345678")
    assert "de contactpersoon is geanonimiseerd" in response.content.decode()
    erasure = ErasureRequest.objects.get()
    assert (erasure.state, erasure.recorded_by, erasure.note) == (
        ErasureState.ANONYMISED,
        lotte,
        "Zaak 2025-17, belde vanaf [telefoonnummer]",  # a slip in the note is caught
    )
    assert erasure.carried_out_at is not None
    assert ContactAnonymisation.objects.get().contact == sanne.contact
    assert Contact.objects.get(pk=sanne.contact.pk).name == "Geanonimiseerd"
    entry = AuditEntry.objects.get(action=Action.ANONYMISED)
    assert (entry.actor, entry.object_id, entry.summary) == (
        lotte,
        str(sanne.contact.pk),
        "contact anonymised (erasure)",
    )
    page = client.get(reverse("privacy:contact", args=[sanne.contact.pk])).content.decode()
    assert 'data-anonymised="1"' in page and 'data-state="anonymised"' in page


def test_an_erasure_request_under_a_legal_hold_is_refused_and_kept(client, lotte, sanne):
    client.force_login(lotte)
    client.post(
        reverse("privacy:hold", args=[sanne.contact.pk]), {"reason": "Bezwaar Z-2025-0042", "until": ""}
    )
    hold = LegalHold.objects.get()
    assert (hold.reason, hold.set_by, hold.until) == ("Bezwaar Z-2025-0042", lotte, None)

    response = erase(client, sanne.contact)
    assert "een juridische bewaarplicht geldt (Bezwaar Z-2025-0042)" in response.content.decode()
    erasure = ErasureRequest.objects.get()
    assert (erasure.state, erasure.hold) == (ErasureState.ON_HOLD, hold)
    assert not ContactAnonymisation.objects.exists()
    refused = AuditEntry.objects.get(action=Action.ERASURE_REFUSED)
    assert (refused.actor, refused.object_id) == (lotte, str(sanne.contact.pk))
    assert refused.summary == f"erasure request #{erasure.pk}: legal hold #{hold.pk}"
    page = client.get(reverse("privacy:contact", args=[sanne.contact.pk])).content.decode()
    assert 'data-state="on_hold"' in page

    # Lifting the hold carries the waiting request out.
    client.post(reverse("privacy:lift_hold", args=[hold.pk]))
    assert ErasureRequest.objects.get().state == ErasureState.ANONYMISED
    assert ContactAnonymisation.objects.filter(contact=sanne.contact).exists()
    assert AuditEntry.objects.filter(action=Action.CHANGED, summary=f"legal hold #{hold.pk} lifted").exists()


def test_a_hold_that_has_ended_does_not_stop_an_erasure(lotte, sanne):
    from privacy import services

    hold = services.set_legal_hold(
        actor=lotte, contact_id=sanne.contact.pk, reason="Kort", until=timezone.localdate()
    )
    LegalHold.objects.filter(pk=hold.pk).update(until=timezone.localdate() - timedelta(days=1))
    erasure = services.record_erasure_request(
        actor=lotte, contact_id=sanne.contact.pk, received_on=timezone.localdate(), received_through="letter"
    )
    assert erasure.state == ErasureState.ANONYMISED


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"received_on": "2999-01-01"}, "in de toekomst"),
        ({"received_through": "pigeon"}, "geen beschikbare keuze"),
    ],
)
def test_an_erasure_request_that_cannot_be_read_is_not_recorded(client, lotte, sanne, data, error):
    client.force_login(lotte)
    response = erase(client, sanne.contact, **data)
    assert error in response.content.decode()
    assert not ErasureRequest.objects.exists()


def test_a_hold_needs_a_reason_and_no_past_end(client, lotte, sanne):
    client.force_login(lotte)
    client.post(reverse("privacy:hold", args=[sanne.contact.pk]), {"reason": ""})
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("privacy:hold", args=[sanne.contact.pk]), {"reason": "Zaak", "until": yesterday}, follow=True
    )
    assert "kan niet in het verleden liggen" in response.content.decode()
    assert not LegalHold.objects.exists()


def test_the_contact_page_links_leads_to_privacy(client, eva, lotte, sanne):
    link = reverse("privacy:contact", args=[sanne.contact.pk])
    client.force_login(lotte)
    assert link in client.get(reverse("inbox:contact", args=[sanne.contact.pk])).content.decode()
    client.force_login(eva)
    assert link not in client.get(reverse("inbox:contact", args=[sanne.contact.pk])).content.decode()


def test_the_retention_runs_screen_shows_the_counts(client, lotte):
    RetentionRun.objects.create(seconds=1.5, counts={"contacts_anonymised": 7, "deliveries_deleted": 40})
    client.force_login(lotte)
    page = client.get(reverse("privacy:runs")).content.decode()
    assert '<td data-count="contacts_anonymised">7</td>' in page
    assert '<td data-count="deliveries_deleted">40</td>' in page


# --- Who may --------------------------------------------------------------------------------------

ROLES = ["eva", "lotte", "ada", "dirk", "anna", "erik", None]  # None: not logged in
LEADS = {"lotte", "ada"}
SCREENS = [
    ("get", "privacy:contact", "contact"),
    ("get", "privacy:export_json", "contact"),
    ("get", "privacy:export_page", "contact"),
    ("post", "privacy:erasure", "contact"),
    ("post", "privacy:hold", "contact"),
    ("post", "privacy:lift_hold", "hold"),
    ("get", "privacy:runs", None),
]


@pytest.mark.parametrize("persona", ROLES, indirect=True)
@pytest.mark.parametrize(("method", "name", "needs"), SCREENS, ids=[s[1] for s in SCREENS])
def test_only_leads_and_admins_may_use_the_privacy_screens(client, ada, persona, method, name, needs):
    found = conversation()
    if needs == "hold":
        args = [LegalHold.objects.create(contact=found.contact, reason="Zaak", set_by=ada).pk]
    else:
        args = [found.contact_id] if needs else []
    if persona:
        client.force_login(persona)
    response = getattr(client, method)(reverse(name, args=args), {"reason": "Zaak"})
    if persona is None:
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif persona.username in LEADS:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert "/login/" not in response["Location"]
    else:
        assert response.status_code == 403
    exported = AuditEntry.objects.filter(action=Action.EXPORTED).exists()
    assert exported == (persona is not None and persona.username in LEADS and "export" in name)
