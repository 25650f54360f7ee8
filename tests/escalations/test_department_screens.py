"""The department's screens: its own queue, a question with only what the desk shared, and its replies.

The UI speaks Dutch by default and the new strings are translated later, so these tests read data,
element ids and status codes, not the words on the page.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from escalations import services
from escalations.department_views import working_days_left
from escalations.models import Escalation, EventKind
from escalations.workflow import Status
from inbox.models import Conversation, DepartmentUpdate
from inbox.workflow import Status as ConversationStatus
from tests.factories import escalated, incoming

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
RESIDENT = "Sanne de Vries"  # the factory's sender name


def section(html: str, section_id: str) -> str:
    """The HTML of one <section id=...> of the page."""
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def listed(response, section_id: str) -> list[int]:
    """The escalations a queue section lists, in the order shown."""
    html = response.content.decode()
    return [int(pk) for pk in re.findall(r'data-escalation="(\d+)"', section(html, section_id))]


def phone_of(escalation: Escalation) -> str:
    return escalation.conversation.identity.external_id


def escalated_with_deadline(agent, department, days: int, **kwargs) -> Escalation:
    department.service_level_days = days
    department.save()
    return escalated(agent, department, **kwargs)


# --- The queue ------------------------------------------------------------------------------------


def test_the_queue_shows_the_departments_open_escalations_in_deadline_order(
    client, dirk, eva, waste_department
):
    later = escalated_with_deadline(eva, waste_department, 10, text="Container 1 is niet geleegd.")
    sooner = escalated_with_deadline(eva, waste_department, 2, text="Container 2 is niet geleegd.")
    middle = escalated_with_deadline(eva, waste_department, 5, text="Container 3 is niet geleegd.")
    client.force_login(dirk)
    response = client.get(reverse("department:queue"))
    assert response.status_code == 200
    assert listed(response, "open-escalations") == [sooner.pk, middle.pk, later.pk]
    html = response.content.decode()
    open_html = section(html, "open-escalations")
    assert reverse("department:detail", args=[sooner.pk]) in open_html
    assert "Kunnen jullie zien waarom deze container niet geleegd wordt?" in open_html  # its first line
    assert f'datetime="{timezone.localtime(sooner.due_at).isoformat()}"' in open_html
    assert "open-empty" not in html


def test_the_queue_shows_only_the_first_line_of_a_long_question(client, dirk, eva, waste_department):
    question = "Eerste regel van de vraag.\nTweede regel, met klantnummer 4471."
    escalated(eva, waste_department, question=question)
    client.force_login(dirk)
    html = client.get(reverse("department:queue")).content.decode()
    assert "Eerste regel van de vraag." in html
    assert "Tweede regel" not in html


def test_an_overdue_escalation_is_marked_with_a_badge_and_a_notice(client, dirk, eva, waste_department):
    overdue = escalated(eva, waste_department)
    on_time = escalated(eva, waste_department, text="Mijn pasje voor de container werkt niet.")
    Escalation.objects.filter(pk=overdue.pk).update(due_at=timezone.now() - timedelta(days=1))
    client.force_login(dirk)
    html = client.get(reverse("department:queue")).content.decode()
    assert listed_in_html_order(html)[:2] == [overdue.pk, on_time.pk]
    assert 'id="overdue-notice"' in html
    assert "badge-overdue" in row_html(html, overdue.pk)
    assert "badge-overdue" not in row_html(html, on_time.pk)
    detail = client.get(reverse("department:detail", args=[overdue.pk])).content.decode()
    assert 'id="overdue-badge"' in detail


def listed_in_html_order(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-escalation="(\d+)"', html)]


def row_html(html: str, pk: int) -> str:
    start = html.index(f'id="escalation-{pk}"')
    return html[start : html.index("</tr>", start)]


def test_waiting_and_recently_answered_escalations_have_their_own_sections(
    client, dirk, eva, waste_department
):
    still_open = escalated(eva, waste_department)
    waiting = escalated(eva, waste_department, text="Waar blijft mijn nieuwe container?")
    answered = escalated(eva, waste_department, text="Wanneer komt de grofvuilauto?")
    long_ago = escalated(eva, waste_department, text="Is mijn pas al verstuurd?")
    services.request_info(member=dirk, escalation_id=waiting.pk, text="Welk adres?")
    services.answer(member=dirk, escalation_id=answered.pk, text="Donderdag.")
    services.answer(member=dirk, escalation_id=long_ago.pk, text="Ja.")
    Escalation.objects.filter(pk=long_ago.pk).update(answered_at=timezone.now() - timedelta(days=31))
    client.force_login(dirk)
    response = client.get(reverse("department:queue"))
    assert listed(response, "open-escalations") == [still_open.pk]
    assert listed(response, "waiting-escalations") == [waiting.pk]
    assert listed(response, "answered-escalations") == [answered.pk]


def test_an_empty_queue_says_so_in_each_section(client, dirk):
    client.force_login(dirk)
    html = client.get(reverse("department:queue")).content.decode()
    for empty in ("open-empty", "waiting-empty", "answered-empty"):
        assert f'id="{empty}"' in html


def test_the_queue_costs_the_same_queries_for_two_escalations_as_for_five(
    client, dirk, eva, bram, waste_department
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("department:queue")).status_code == 200
        return len(captured)

    client.force_login(dirk)
    escalated(eva, waste_department)
    services.answer(member=dirk, escalation_id=escalated(eva, waste_department).pk, text="Klaar.")
    few = queries()
    escalated(bram, waste_department)
    services.answer(member=dirk, escalation_id=escalated(bram, waste_department).pk, text="Klaar.")
    services.request_info(member=dirk, escalation_id=escalated(bram, waste_department).pk, text="Welk adres?")
    assert queries() == few


# --- One question: only what the desk shared ------------------------------------------------------


def test_the_detail_shows_the_question_and_the_shared_messages_without_who_sent_them(
    client, dirk, eva, waste_department
):
    escalation = escalated(eva, waste_department)
    client.force_login(dirk)
    response = client.get(reverse("department:detail", args=[escalation.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="escalation-question">{escalation.question}<' in html
    shared = section(html, "shared-context")
    assert "Mijn container is al drie weken niet geleegd, klantnummer 4471." in shared
    assert 'id="minimisation-notice"' in shared
    assert RESIDENT not in html
    assert "Sanne" not in html
    assert phone_of(escalation) not in html
    assert 'id="shared-contact"' not in html


def test_the_detail_shows_the_residents_contact_details_only_when_the_desk_shared_them(
    client, dirk, eva, waste_department
):
    escalation = escalated(eva, waste_department, share_contact=True)
    client.force_login(dirk)
    html = client.get(reverse("department:detail", args=[escalation.pk])).content.decode()
    start = html.index('id="shared-contact"')
    contact = html[start : html.index("</dl>", start)]
    assert RESIDENT in contact
    assert phone_of(escalation) in contact


def test_messages_the_agent_did_not_share_stay_out_of_sight(client, dirk, eva, waste_department):
    escalation = escalated(eva, waste_department)
    unshared = incoming("Mijn BSN is 123456782, bel me op 0612345678.", sender_id=phone_of(escalation))
    assert unshared.conversation_id == escalation.conversation_id
    client.force_login(dirk)
    html = client.get(reverse("department:detail", args=[escalation.pk])).content.decode()
    assert "123456782" not in html
    assert re.findall(r'data-message="(\d+)"', html) == [
        str(pk) for pk in escalation.shared_messages.values_list("pk", flat=True)
    ]


def test_the_history_reads_as_a_thread_of_what_was_asked_and_answered(client, dirk, eva, waste_department):
    escalation = escalated(eva, waste_department)
    services.request_info(member=dirk, escalation_id=escalation.pk, text="Welk adres is het?")
    services.add_info(agent=eva, escalation_id=escalation.pk, text="Dorpsstraat 12.")
    services.answer(member=dirk, escalation_id=escalation.pk, text="De container wordt morgen geleegd.")
    client.force_login(dirk)
    html = client.get(reverse("department:detail", args=[escalation.pk])).content.decode()
    start = html.index('id="escalation-history"')
    history = html[start : html.index("</ol>", start)]
    assert re.findall(r'data-kind="(\w+)"', history) == [
        EventKind.ASKED,
        EventKind.INFO_REQUESTED,
        EventKind.INFO_ADDED,
        EventKind.ANSWERED,
    ]
    for text in ("Welk adres is het?", "Dorpsstraat 12.", "De container wordt morgen geleegd."):
        assert text in history
    assert 'id="answer-form"' not in html  # answered: nothing left to reply


def test_nothing_on_the_department_pages_leads_to_the_inbox(client, dirk, eva, waste_department):
    escalation = escalated(eva, waste_department)
    client.force_login(dirk)
    for url in (reverse("department:queue"), reverse("department:detail", args=[escalation.pk])):
        html = client.get(url).content.decode()
        assert "/inbox/" not in html


# --- Replying to the desk -------------------------------------------------------------------------


def test_answering_hands_the_conversation_back_to_the_agent(client, dirk, eva, waste_department):
    escalation = escalated(eva, waste_department)
    client.force_login(dirk)
    response = client.post(
        reverse("department:answer", args=[escalation.pk]),
        {"answer-text": "De container wordt donderdag geleegd."},
    )
    assert response.status_code == 302
    assert response.url == reverse("department:queue")
    escalation.refresh_from_db()
    assert escalation.status == Status.ANSWERED
    assert escalation.answer == "De container wordt donderdag geleegd."
    assert escalation.answered_by == dirk
    conversation = Conversation.objects.get(pk=escalation.conversation_id)
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.department_update == DepartmentUpdate.ANSWERED
    queue = client.get(response.url)
    assert listed(queue, "open-escalations") == []
    assert listed(queue, "answered-escalations") == [escalation.pk]
    assert list(queue.context["messages"])  # the confirmation


def test_needs_more_information_sends_the_question_back_to_the_desk(client, dirk, eva, waste_department):
    escalation = escalated(eva, waste_department)
    client.force_login(dirk)
    response = client.post(
        reverse("department:request-info", args=[escalation.pk]), {"info-text": "Op welk adres staat hij?"}
    )
    assert response.status_code == 302
    assert response.url == reverse("department:queue")
    escalation.refresh_from_db()
    assert escalation.status == Status.INFO_REQUESTED
    assert escalation.events.last().text == "Op welk adres staat hij?"
    conversation = Conversation.objects.get(pk=escalation.conversation_id)
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.department_update == DepartmentUpdate.INFO_REQUESTED
    queue = client.get(response.url)
    assert listed(queue, "waiting-escalations") == [escalation.pk]
    detail = client.get(reverse("department:detail", args=[escalation.pk])).content.decode()
    assert 'id="answer-form"' not in detail
    assert 'id="status-notice"' in detail


@pytest.mark.parametrize(
    ("url_name", "field"), [("department:answer", "answer-text"), ("department:request-info", "info-text")]
)
@pytest.mark.parametrize("text", ["", "   "], ids=["empty", "spaces"])
def test_an_empty_reply_is_refused_on_the_page(client, dirk, eva, waste_department, url_name, field, text):
    escalation = escalated(eva, waste_department)
    client.force_login(dirk)
    response = client.post(reverse(url_name, args=[escalation.pk]), {field: text})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="reply-error"' in html
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    escalation.refresh_from_db()
    assert escalation.status == Status.OPEN


def test_a_reply_that_is_too_long_is_refused_with_the_text_kept(client, dirk, eva, waste_department):
    escalation = escalated(eva, waste_department)
    text = "Lang antwoord. " + "x" * services.QUESTION_LENGTH
    client.force_login(dirk)
    response = client.post(reverse("department:answer", args=[escalation.pk]), {"answer-text": text})
    assert response.status_code == 400
    assert text in response.content.decode()
    assert Escalation.objects.get(pk=escalation.pk).status == Status.OPEN


def test_answering_what_a_colleague_already_answered_is_refused_with_the_text_kept(
    client, dirk, eva, waste_department
):
    escalation = escalated(eva, waste_department)
    services.answer(member=dirk, escalation_id=escalation.pk, text="Eerste antwoord.")
    client.force_login(dirk)
    response = client.post(
        reverse("department:answer", args=[escalation.pk]), {"answer-text": "Mijn eigen antwoord."}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="reply-error"' in html
    assert "Mijn eigen antwoord." in html
    escalation.refresh_from_db()
    assert escalation.answer == "Eerste antwoord."


# --- Who sees what --------------------------------------------------------------------------------


def test_another_department_gets_a_404_for_everything_of_waste_and_sees_none_of_it(
    client, piet, dirk, eva, waste_department, parking_department
):
    waste = escalated(eva, waste_department)
    parking = escalated(
        eva,
        parking_department,
        text="Mijn parkeervergunning is niet verlengd.",
        question="Is de vergunning van deze bewoner verlopen?",
    )
    client.force_login(piet)
    assert client.get(reverse("department:detail", args=[waste.pk])).status_code == 404
    for url_name, field in (("department:answer", "answer-text"), ("department:request-info", "info-text")):
        response = client.post(reverse(url_name, args=[waste.pk]), {field: "Niet van ons."})
        assert response.status_code == 404
    waste.refresh_from_db()
    assert waste.status == Status.OPEN
    assert waste.events.count() == 1

    queue = client.get(reverse("department:queue"))
    html = queue.content.decode()
    assert listed(queue, "open-escalations") == [parking.pk]
    assert waste_department.name not in html
    assert "container" not in html.lower()
    assert client.get(reverse("department:detail", args=[parking.pk])).status_code == 200


def test_a_member_without_a_department_sees_an_empty_queue(client, eva, waste_department):
    loner = get_user_model().objects.create_user(username="joost", role="department")
    escalation = escalated(eva, waste_department)
    client.force_login(loner)
    assert listed(client.get(reverse("department:queue")), "open-escalations") == []
    assert client.get(reverse("department:detail", args=[escalation.pk])).status_code == 404


OUTSIDERS = ["eva", "lotte", "erik", "ada"]


@pytest.mark.parametrize("persona", OUTSIDERS + [None], indirect=True)
@pytest.mark.parametrize(
    ("method", "url_name", "needs_pk"),
    [
        ("get", "department:queue", False),
        ("get", "department:detail", True),
        ("post", "department:answer", True),
        ("post", "department:request-info", True),
    ],
)
def test_the_desk_editors_and_strangers_are_kept_out(
    client, persona, eva, waste_department, method, url_name, needs_pk
):
    escalation = escalated(eva, waste_department)
    url = reverse(url_name, args=[escalation.pk] if needs_pk else [])
    if persona is not None:
        client.force_login(persona)
    response = getattr(client, method)(url, {"answer-text": "Hallo", "info-text": "Hallo"})
    if persona is None:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 403
    assert Escalation.objects.get(pk=escalation.pk).status == Status.OPEN


def test_an_account_manager_reads_the_departments_they_manage_but_does_not_answer(
    client, anna, eva, waste_department, parking_department
):
    waste_department.account_manager = anna
    waste_department.save()
    waste = escalated(eva, waste_department)
    parking = escalated(eva, parking_department, text="Mijn parkeervergunning is niet verlengd.")
    client.force_login(anna)
    queue = client.get(reverse("department:queue"))
    assert listed(queue, "open-escalations") == [waste.pk]
    detail = client.get(reverse("department:detail", args=[waste.pk]))
    assert detail.status_code == 200
    assert 'id="answer-form"' not in detail.content.decode()
    assert client.get(reverse("department:detail", args=[parking.pk])).status_code == 404
    response = client.post(reverse("department:answer", args=[waste.pk]), {"answer-text": "Hallo"})
    assert response.status_code == 403
    assert Escalation.objects.get(pk=waste.pk).status == Status.OPEN


# --- Working days left ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "due", "left"),
    [
        (datetime(2026, 4, 22, 9, tzinfo=AMSTERDAM), datetime(2026, 4, 22, 18, tzinfo=AMSTERDAM), 0),
        # Friday to Tuesday across King's Day (Monday 27 April 2026): only Tuesday counts.
        (datetime(2026, 4, 24, 9, tzinfo=AMSTERDAM), datetime(2026, 4, 28, 18, tzinfo=AMSTERDAM), 1),
        # Christmas Eve to the Monday after: Christmas, Boxing Day and the weekend do not count.
        (datetime(2025, 12, 24, 9, tzinfo=AMSTERDAM), datetime(2025, 12, 29, 18, tzinfo=AMSTERDAM), 1),
        (datetime(2026, 11, 30, 9, tzinfo=AMSTERDAM), datetime(2026, 12, 7, 18, tzinfo=AMSTERDAM), 5),
    ],
    ids=["today", "kings-day", "christmas", "a-week"],
)
def test_working_days_left_skip_weekends_and_dutch_holidays(now, due, left):
    assert working_days_left(due, now) == left
