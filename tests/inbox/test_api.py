"""The inbox API: lists in queue order, a constant number of queries, clear refusals."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.services import api_token_for
from tests.factories import conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(eva) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(eva)}")
    return client


def test_list_items_carry_what_a_queue_needs(api):
    found = conversation("Ik ruik gaslucht", channel="whatsapp", sender_name="Mehmet")
    item = api.get("/api/v1/conversations/").json()["results"][0]
    assert item["id"] == found.pk
    assert item["channel"] == "whatsapp"
    assert item["team"] == "webcare"
    assert item["status"] == "new"
    assert item["topic"] == "gas_electricity"
    assert item["urgent"] is True
    assert item["assigned_to"] is None
    assert item["contact"] == {"id": found.contact_id, "name": "Mehmet"}
    assert item["last_message_at"] and item["first_response_due"]


def test_list_filters_by_status_team_and_channel(api):
    conversation("Lamp kapot", channel="whatsapp")
    social = conversation("Parkeervergunning aanvragen?", channel="facebook")
    results = api.get(
        "/api/v1/conversations/", {"team": "social", "channel": "facebook", "status": "new"}
    ).json()
    assert [item["id"] for item in results["results"]] == [social.pk]


def test_an_unknown_filter_value_is_a_400(api):
    response = api.get("/api/v1/conversations/", {"status": "lost", "team": "nobody"})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "team"}


def test_list_takes_a_constant_number_of_queries_for_50_items(api):
    for number in range(60):
        conversation(f"Vraag {number} over afval", sender_id=f"+3160000{number:04d}")
    with CaptureQueriesContext(connection) as few:
        assert len(api.get("/api/v1/conversations/", {"limit": 5}).json()["results"]) == 5
    with CaptureQueriesContext(connection) as many:
        assert len(api.get("/api/v1/conversations/").json()["results"]) == 50
    assert len(many) == len(few) <= 5


def test_queue_page_takes_a_constant_number_of_queries(client, eva):
    client.force_login(eva)
    conversation("Vraag over afval", sender_id="+31600000001")
    with CaptureQueriesContext(connection) as few:
        client.get("/inbox/")
    for number in range(60):
        conversation(f"Vraag {number} over afval", sender_id=f"+3161111{number:04d}")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/inbox/")
    assert response.content.count(b'href="/inbox/conversations/') == 50
    assert len(many) == len(few)


def test_detail_includes_the_messages(api):
    found = conversation("Lamp kapot")
    body = api.get(f"/api/v1/conversations/{found.pk}/").json()
    assert [m["text"] for m in body["messages"]] == ["Lamp kapot"]
    assert body["messages"][0]["direction"] == "in"


def test_reply_and_close(api, eva):
    found = conversation("Lamp kapot")
    response = api.post(
        f"/api/v1/conversations/{found.pk}/reply/", {"text": "We sturen iemand."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["direction"] == "out"
    assert response.json()["author"] == "eva"
    response = api.post(f"/api/v1/conversations/{found.pk}/close/")
    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    assert api.post(f"/api/v1/conversations/{found.pk}/close/").status_code == 409


def test_reply_to_a_conversation_someone_else_holds_is_a_409(api, bram):
    found = conversation("Lamp kapot")
    other = APIClient()
    other.force_authenticate(bram)
    assert (
        other.post(
            f"/api/v1/conversations/{found.pk}/reply/", {"text": "Ik pak hem"}, format="json"
        ).status_code
        == 201
    )
    response = api.post(f"/api/v1/conversations/{found.pk}/reply/", {"text": "Ik ook"}, format="json")
    assert response.status_code == 409
    assert "Bram" in response.json()["detail"]


def test_reply_too_long_or_empty_is_a_400(api):
    tweet = conversation("Lamp kapot", channel="x", is_public=True, thread_key="tweet-9")
    assert (
        api.post(f"/api/v1/conversations/{tweet.pk}/reply/", {"text": "x" * 300}, format="json").status_code
        == 400
    )
    assert (
        api.post(f"/api/v1/conversations/{tweet.pk}/reply/", {"text": ""}, format="json").status_code == 400
    )
    assert api.post(f"/api/v1/conversations/{tweet.pk}/reply/", {}, format="json").status_code == 400


def test_missing_conversation_is_a_404(api):
    assert api.get("/api/v1/conversations/999999/").status_code == 404


def test_contact_shows_identities_across_channels(api, lotte):
    from inbox import services

    whatsapp = conversation("Container vol", channel="whatsapp", sender_id="+31612345678")
    facebook = conversation("Aanslag te hoog", channel="facebook", sender_id="7001")
    services.merge_contacts(actor=lotte, source_id=facebook.contact_id, target_id=whatsapp.contact_id)
    body = api.get(f"/api/v1/contacts/{whatsapp.contact_id}/").json()
    assert {i["channel"] for i in body["identities"]} == {"whatsapp", "facebook"}
    assert set(body["conversations"]) == {whatsapp.pk, facebook.pk}


def test_openapi_schema_lists_the_inbox(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/conversations/{id}/reply/" in response.json()["paths"]
