"""The desk's side of escalations in the browser's HTML: the panel on a conversation, the queue's
badges, the away switch and the lead's overview. The UI speaks Dutch by default, so these tests read
ids, data attributes and status codes, not words."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from escalations import services
from escalations.models import Escalation, EventKind
from escalations.workflow import Status
from inbox.models import Conversation, Topic
from inbox.workflow import Status as ConversationStatus
from tests.factories import escalated, incoming

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CONTAINER = "Mijn container is al drie weken niet geleegd, klantnummer 4471."


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def panel_of(client, conversation_id: int, **query) -> str:
    """The department panel, as the conversation page shows it."""
    response = client.get(reverse("inbox:conversation", args=[conversation_id]), query)
    assert response.status_code == 200
    page = response.content.decode()
    return re.search(r'<section [^>]*id="escalation">(.*?)</section>', page, re.S).group(1)


def selected_department(html: str) -> str | None:
    found = re.search(r'<option value="([\w-]+)" selected>', html)
    return found.group(1) if found else None


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def waste_topic(waste_department) -> Topic:
    topic = Topic.objects.get(slug="waste_collection")
    waste_department.topics.add(topic)
    return topic


@pytest.fixture
def asked(eva, waste_department):
    return escalated(eva, waste_department, text=CONTAINER)


def test_the_conversation_page_shows_the_panel_in_the_same_answer(client, eva):
    message = incoming(CONTAINER)
    client.force_login(eva)
    assert 'id="escalate-form"' in panel_of(client, message.conversation_id)  # not loaded after the page


def test_agent_escalates_from_the_panel_to_the_department_of_the_topic(
    client, eva, waste_topic, parking_department
):
    earlier = incoming("Hallo, ik heb een vraag.", sender_id="+31612340001")
    latest = incoming(CONTAINER, sender_id="+31612340001")
    assert earlier.conversation_id == latest.conversation_id
    client.force_login(eva)

    panel = panel_of(client, latest.conversation_id)
    assert 'id="escalate-form"' in panel
    assert selected_department(panel) == "waste"  # suggested from the topic, via Department.topics
    assert f'value="{latest.pk}" id="escalate-message-{latest.pk}" checked' in panel  # latest pre-checked
    assert f'value="{earlier.pk}" id="escalate-message-{earlier.pk}">' in panel
    assert re.search(r'id="escalate-share-contact"[^>]*>', panel).group(0).count("checked") == 0

    response = client.post(
        reverse("escalations:escalate", args=[latest.conversation_id]),
        {
            "department": "waste",
            "question": "Waarom is deze container niet geleegd?",
            "messages": [latest.pk],
        },
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("inbox:conversation", args=[latest.conversation_id]))
    conversation = Conversation.objects.get(pk=latest.conversation_id)
    assert (conversation.status, conversation.assigned_to) == (ConversationStatus.ESCALATED, eva)
    escalation = Escalation.objects.get(conversation=conversation)
    assert escalation.department.slug == "waste"
    assert escalation.question == "Waarom is deze container niet geleegd?"
    assert list(escalation.shared_messages.all()) == [latest]
    assert escalation.share_contact is False

    panel = panel_of(client, conversation.pk)
    assert f'data-escalation="{escalation.pk}" data-status="open"' in panel
    assert 'data-days-left="5"' in panel  # the department's service level, in working days
    assert 'id="withdraw-form"' in panel and 'id="add-info-form"' not in panel


def test_a_department_in_the_panel_url_overrides_the_suggestion(client, eva, waste_topic, parking_department):
    message = incoming(CONTAINER)
    client.force_login(eva)
    assert selected_department(panel_of(client, message.conversation_id, department="parking")) == "parking"


def test_a_refused_escalation_keeps_the_question(client, eva, waste_department):
    message = incoming(CONTAINER)
    client.force_login(eva)
    response = client.post(
        reverse("escalations:escalate", args=[message.conversation_id]),
        {"department": "", "question": "Wat is hier aan de hand?", "messages": [message.pk]},
    )
    assert response.status_code == 302
    assert messages_of(response)  # the refusal, in the desk's language
    assert not Escalation.objects.exists()
    assert Conversation.objects.get(pk=message.conversation_id).status != ConversationStatus.ESCALATED
    assert "Wat is hier aan de hand?</textarea>" in panel_of(client, message.conversation_id)


def test_a_second_escalation_while_one_is_open_is_refused(client, eva, asked, parking_department):
    client.force_login(eva)
    response = client.post(
        reverse("escalations:escalate", args=[asked.conversation_id]),
        {"department": "parking", "question": "En parkeren?"},
    )
    assert response.status_code == 302
    assert messages_of(response)
    assert Escalation.objects.count() == 1


def test_the_panel_shows_the_answer_with_a_use_button(client, eva, dirk, asked):
    services.answer(
        member=dirk, escalation_id=asked.pk, text="De container stond op slot; we legen hem morgen."
    )
    client.force_login(eva)
    panel = panel_of(client, asked.conversation_id)
    assert 'data-status="answered"' in panel
    assert 'id="escalation-answer"' in panel
    button = re.search(r'<button [^>]*id="use-escalation-answer"[^>]*>', panel).group(0)
    assert 'class="use-suggestion"' in button  # the suggestions' mechanism in app.js
    assert 'data-answer="De container stond op slot; we legen hem morgen."' in button
    assert 'id="add-info-form"' in panel  # a follow-up question is possible
    assert 'id="withdraw-form"' not in panel  # an answered question is not withdrawn


def test_replying_after_the_answer_closes_the_question(client, eva, dirk, asked):
    services.answer(member=dirk, escalation_id=asked.pk, text="We legen hem morgen.")
    client.force_login(eva)
    client.post(
        reverse("inbox:reply", args=[asked.conversation_id]), {"text": "We legen je container morgen."}
    )
    asked.refresh_from_db()
    assert asked.status == Status.CLOSED
    panel = panel_of(client, asked.conversation_id)
    assert 'id="escalate-form"' in panel  # a new question is possible again
    assert f'data-escalation="{asked.pk}" data-status="closed"' in panel  # among the earlier ones


def test_agent_adds_the_information_the_department_asked_for(client, eva, dirk, asked):
    services.request_info(member=dirk, escalation_id=asked.pk, text="Welk adres is het?")
    later = incoming("Het is Dorpsstraat 1.", sender_id=asked.conversation.identity.external_id)
    client.force_login(eva)
    panel = panel_of(client, asked.conversation_id)
    assert 'data-status="info_requested"' in panel
    assert 'id="add-info-form"' in panel
    assert 'data-kind="info_requested"' in panel and "Welk adres is het?" in panel

    response = client.post(
        reverse("escalations:add-info", args=[asked.pk]), {"text": "Dorpsstraat 1.", "messages": [later.pk]}
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Status.OPEN
    assert asked.events.last().kind == EventKind.INFO_ADDED
    assert asked.events.last().text == "Dorpsstraat 1."
    assert later in asked.shared_messages.all()
    assert Conversation.objects.get(pk=asked.conversation_id).status == ConversationStatus.ESCALATED


def test_empty_information_is_refused_and_nothing_changes(client, eva, dirk, asked):
    services.request_info(member=dirk, escalation_id=asked.pk, text="Welk adres is het?")
    client.force_login(eva)
    response = client.post(reverse("escalations:add-info", args=[asked.pk]), {"text": "  "})
    assert response.status_code == 302
    assert messages_of(response)
    asked.refresh_from_db()
    assert asked.status == Status.INFO_REQUESTED


def test_agent_withdraws_the_question(client, eva, asked):
    client.force_login(eva)
    response = client.post(reverse("escalations:withdraw", args=[asked.pk]), {"reason": "Zelf opgelost."})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert asked.status == Status.WITHDRAWN
    assert asked.events.last().text == "Zelf opgelost."
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert (conversation.status, conversation.department_due) == (ConversationStatus.OPEN, None)


def test_withdrawing_an_answered_question_is_refused_with_a_message(client, eva, dirk, asked):
    services.answer(member=dirk, escalation_id=asked.pk, text="Klaar.")
    client.force_login(eva)
    response = client.post(reverse("escalations:withdraw", args=[asked.pk]))
    assert response.status_code == 302
    assert messages_of(response)
    asked.refresh_from_db()
    assert asked.status == Status.ANSWERED


def test_a_colleague_sees_the_escalation_but_gets_no_forms(client, bram, asked):
    client.force_login(bram)
    panel = panel_of(client, asked.conversation_id)
    assert 'data-status="open"' in panel
    assert "<form" not in panel


def test_the_queue_shows_the_answer_received_badge(client, eva, dirk, asked):
    client.force_login(eva)
    page = client.get(reverse("inbox:queue")).content.decode()
    assert f'data-department-due="{asked.due_at.astimezone(AMSTERDAM).isoformat()}"' in page
    services.answer(member=dirk, escalation_id=asked.pk, text="Klaar.")
    page = client.get(reverse("inbox:queue")).content.decode()
    assert 'data-department-update="answered"' in page


def test_the_queue_shows_that_the_department_needs_more(client, eva, dirk, asked):
    services.request_info(member=dirk, escalation_id=asked.pk, text="Welk adres?")
    client.force_login(eva)
    page = client.get(reverse("inbox:queue")).content.decode()
    assert 'data-department-update="info_requested"' in page


def test_the_agent_keeps_escalated_conversations_in_view(client, eva, bram, asked):
    client.force_login(eva)
    page = client.get(reverse("inbox:queue"), {"status": "new"}).content.decode()  # not in the filter
    assert 'id="with-departments"' in page
    assert f'data-conversation="{asked.conversation_id}"' in page
    client.force_login(bram)
    assert 'id="with-departments"' not in client.get(reverse("inbox:queue")).content.decode()


def test_with_departments_lists_the_agents_escalated_conversations(eva, bram, asked, waste_department):
    other = escalated(bram, waste_department, sender_id="+31699999999")
    assert list(Conversation.objects.with_departments(eva)) == [asked.conversation]
    assert list(Conversation.objects.with_departments(bram)) == [other.conversation]


def test_an_away_agent_gets_the_answer_in_the_team_queue(client, eva, dirk, asked):
    client.force_login(eva)
    response = client.post(reverse("accounts:away"), {"away": "1", "next": "/inbox/"})
    assert (response.status_code, response.url) == (302, "/inbox/")
    eva.refresh_from_db()
    assert eva.is_away

    services.answer(member=dirk, escalation_id=asked.pk, text="Klaar.")
    conversation = Conversation.objects.get(pk=asked.conversation_id)
    assert conversation.assigned_to is None
    assert conversation.department_update == "answered"


def test_a_present_agent_keeps_the_answered_conversation(client, eva, dirk, asked):
    client.force_login(eva)
    client.post(reverse("accounts:away"), {"away": "1"})
    client.post(reverse("accounts:away"), {"away": "0"})
    eva.refresh_from_db()
    assert not eva.is_away
    services.answer(member=dirk, escalation_id=asked.pk, text="Klaar.")
    assert Conversation.objects.get(pk=asked.conversation_id).assigned_to == eva


def test_the_away_switch_is_in_the_header_for_the_desk_only(client, eva, erik):
    client.force_login(eva)
    page = client.get(reverse("inbox:queue")).content.decode()
    assert 'id="away-form"' in page and 'name="away" value="1"' in page
    client.post(reverse("accounts:away"), {"away": "1"})
    page = client.get(reverse("inbox:queue")).content.decode()
    assert 'name="away" value="0"' in page and 'id="away-status"' in page
    client.force_login(erik)
    assert 'id="away-form"' not in client.get(reverse("home")).content.decode()
    assert client.post(reverse("accounts:away"), {"away": "1"}).status_code == 403


def test_the_away_switch_never_redirects_off_site(client, eva):
    client.force_login(eva)
    response = client.post(reverse("accounts:away"), {"away": "1", "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_the_overview_counts_per_department(
    client, lotte, eva, bram, dirk, waste_department, parking_department
):
    from protocols.services import draft_from_escalation

    # Monday 16 November: a question that is overdue by 2 December (five working days: 23 November).
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False):
        late = escalated(eva, waste_department, sender_id="+31600000001")
    # Monday 30 November: one answered within the day (5 office hours), one answered next morning
    # (9 + 2 office hours: Monday 9:00-18:00 and Tuesday 8:00-10:00), one still open.
    with time_machine.travel(at(2026, 11, 30, 9, 0), tick=False):
        quick = escalated(eva, waste_department, sender_id="+31600000002")
        slow = escalated(bram, waste_department, sender_id="+31600000003")
        escalated(bram, waste_department, sender_id="+31600000004")
        parked = escalated(eva, parking_department, sender_id="+31600000005")
    with time_machine.travel(at(2026, 11, 30, 14, 0), tick=False):
        services.answer(member=dirk, escalation_id=quick.pk, text="Klaar.")
    with time_machine.travel(at(2026, 12, 1, 10, 0), tick=False):
        services.answer(member=dirk, escalation_id=slow.pk, text="Ook klaar.")
        draft_from_escalation(author=eva, escalation_id=slow.pk)
    with time_machine.travel(at(2026, 12, 2, 12, 0), tick=False):
        client.force_login(lotte)
        page = client.get(reverse("escalations:overview")).content.decode()

    waste = re.search(r'<tr data-department="waste">.*?</tr>', page, re.S).group(0)
    assert 'data-open="2"' in waste  # the late one and the one still open
    assert 'data-overdue="1"' in waste
    assert f'data-oldest="{late.due_at.astimezone(AMSTERDAM).isoformat()}"' in waste
    assert 'data-answered="2"' in waste
    assert 'data-median-hours="8.0"' in waste  # median of 5 and 11 office hours
    assert 'data-protocols="1" data-answered-ever="2"' in waste
    parking = re.search(r'<tr data-department="parking">.*?</tr>', page, re.S).group(0)
    assert 'data-open="1"' in parking and 'data-overdue="0"' in parking and 'data-answered="0"' in parking

    overdue = re.search(r'id="overdue-escalations".*?</section>', page, re.S).group(0)
    assert f'data-escalation="{late.pk}"' in overdue
    assert f'data-escalation="{parked.pk}"' not in overdue
    assert reverse("inbox:conversation", args=[late.conversation_id]) in overdue


@pytest.mark.parametrize("persona", ["dirk", "erik", "anna"], indirect=True)
def test_no_one_outside_the_desk_sees_the_panel_or_acts(client, persona, asked):
    client.force_login(persona)
    assert client.get(reverse("inbox:conversation", args=[asked.conversation_id])).status_code == 403
    escalate_url = reverse("escalations:escalate", args=[asked.conversation_id])
    assert client.post(escalate_url, {"department": "waste", "question": "?"}).status_code == 403
    assert client.post(reverse("escalations:add-info", args=[asked.pk]), {"text": "x"}).status_code == 403
    assert client.post(reverse("escalations:withdraw", args=[asked.pk])).status_code == 403
    asked.refresh_from_db()
    assert asked.status == Status.OPEN


@pytest.mark.parametrize(
    ("persona", "status"),
    [("dirk", 403), ("erik", 403), ("anna", 403), ("eva", 403), ("lotte", 200), ("ada", 200)],
    indirect=["persona"],
)
def test_only_leads_see_the_overview(client, persona, status):
    client.force_login(persona)
    assert client.get(reverse("escalations:overview")).status_code == status


def test_not_logged_in_is_sent_to_the_login(client, asked):
    response = client.post(reverse("escalations:escalate", args=[asked.conversation_id]))
    assert response.status_code == 302 and "/login/" in response.url


def test_navigation_offers_each_role_its_escalation_screens(client, lotte, eva):
    client.force_login(lotte)
    page = client.get(reverse("inbox:queue")).content.decode()
    assert f'href="{reverse("escalations:overview")}"' in page
    client.force_login(eva)
    page = client.get(reverse("inbox:queue")).content.decode()
    assert f'href="{reverse("escalations:overview")}"' not in page
