"""Schemathesis against the API the app serves: every operation, no 5xx, answers as documented.

The schema is the one /api/schema/ serves. Each operation runs against the WSGI app in-process, on a
desk with real data (conversations on every channel, replies, escalations, suggestions, mentions),
as a lead (who sees most) or a department member (who sees least). Path and body ids often name
records that exist, so requests get past the 404 into the services. Each example runs in a savepoint
that is rolled back, after checking that nothing it stored breaks the rules in tests/invariants.py.
"""

import json
import re
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.views import SpectacularAPIView
from hypothesis import HealthCheck
from hypothesis import strategies as st
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.services import api_token_for
from escalations import services as escalations
from feedback import services as feedback
from feedback.models import Suggestion
from inbox import services as inbox
from inbox.models import (
    Contact,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    MessageTemplate,
    Team,
    Topic,
)
from monitoring.models import Mention, SpikeAlert
from protocols.models import Protocol
from tests import factories
from tests.invariants import example_savepoint, garbage


def served_schema() -> dict:
    """The document GET /api/schema/?format=json answers (it needs a signed-in user, not the database)."""
    request = APIRequestFactory().get("/api/schema/", {"format": "json"})
    force_authenticate(request, user=get_user_model()(username="schema-reader"))
    response = SpectacularAPIView.as_view()(request)
    return json.loads(response.render().content)


schema = schemathesis.openapi.from_dict(served_schema())

CHECKS = [
    schemathesis.specs.openapi.checks.status_code_conformance,
    schemathesis.specs.openapi.checks.content_type_conformance,
    schemathesis.specs.openapi.checks.response_schema_conformance,
    schemathesis.specs.openapi.checks.response_headers_conformance,
]


@pytest.fixture
def app(settings):
    """The WSGI app, serving on the test's own connection as Django's test client does: a real
    request would close a connection that is inside a transaction."""
    settings.ALLOWED_HOSTS = ["localhost"]
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class Desk:
    """A small desk with one of everything, and the ids a fuzzer should sometimes hit."""

    def __init__(self, lead, agent, member, department) -> None:
        talks = [
            factories.conversation("De lantaarnpaal bij ons in de straat is kapot.", channel="whatsapp"),
            factories.conversation(
                "Wanneer wordt het grofvuil opgehaald?",
                channel="facebook",
                thread_key="post_1_comment_1",
                is_public=True,
            ),
            factories.conversation("Mijn parkeervergunning is verlopen", channel="instagram"),
            factories.conversation(
                "@gemeente de stoep is kapot", channel="x", thread_key="t1", is_public=True
            ),
            factories.conversation("Hallo, ik heb een vraag over afval", channel="x"),
        ]
        sent = inbox.reply(agent=lead, conversation_id=talks[0].pk, text="We kijken ernaar.")
        failed = inbox.reply(agent=lead, conversation_id=talks[2].pk, text="Dank voor uw bericht.")
        inbox.record_delivery(message_id=failed.pk, status=DeliveryStatus.FAILED, error="Platform down")
        inbox.close_conversation(actor=lead, conversation_id=talks[0].pk)
        open_question = factories.escalated(agent, department)
        answered = factories.escalated(agent, department, text="Waar blijft mijn container? Nummer 8812.")
        escalations.answer(member=member, escalation_id=answered.pk, text="Die komt donderdag.")
        asked = factories.escalated(agent, department, text="Mijn kliko is gestolen, adres Dorpsstraat 1.")
        escalations.request_info(member=member, escalation_id=asked.pk, text="Welk huisnummer precies?")
        suggestion = feedback.record(
            agent=agent,
            conversation_id=talks[1].pk,
            summary="Een bankje bij de bushalte",
            department_id=department.pk,
        )
        now = timezone.now()
        waste = Topic.objects.get(slug="waste_collection")
        mention = Mention.objects.create(
            channel="x",
            external_id="1",
            text="Weer geen vuilnis opgehaald",
            topic=waste,
            posted_at=now - timedelta(hours=1),
            expires_at=now + timedelta(days=30),
        )
        alert = SpikeAlert.objects.create(topic=waste, hour=now.replace(minute=0), count=30, expected=4.0)
        alert.examples.set([mention])
        del sent, suggestion
        self.ids = {
            "conversations": list(Conversation.objects.values_list("pk", flat=True)),
            "escalations": [open_question.pk, answered.pk, asked.pk],
            "feedback": list(Suggestion.objects.values_list("pk", flat=True)),
            "messages": list(Message.objects.values_list("pk", flat=True)),
            "replies": list(
                Message.objects.filter(direction=Direction.OUTBOUND).values_list("pk", flat=True)
            ),
            "contacts": list(Contact.objects.values_list("pk", flat=True)),
        }
        self.slugs = {
            "department": [department.slug, "parking"],
            "team": list(Team.objects.values_list("slug", flat=True)),
            "topic": list(Topic.objects.values_list("slug", flat=True)),
            "protocol": list(Protocol.objects.values_list("key", flat=True)) or ["afval"],
        }
        self.templates = list(MessageTemplate.objects.values_list("pk", flat=True))

    def path_ids(self, path: str) -> list[int]:
        """The records the `{id}` in this path names."""
        collection = path.split("/")[3]
        return self.ids["replies" if collection == "messages" else collection]


