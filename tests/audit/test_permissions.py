"""The log is for leads and admins; in the admin nobody can add, change or delete an entry."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEntry
from audit.services import record

pytestmark = pytest.mark.django_db

ROLES = ["eva", "lotte", "ada", "dirk", "anna", "erik", None]  # None: not logged in
LEADS = {"lotte", "ada"}


@pytest.mark.parametrize("persona", ROLES, indirect=True)
@pytest.mark.parametrize("name", ["audit:log", "audit:export"])
def test_only_leads_and_admins_read_the_log(client, persona, name):
    if persona:
        client.force_login(persona)
    response = client.get(reverse(name))
    if persona is None:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
    elif persona.username in LEADS:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_the_admin_shows_entries_but_cannot_add_change_or_delete_them(client, ada, eva):
    entry = record(Action.VIEWED, actor=eva, target=("contact", 7), summary="inbox:contact")
    client.force_login(ada)
    listing = client.get(reverse("admin:audit_auditentry_changelist"), {"q": "inbox:contact"})
    assert listing.status_code == 200
    assert "inbox:contact" in listing.content.decode()
    assert client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    client.post(reverse("admin:audit_auditentry_changelist"), bulk)
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    ("persona", "offered"), [("lotte", True), ("ada", True), ("eva", False)], indirect=["persona"]
)
def test_the_navigation_offers_the_log_to_leads_and_admins(client, persona, offered):
    client.force_login(persona)
    assert ('href="/audit/"' in client.get(reverse("home"), follow=True).content.decode()) is offered
