"""The feedback loop over the API: record, list (scoped), move on; account managers see their departments."""

import pytest

from feedback.models import Suggestion
from tests.factories import conversation

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def recorded(client, eva, waste_department, django_capture_on_commit_callbacks):
    talk = conversation("Zet een bankje bij de bushalte", channel="whatsapp", sender_name="Sanne de Vries")
    client.force_login(eva)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            "/api/v1/feedback/",
            {
                "conversation": talk.pk,
                "summary": "Een bankje bij de bushalte",
                "department": "waste",
                "notify": True,
            },
        )
    assert response.status_code == 201, response.content
    return response.json()


def test_record_returns_the_suggestion_with_its_status_page(client, recorded):
    assert (recorded["status"], recorded["department"], recorded["residents"]) == ("received", "waste", 1)
    assert recorded["status_page"].endswith(f"/volg/{Suggestion.objects.get().token}/")
    # The acknowledgement with the link goes out after the commit, in the background.
    notices = client.get(f"/api/v1/feedback/{recorded['id']}/").json()["notices"]
    assert [(n["status"], n["state"]) for n in notices] == [("received", "sent")]


def test_another_resident_is_linked_with_same_as(client, recorded, django_capture_on_commit_callbacks):
    other = conversation("Ook een bankje graag bij de halte", channel="whatsapp", sender_id="+31611000099")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client,
            "/api/v1/feedback/",
            {"conversation": other.pk, "summary": "-", "department": "waste", "same_as": recorded["id"]},
        )
    assert response.status_code == 201 and response.json()["residents"] == 2
    assert Suggestion.objects.count() == 1


def test_status_changes_and_outcomes_need_an_explanation(client, recorded, lotte):
    client.force_login(lotte)
    url = f"/api/v1/feedback/{recorded['id']}/status/"
    assert post(client, url, {"status": "forwarded"}).json()["status"] == "forwarded"
    assert post(client, url, {"status": "implemented", "explanation": "Klaar."}).status_code == 409
    assert post(client, url, {"status": "under_consideration"}).status_code == 200
    assert post(client, url, {"status": "planned"}).status_code == 400  # no explanation
    done = post(client, url, {"status": "planned", "explanation": "Het bankje komt in april."}).json()
    assert (done["status"], done["explanation"]) == ("planned", "Het bankje komt in april.")
    assert post(client, url, {"status": "nonsense"}).status_code == 400


def test_bad_input_is_a_400_and_stores_nothing(client, eva, waste_department):
    talk = conversation("Idee")
    client.force_login(eva)
    for body in (
        {"conversation": talk.pk, "summary": "", "department": "waste"},
        {"conversation": talk.pk, "summary": "x", "department": "nope"},
        {"conversation": talk.pk, "summary": "x" * 301, "department": "waste"},
        {"summary": "x", "department": "waste"},
    ):
        assert post(client, "/api/v1/feedback/", body).status_code == 400, body
    assert (
        post(
            client, "/api/v1/feedback/", {"conversation": 999999, "summary": "x", "department": "waste"}
        ).status_code
        == 404
    )
    assert Suggestion.objects.count() == 0


def test_account_managers_see_and_decide_for_their_departments_only(
    client, recorded, anna, waste_department, parking_department
):
    client.force_login(anna)
    assert client.get("/api/v1/feedback/").json()["results"] == []
    assert client.get(f"/api/v1/feedback/{recorded['id']}/").status_code == 404
    assert (
        post(client, f"/api/v1/feedback/{recorded['id']}/status/", {"status": "forwarded"}).status_code == 404
    )

    waste_department.account_manager = anna
    waste_department.save()
    (shown,) = client.get("/api/v1/feedback/").json()["results"]
    assert "conversations" not in shown and "Sanne" not in str(shown)  # no resident data for her
    assert (
        post(client, f"/api/v1/feedback/{recorded['id']}/status/", {"status": "forwarded"}).status_code == 200
    )
    assert client.get("/api/v1/feedback/?department=parking").json()["results"] == []
    assert (
        post(
            client, "/api/v1/feedback/", {"conversation": 1, "summary": "x", "department": "waste"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize("persona", ["dirk", "erik", None])
def test_others_have_no_access(client, request, recorded, persona):
    client.logout()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    expected = 401 if persona is None else 403
    assert client.get("/api/v1/feedback/").status_code == expected
    assert client.get(f"/api/v1/feedback/{recorded['id']}/").status_code == expected
    assert (
        post(client, f"/api/v1/feedback/{recorded['id']}/status/", {"status": "forwarded"}).status_code
        == expected
    )


def test_an_agent_records_but_does_not_decide(client, recorded, eva):
    client.force_login(eva)
    assert (
        post(client, f"/api/v1/feedback/{recorded['id']}/status/", {"status": "forwarded"}).status_code == 403
    )