@pytest.fixture
def desk(db, lotte, eva, dirk, waste_department, parking_department):
    return Desk(lotte, eva, dirk, waste_department)


@pytest.fixture
def tokens(lotte, dirk):
    """A lead sees most, a department member least; the lead's requests get further, so more of them."""
    return [api_token_for(lotte), api_token_for(lotte), api_token_for(dirk)]


def existing(data, choices: list, generated):
    """Mostly a value the desk holds, else what schemathesis generated."""
    if choices and data.draw(st.integers(0, 3), label="use an existing value"):
        return data.draw(st.sampled_from(choices))
    return generated


BODY_IDS = {"conversation": "conversations", "message": "messages", "same_as": "feedback"}


def aim_at_the_desk(case, desk: Desk, data) -> None:
    """Point ids and slugs in the path, query and body at records that exist, some of the time."""
    if case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = existing(data, desk.path_ids(case.path), case.path_parameters["id"])
    if case.query:
        for name, values in desk.slugs.items():
            if name in case.query:
                case.query[name] = existing(data, values, case.query[name])
    if isinstance(case.body, dict):
        for name, collection in BODY_IDS.items():
            if name in case.body:
                case.body[name] = existing(data, desk.ids[collection], case.body[name])
        if "messages" in case.body:
            case.body["messages"] = existing(
                data, [desk.ids["messages"][:2], desk.ids["messages"][-1:]], case.body["messages"]
            )
        for name in ("department", "protocol"):
            if name in case.body:
                case.body[name] = existing(data, desk.slugs[name], case.body[name])
        if "template" in case.body:
            case.body["template"] = existing(data, desk.templates, case.body["template"])
    if case.query and {"start", "end"} <= set(case.query):
        today = timezone.localdate()
        period = [str(today - timedelta(days=30)), str(today)]
        case.query["start"], case.query["end"] = existing(
            data, [period], [case.query["start"], case.query["end"]]
        )


@schema.given(data=st.data())
@schema.parametrize()
@hypothesis.settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_fails_and_answers_as_documented(case, data, desk, tokens, app):
    aim_at_the_desk(case, desk, data)
    token = data.draw(st.sampled_from(tokens), label="caller")
    with example_savepoint():
        response = case.call(app=app, headers={"Authorization": f"Token {token}"})
        assert response.status_code < 500, response.text[:500]
        if not routes(case):
            assert response.status_code == 404  # Django's page: the URL is none of the API's
            return
        case.validate_response(response, checks=CHECKS, transport_kwargs={"app": app})


def routes(case) -> bool:
    """Whether the URL is one of the API's: an `{id}` that is not a number matches no route."""
    return re.fullmatch("[0-9]+", str((case.path_parameters or {}).get("id", 0))) is not None


# Inputs the fuzzing found, pinned: each was a 500 before.
TOO_LARGE = 2**64  # beyond any database column: SQLite raised OverflowError on `pk__in=[...]`


SUGGESTION = {"summary": "Een bankje bij de bushalte", "department": "waste"}


@pytest.mark.parametrize(
    "path, body",
    [
        (
            "/api/v1/conversations/{id}/escalate/",
            {"department": "waste", "question": "?", "messages": [TOO_LARGE]},
        ),
        ("/api/v1/conversations/{id}/reply/", {"text": "Dank u.", "template": TOO_LARGE}),
        ("/api/v1/feedback/", {**SUGGESTION, "conversation": TOO_LARGE}),
        ("/api/v1/feedback/", {**SUGGESTION, "conversation": "{id}", "message": TOO_LARGE}),
        ("/api/v1/feedback/", {**SUGGESTION, "conversation": "{id}", "same_as": TOO_LARGE}),
    ],
)
def test_an_id_larger_than_any_column_is_refused(client, lotte, waste_department, path, body):
    talk = factories.conversation()
    body = {name: talk.pk if value == "{id}" else value for name, value in body.items()}
    client.force_login(lotte)
    response = client.post(path.format(id=talk.pk), body, content_type="application/json")
    assert response.status_code == 400
    assert garbage() == []
