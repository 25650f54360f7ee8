"""Monitoring over the API: analyze a text, read the heard posts and the spike alerts, by role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox.models import Topic
from monitoring.models import Mention, SpikeAlert

pytestmark = pytest.mark.django_db


def mention(number: int, **fields) -> Mention:
    now = timezone.now()
    defaults = {
        "text": f"post {number}",
        "posted_at": now - timedelta(hours=number),
        "expires_at": now + timedelta(days=30),
    }
    return Mention.objects.create(channel="x", external_id=str(number), **{**defaults, **fields})


def test_analyze(client, eva):
    client.force_login(eva)
    response = client.post(
        "/api/v1/monitoring/analyze/",
        {"text": "Top hoor, derde week geen vuilnis opgehaald in de Pijp @gemeenteamsterdam 👏"},
        content_type="application/json",
    )
    assert response.json() == {
        "language": "nl",
        "sentiment": "negative",
        "topic": "waste_collection",
        "district": "Zuid",
        "needs_answer": True,
        "relevant": True,
    }
    assert client.post("/api/v1/monitoring/analyze/", {}, content_type="application/json").status_code == 400


def test_mentions_are_filtered_and_irrelevant_ones_left_out(client, eva):
    waste = Topic.objects.get(slug="waste_collection")
    mention(1, topic=waste, sentiment="negative", needs_answer=True)
    mention(2, topic=waste, sentiment="positive")
    mention(3, relevant=False, sentiment="positive")
    mention(24 * 10, topic=waste, sentiment="negative")
    client.force_login(eva)

    def ids(query: str) -> list[str]:
        return [
            m["external_id"] for m in client.get(f"/api/v1/monitoring/mentions/{query}").json()["results"]
        ]

    assert ids("") == ["1", "2", "240"]
    assert ids("?all=true") == ["1", "2", "3", "240"]
    assert ids("?sentiment=negative&needs_answer=true") == ["1"]
    assert ids("?topic=waste_collection&days=7") == ["1", "2"]
    assert client.get("/api/v1/monitoring/mentions/?days=0").status_code == 400


def test_alerts_are_for_leads(client, eva, lotte):
    topic = Topic.objects.get(slug="waste_collection")
    alert = SpikeAlert.objects.create(
        topic=topic, hour=timezone.now().replace(minute=0), count=30, expected=4.0
    )
    alert.examples.set([mention(1, topic=topic)])
    client.force_login(eva)
    assert client.get("/api/v1/monitoring/alerts/").status_code == 403
    client.force_login(lotte)
    (shown,) = client.get("/api/v1/monitoring/alerts/").json()["results"]
    assert (shown["topic"], shown["count"], len(shown["examples"])) == ("waste_collection", 30, 1)


@pytest.mark.parametrize("persona", ["dirk", "erik", "anna", None])
def test_others_have_no_access(client, request, persona):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    expected = 401 if persona is None else 403
    for url in ("/api/v1/monitoring/mentions/", "/api/v1/monitoring/alerts/"):
        assert client.get(url).status_code == expected
    response = client.post("/api/v1/monitoring/analyze/", {"text": "x"}, content_type="application/json")
    assert response.status_code == expected


def test_a_mention_becomes_a_public_conversation_claimed_by_the_agent(eva):
    from monitoring import services

    heard = mention(
        5,
        author="joost_ams",
        author_id="1732000000000000099",
        thread_key="1864100000000000400",
        text="Gaslucht bij de markt!",
    )
    conversation = services.to_conversation(agent=eva, mention_id=heard.pk)
    assert (conversation.channel, conversation.is_public, conversation.assigned_to) == ("x", True, eva)
    assert conversation.messages.get().text == "Gaslucht bij de markt!"
    assert services.to_conversation(agent=eva, mention_id=heard.pk) == conversation  # twice: the same one


def test_mentions_that_never_became_a_conversation_are_forgotten_after_their_term(eva):
    from monitoring import services

    old = mention(6, author_id="1")
    kept = mention(7, author_id="2")
    Mention.objects.filter(pk__in=[old.pk, kept.pk]).update(expires_at=timezone.now() - timedelta(days=1))
    services.to_conversation(agent=eva, mention_id=kept.pk)
    fresh = mention(8)
    assert services.forget_expired() == 1
    assert set(Mention.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}


def test_an_agent_corrects_the_labels_and_enrichment_keeps_its_hands_off(client, eva):
    from monitoring import enrichment, services

    heard = mention(9, text="Top hoor, de glasbak is weer vol", sentiment="positive", relevant=False)
    client.force_login(eva)
    response = client.post(
        f"/monitoring/mentions/{heard.pk}/correct/",
        {"sentiment": "negative", "topic": "waste_collection", "needs_answer": "on", "relevant": "on"},
    )
    assert response.status_code == 302
    heard.refresh_from_db()
    assert (heard.sentiment, heard.topic.slug, heard.needs_answer, heard.relevant) == (
        "negative",
        "waste_collection",
        True,
        True,
    )
    assert heard.corrected_by == eva
    assert heard.machine_labels == {
        "sentiment": "positive",
        "topic": None,
        "needs_answer": False,
        "relevant": False,
    }
    enrichment.enrich([heard.pk])  # a late enrichment run does not undo the agent's work
    heard.refresh_from_db()
    assert heard.sentiment == "negative" and heard.topic.slug == "waste_collection"
    with pytest.raises(services.MonitoringError):
        services.correct(
            agent=eva,
            mention_id=heard.pk,
            sentiment="angry",
            topic_slug=None,
            needs_answer=False,
            relevant=True,
        )
    assert (
        client.post(f"/monitoring/mentions/{heard.pk}/correct/", {"sentiment": "nonsense"}).status_code == 302
    )
    heard.refresh_from_db()
    assert heard.sentiment == "negative"  # an invalid form changes nothing
