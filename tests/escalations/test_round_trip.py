"""Escalations end to end through the services and the API: the desk asks, the department answers the
desk, the desk answers the resident; deadlines in working days; department isolation."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from escalations import services
from escalations.models import Escalation, EventKind
from escalations.workflow import InvalidTransition, Status
from inbox import services as inbox
from inbox.models import Conversation, Direction, Message
from inbox.workflow import Status as ConversationStatus
from tests.factories import escalated, incoming

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


@pytest.fixture
def asked(eva, waste_department, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return escalated(eva, waste_department)


def test_the_whole_round_trip(eva, dirk, asked, mailoutbox, django_capture_on_commit_callbacks):
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert (conversation.status, conversation.assigned_to) == (ConversationStatus.ESCALATED, eva)
    assert conversation.department_due == asked.due_at
    assert list(asked.shared_messages.values_list("text", flat=True)) == [
        "Mijn container is al drie weken niet geleegd, klantnummer 4471."
    ]

    services.answer(
        member=dirk, escalation_id=asked.pk, text="De container stond op slot; we legen hem morgen."
    )
    conversation.refresh_from_db()
    assert (conversation.status, conversation.department_update) == (ConversationStatus.OPEN, "answered")
    assert conversation.assigned_to == eva  # back with the agent who asked
    # due within the channel's first-response time from now, not overdue the moment it arrives
    assert conversation.response_due > timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        inbox.reply(agent=eva, conversation_id=conversation.pk, text="We legen je container morgen.")
    asked.refresh_from_db()
    assert asked.status == Status.CLOSED
    assert Message.objects.get(direction=Direction.OUTBOUND).text.startswith("We legen je container morgen.")
    kinds = list(asked.events.values_list("kind", flat=True))
    assert kinds == [EventKind.ASKED, EventKind.ANSWERED, EventKind.CLOSED]


def test_the_department_is_told_by_email_without_personal_data(dirk, asked, mailoutbox):
    dirk.email = "dirk@voorbeeldstad.nl"
    dirk.save()
    from escalations.notifications import notify_department

    Escalation.objects.filter(pk=asked.pk).update(notified_at=None)  # dirk had no address at first
    assert notify_department(asked.pk)
    assert not notify_department(asked.pk)  # once
    (mail,) = mailoutbox
    assert mail.to == ["dirk@voorbeeldstad.nl"]
    assert f"/department/{asked.pk}/" in mail.body
    for personal in ("4471", "container", "Sanne", "+3161234"):
        assert personal not in mail.body and personal not in mail.subject


def test_more_information_goes_back_to_the_agent_and_restarts_the_clock(eva, dirk, asked):
    services.request_info(member=dirk, escalation_id=asked.pk, text="Welk adres is het?")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert (conversation.status, conversation.department_update) == (
        ConversationStatus.OPEN,
        "info_requested",
    )
    assert conversation.department_due is None
    later = services.add_info(agent=eva, escalation_id=asked.pk, text="Dorpsstraat 12.")
    conversation.refresh_from_db()
    assert later.status == Status.OPEN and later.due_at >= asked.due_at
    assert conversation.status == ConversationStatus.ESCALATED


def test_a_holding_reply_keeps_the_conversation_with_the_department(
    eva, asked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        inbox.reply(
            agent=eva, conversation_id=asked.conversation_id, text="We vragen het na bij de afdeling."
        )
    assert Conversation.objects.get(pk=asked.conversation_id).status == ConversationStatus.ESCALATED
    asked.refresh_from_db()
    assert asked.status == Status.OPEN


def test_the_resident_writing_again_puts_the_conversation_back_in_the_queue(asked):
    message = Message.objects.get(conversation_id=asked.conversation_id)
    incoming("Hallo? Nog nieuws?", sender_id=message.conversation.identity.external_id)
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert conversation.status == ConversationStatus.OPEN
    asked.refresh_from_db()
    assert asked.status == Status.OPEN  # the department keeps working on it


def test_an_answer_for_an_agent_who_is_away_goes_to_the_team_queue(eva, dirk, asked):
    eva.is_away = True
    eva.save()
    services.answer(member=dirk, escalation_id=asked.pk, text="Opgelost.")
    assert Conversation.objects.get(pk=asked.conversation_id).assigned_to is None


def test_withdrawing_returns_the_conversation(eva, asked):
    services.withdraw(agent=eva, escalation_id=asked.pk, reason="De inwoner heeft het zelf opgelost.")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert (conversation.status, conversation.department_due) == (ConversationStatus.OPEN, None)


def test_steps_outside_the_workflow_are_refused(eva, dirk, asked):
    services.answer(member=dirk, escalation_id=asked.pk, text="Opgelost.")
    with pytest.raises(InvalidTransition):
        services.request_info(member=dirk, escalation_id=asked.pk, text="Toch nog een vraag")
    with pytest.raises(services.EscalationError):
        escalated(eva, asked.department, question="  ")


def test_one_department_at_a_time_per_conversation(eva, asked, parking_department):
    with pytest.raises(services.EscalationError):
        services.escalate(
            agent=eva,
            conversation_id=asked.conversation_id,
            department_id=parking_department.pk,
            question="En?",
        )


def test_another_departments_member_cannot_answer(piet, asked):
    with pytest.raises(Escalation.DoesNotExist):
        services.answer(member=piet, escalation_id=asked.pk, text="Niet van ons.")


@pytest.mark.parametrize(
    ("asked_at", "working_days", "due"),
    [
        (at(2026, 12, 23, 10), 3, at(2026, 12, 29, 18)),  # 24th, (Christmas, Boxing Day, Sunday), 28th, 29th
        (at(2026, 12, 24, 16), 1, at(2026, 12, 28, 18)),  # the day before Christmas
        (at(2027, 4, 23, 9), 2, at(2027, 4, 28, 18)),  # Friday; King's Day is Tuesday 27 April 2027
        (at(2026, 4, 24, 9), 1, at(2026, 4, 28, 18)),  # Friday; King's Day is Monday 27 April 2026
        (at(2026, 12, 4, 22), 5, at(2026, 12, 11, 18)),  # Friday evening: five working days from Monday
    ],
)
def test_deadlines_count_working_days_without_dutch_holidays(asked_at, working_days, due):
    assert services.deadline(asked_at, working_days) == due


def test_the_suggested_department_follows_the_topic(eva, waste_department):
    message = incoming("De afvalcontainer in onze straat is niet geleegd")
    conversation = Conversation.objects.select_related("topic").get(pk=message.conversation_id)
    assert conversation.topic is not None
    waste_department.topics.add(conversation.topic)
    assert services.suggested_department(conversation) == waste_department


class TestTheApi:
    def post(self, client, url, data):
        return client.post(url, data, content_type="application/json")

    def test_escalate_list_and_answer(
        self, client, eva, dirk, piet, waste_department, django_capture_on_commit_callbacks
    ):
        message = incoming("Mijn container is niet geleegd", sender_name="Sanne de Vries")
        client.force_login(eva)
        with django_capture_on_commit_callbacks(execute=True):
            created = self.post(
                client,
                f"/api/v1/conversations/{message.conversation_id}/escalate/",
                {"department": "waste", "question": "Waarom is deze niet geleegd?", "messages": [message.pk]},
            )
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["department"], body["status"], body["contact"]) == ("waste", "open", None)
        assert [m["text"] for m in body["shared_messages"]] == ["Mijn container is niet geleegd"]

        client.force_login(dirk)
        listed = client.get("/api/v1/escalations/").json()["results"]
        assert [e["id"] for e in listed] == [body["id"]]
        assert "conversation" not in listed[0]  # the department does not get into the inbox
        assert "Sanne" not in str(listed)

        client.force_login(piet)
        assert client.get("/api/v1/escalations/").json()["results"] == []
        assert client.get(f"/api/v1/escalations/{body['id']}/").status_code == 404
        assert (
            self.post(client, f"/api/v1/escalations/{body['id']}/answer/", {"text": "x"}).status_code == 404
        )

        client.force_login(dirk)
        answered = self.post(client, f"/api/v1/escalations/{body['id']}/answer/", {"text": "Morgen geleegd."})
        assert answered.status_code == 200 and answered.json()["status"] == "answered"
        again = self.post(client, f"/api/v1/escalations/{body['id']}/answer/", {"text": "Nogmaals."})
        assert again.status_code == 409

    def test_bad_requests_are_400(self, client, eva, waste_department):
        message = incoming("Mijn container is niet geleegd")
        client.force_login(eva)
        url = f"/api/v1/conversations/{message.conversation_id}/escalate/"
        assert self.post(client, url, {"department": "nope", "question": "?"}).status_code == 400
        assert self.post(client, url, {"department": "waste"}).status_code == 400
        assert self.post(client, url, {"department": "waste", "question": "  "}).status_code == 400
        assert Escalation.objects.count() == 0

    def test_shared_contact_details_are_shown_only_when_shared(self, client, eva, dirk, waste_department):
        escalated(eva, waste_department, share_contact=True, sender_name="Sanne de Vries")
        client.force_login(dirk)
        (shown,) = client.get("/api/v1/escalations/").json()["results"]
        assert shown["contact"]["name"] == "Sanne de Vries"


# Who may do what on the escalation API: the desk asks and reads everything, a department member reads
# and answers their own department's only; anything of another department is a 404.
DESK_ONLY, DEPARTMENT_ONLY = "desk", "department"
MATRIX = [
    # (method, url, role that may, expected for the other department's member)
    ("get", "/api/v1/escalations/{id}/", "readers", 404),
    ("post", "/api/v1/escalations/{id}/answer/", DEPARTMENT_ONLY, 404),
    ("post", "/api/v1/escalations/{id}/request-info/", DEPARTMENT_ONLY, 404),
    ("post", "/api/v1/escalations/{id}/info/", DESK_ONLY, 403),
    ("post", "/api/v1/conversations/{conversation}/escalate/", DESK_ONLY, 403),
]


@pytest.mark.parametrize(("method", "url", "who", "foreign"), MATRIX, ids=[m[1] for m in MATRIX])
@pytest.mark.parametrize("persona", ["eva", "lotte", "dirk", "piet", "anna", "erik", None])
def test_the_isolation_matrix(request, client, asked, method, url, who, foreign, persona):
    user = request.getfixturevalue(persona) if persona else None
    if user:
        client.force_login(user)
    target = url.format(id=asked.pk, conversation=asked.conversation_id)
    response = getattr(client, method)(
        target, {"text": "Graag meer informatie."}, content_type="application/json"
    )
    desk, own_department = persona in ("eva", "lotte"), persona == "dirk"
    allowed = {"readers": desk or own_department, DESK_ONLY: desk, DEPARTMENT_ONLY: own_department}[who]
    if persona is None:
        assert response.status_code == 401
    elif allowed:
        assert response.status_code in (200, 201, 400, 409), response.content  # past the role check
    elif persona == "piet":
        assert response.status_code == foreign
    else:
        assert response.status_code in (403, 404)
        if persona in ("anna", "erik") and who == "readers":
            assert response.status_code == (404 if persona == "anna" else 403)
