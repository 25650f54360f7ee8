"""The middleware records who opened a resident's data and who changed what, and nothing else."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_for
from audit.models import Action, AuditEntry
from tests.conftest import PASSWORD
from tests.factories import conversation

pytestmark = pytest.mark.django_db

REPLY = {"text": "Komt goed."}
RESIDENT_TEXT = "Mijn BSN is 111222333 en ik woon op Kerkstraat 12"


def entries(action=None) -> list[AuditEntry]:
    found = AuditEntry.objects.exclude(action__in=[Action.LOGGED_IN, Action.LOGGED_OUT])
    return list(found.filter(action=action) if action else found)


def test_opening_a_contact_records_who_viewed_which_contact_from_where(client, eva):
    found = conversation()
    client.force_login(eva)
    response = client.get(reverse("inbox:contact", args=[found.contact_id]), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    [entry] = entries()
    assert entry.action == Action.VIEWED
    assert (entry.actor, entry.actor_name) == (eva, "eva")
    assert (entry.object_type, entry.object_id) == ("contact", str(found.contact_id))
    assert entry.summary == "inbox:contact"
    assert entry.ip_address == "192.0.2.7"


def test_opening_a_conversation_on_screen_or_through_the_api_is_recorded(client, eva):
    found = conversation()
    client.force_login(eva)
    client.get(reverse("inbox:conversation", args=[found.pk]))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(eva)}")
    assert api.get(f"/api/v1/conversations/{found.pk}/").status_code == 200
    viewed = [(e.actor, e.object_type, e.object_id, e.summary) for e in entries(Action.VIEWED)]
    assert viewed == [
        (eva, "conversation", str(found.pk), "api-conversation"),  # newest first
        (eva, "conversation", str(found.pk), "inbox:conversation"),
    ]


def test_lists_and_the_suggestions_panel_of_a_conversation_are_not_recorded(client, eva):
    found = conversation()
    client.force_login(eva)
    for url in (
        reverse("inbox:queue"),
        reverse("monitoring:feed"),
        reverse("suggestions:panel", args=[found.pk]),
        "/api/v1/conversations/",
    ):
        assert client.get(url).status_code == 200, url
    assert entries() == []


def test_a_reply_and_a_close_are_recorded_as_changes_to_the_conversation(client, eva):
    found = conversation()
    client.force_login(eva)
    assert client.post(reverse("inbox:reply", args=[found.pk]), REPLY).status_code == 302
    assert client.post(reverse("inbox:close", args=[found.pk])).status_code == 302
    changed = [(e.action, e.actor, e.object_type, e.object_id, e.summary) for e in entries()]
    assert changed == [
        (Action.CHANGED, eva, "conversation", str(found.pk), "inbox:close"),
        (Action.CHANGED, eva, "conversation", str(found.pk), "inbox:reply"),
    ]


def test_a_change_through_the_api_is_recorded_for_the_tokens_owner(eva):
    found = conversation()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(eva)}")
    assert api.post(f"/api/v1/conversations/{found.pk}/close/").status_code == 200
    [entry] = entries()
    assert (entry.action, entry.actor, entry.object_type, entry.summary) == (
        Action.CHANGED,
        eva,
        "conversation",
        "api-close",
    )


def test_a_refused_or_failed_change_is_not_recorded_as_a_change(client, eva):
    found = conversation()
    client.force_login(eva)
    # 404: no such conversation; 400: an empty reply; 302 with an error: closing what is closed.
    assert client.post(reverse("inbox:reply", args=[found.pk + 1000]), {"text": "Hallo"}).status_code == 404
    assert client.post(reverse("inbox:reply", args=[found.pk]), {"text": ""}).status_code == 400
    assert client.post(reverse("inbox:close", args=[found.pk])).status_code == 302
    assert client.post(reverse("inbox:close", args=[found.pk])).status_code == 302
    assert [e.summary for e in entries(Action.CHANGED)] == ["inbox:close"]


def test_a_forbidden_request_is_recorded_as_refused_not_as_a_change(client, eva, dirk):
    found = conversation()
    client.force_login(eva)
    assert client.post(reverse("inbox:assign", args=[found.pk]), {"agent": eva.pk}).status_code == 403
    client.force_login(dirk)
    assert client.get(reverse("inbox:contact", args=[found.contact_id])).status_code == 403
    refused = [(e.action, e.actor, e.object_type, e.summary) for e in entries()]
    assert refused == [
        (Action.REFUSED, dirk, "contact", "inbox:contact"),
        (Action.REFUSED, eva, "conversation", "inbox:assign"),
    ]


def test_anonymous_requests_webhooks_and_the_language_switch_are_not_recorded(client, eva):
    found = conversation()
    assert client.get(reverse("inbox:contact", args=[found.contact_id])).status_code == 302  # to log in
    client.force_login(eva)
    assert client.post("/webhooks/whatsapp/", {"Body": RESIDENT_TEXT}).status_code == 403  # unsigned
    client.post(reverse("set_language"), {"language": "en"})
    assert entries() == []


def test_an_admin_change_is_recorded_with_the_model_as_record_type(client, ada, webcare_team):
    client.force_login(ada)
    url = reverse("admin:inbox_team_change", args=[webcare_team.pk])
    response = client.post(url, {"name": "Webcare", "slug": "webcare", "wip_limit": 4})
    assert response.status_code == 302, response.content
    [entry] = entries()
    assert (entry.action, entry.object_type, entry.object_id, entry.summary) == (
        Action.CHANGED,
        "team",
        str(webcare_team.pk),
        "admin:inbox_team_change",
    )


def test_an_admin_form_with_errors_is_not_a_change(client, ada, webcare_team):
    client.force_login(ada)
    url = reverse("admin:inbox_team_change", args=[webcare_team.pk])
    assert client.post(url, {"name": "", "slug": "webcare", "wip_limit": 4}).status_code == 200
    assert entries() == []


def test_no_entry_holds_a_password_a_token_or_what_a_resident_wrote(client, eva):
    found = conversation(RESIDENT_TEXT)
    client.post(reverse("login"), {"username": "eva", "password": "wrong"})
    client.post(reverse("login"), {"username": PASSWORD, "password": "eva"})  # password in the name field
    assert client.post(reverse("login"), {"username": "eva", "password": PASSWORD}).status_code == 302
    client.get(reverse("inbox:conversation", args=[found.pk]), {"q": "Kerkstraat"})
    client.post(reverse("inbox:reply", args=[found.pk]), {"text": f"Ontvangen: {RESIDENT_TEXT}"})
    client.post(reverse("inbox:note", args=[found.pk]), {"text": RESIDENT_TEXT})
    token = api_token_for(eva)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    api.get(f"/api/v1/contacts/{found.contact_id}/")
    api.post(f"/api/v1/conversations/{found.pk}/reply/", {"text": RESIDENT_TEXT}, format="json")
    session = client.cookies["sessionid"].value
    client.post(reverse("logout"))

    logged = list(AuditEntry.objects.values())
    assert {entry["action"] for entry in logged} == {
        Action.LOGIN_FAILED,
        Action.LOGGED_IN,
        Action.VIEWED,
        Action.CHANGED,
        Action.LOGGED_OUT,
    }
    everything = repr(logged)
    for secret in (PASSWORD, "wrong", token, session, "111222333", "Kerkstraat", "BSN"):
        assert secret not in everything


def test_a_contact_view_and_a_reply_each_cost_one_insert(eva, settings):
    """What the log costs: measured with and without the middleware, after a warm-up."""
    found = conversation()
    contact = reverse("inbox:contact", args=[found.contact_id])
    reply = reverse("inbox:reply", args=[found.pk])

    def queries() -> dict[str, list[str]]:
        client = Client()  # a new client builds its middleware from the settings of now
        client.force_login(eva)
        measured = {}
        for page, method, url, data in (("contact", "get", contact, None), ("reply", "post", reply, REPLY)):
            getattr(client, method)(url, data)  # warm up: session, content types
            with CaptureQueriesContext(connection) as captured:
                getattr(client, method)(url, data)
            measured[page] = [query["sql"] for query in captured]
        return measured

    audited = queries()
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != "audit.middleware.AuditMiddleware"]
    bare = queries()
    for page in ("contact", "reply"):
        assert len(audited[page]) - len(bare[page]) == 1, page
        [insert] = [sql for sql in audited[page] if "audit_auditentry" in sql]
        assert insert.startswith("INSERT")
