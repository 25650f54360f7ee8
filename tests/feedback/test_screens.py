"""The feedback screens in the browser's HTML: the panel on a conversation, the list, one suggestion
and its status form, the overview, and who may see what. The UI speaks Dutch by default, so these
tests read ids, data attributes and status codes, not words."""

import re

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import Kind, NoticeState, ResidentNotice, Suggestion, SuggestionReport
from feedback.notifications import status_page_url
from feedback.workflow import Status
from inbox.models import Direction, Message, Topic
from tests.factories import conversation

pytestmark = pytest.mark.django_db

CONTAINER = "Mijn container is al drie weken niet geleegd."
IDEA = "Zet meer containers voor plastic neer in de Pijp."


@pytest.fixture
def waste_topic(waste_department) -> Topic:
    topic = Topic.objects.get(slug="waste_collection")
    waste_department.topics.add(topic)
    return topic


@pytest.fixture
def talk(waste_topic):
    """A resident's WhatsApp conversation about waste collection, within the reply window."""
    found = conversation(CONTAINER)
    assert found.topic == waste_topic
    return found


def panel_of(client, conversation_id: int) -> str:
    """The suggestions and complaints panel, as the conversation page shows it."""
    response = client.get(reverse("inbox:conversation", args=[conversation_id]))
    assert response.status_code == 200
    page = response.content.decode()
    return re.search(r'<section [^>]*id="feedback">(.*?)</section>', page, re.S).group(1)


def tag(html: str, element_id: str) -> str:
    """The opening tag of the element with this id."""
    return re.search(rf'<[a-z]+ [^>]*id="{element_id}"[^>]*>', html).group(0)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def outbound(conversation_id: int) -> list[Message]:
    return list(Message.objects.filter(conversation_id=conversation_id, direction=Direction.OUTBOUND))


def recorded(agent, talk, department, *, summary: str = IDEA, notify: bool = True, **kwargs) -> Suggestion:
    return services.record(
        agent=agent,
        conversation_id=talk.pk,
        summary=summary,
        department_id=department.pk,
        notify=notify,
        **kwargs,
    )


def move(actor, suggestion: Suggestion, *statuses: str, explanation: str = "") -> Suggestion:
    for status in statuses:
        suggestion = services.change_status(
            actor=actor, suggestion_id=suggestion.pk, status=status, explanation=explanation
        )
    return suggestion


# --- The panel ----------------------------------------------------------------------------------------


def test_the_conversation_page_shows_the_panel_in_the_same_answer(client, eva, talk):
    client.force_login(eva)
    assert 'id="feedback-record-form"' in panel_of(client, talk.pk)  # not loaded after the page


def test_agent_records_a_suggestion_and_the_resident_gets_the_link(
    client, eva, talk, parking_department, django_capture_on_commit_callbacks
):
    client.force_login(eva)
    panel = panel_of(client, talk.pk)
    assert re.search(r'<option value="waste" selected>', panel)  # suggested from the topic
    assert 'value="parking" selected' not in panel
    assert " checked" in tag(panel, "feedback-notify")  # the resident hears back unless the agent says no
    assert " checked" in tag(panel, "feedback-kind-suggestion")
    assert "feedback-summary-hint" in tag(panel, "feedback-summary")  # the no-personal-data hint, linked

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("feedback:record", args=[talk.pk]),
            {"summary": IDEA, "kind": "suggestion", "department": "waste", "notify": "on"},
        )
    assert response.status_code == 302
    assert response.url == reverse("inbox:conversation", args=[talk.pk]) + "#feedback"
    assert messages_of(response)
    suggestion = Suggestion.objects.get()
    assert (suggestion.summary, suggestion.kind, suggestion.department.slug) == (
        IDEA,
        Kind.SUGGESTION,
        "waste",
    )
    assert (suggestion.status, suggestion.topic_id, suggestion.created_by) == (
        Status.RECEIVED,
        talk.topic_id,
        eva,
    )
    report = SuggestionReport.objects.get()
    assert (report.conversation_id, report.notify) == (talk.pk, True)

    link = status_page_url(suggestion)
    [acknowledgement] = outbound(talk.pk)
    assert link in acknowledgement.text
    notice = ResidentNotice.objects.get()
    assert (notice.status, notice.state, notice.message) == (
        Status.RECEIVED,
        NoticeState.SENT,
        acknowledgement,
    )

    panel = panel_of(client, talk.pk)
    assert f'data-suggestion="{suggestion.pk}" data-status="received" data-notify="1"' in panel
    assert f'href="{reverse("feedback:detail", args=[suggestion.pk])}"' in panel
    assert f'href="{link}"' in panel
    assert 'data-notice-status="received" data-notice-state="sent"' in panel


def test_a_complaint_without_hearing_back_sends_nothing(
    client, eva, talk, django_capture_on_commit_callbacks
):
    client.force_login(eva)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("feedback:record", args=[talk.pk]),
            {"summary": "Klacht over de ophaaldienst", "kind": "complaint", "department": "waste"},
        )
    suggestion = Suggestion.objects.get()
    assert suggestion.kind == Kind.COMPLAINT
    assert SuggestionReport.objects.get().notify is False
    assert outbound(talk.pk) == []
    assert 'data-notify="0"' in panel_of(client, talk.pk)


def test_a_refused_record_keeps_the_summary_and_marks_the_field(client, eva, talk):
    client.force_login(eva)
    response = client.post(
        reverse("feedback:record", args=[talk.pk]),
        {"summary": IDEA, "kind": "suggestion", "department": "", "notify": "on"},
    )
    assert response.status_code == 302
    assert messages_of(response)
    assert not Suggestion.objects.exists()

    panel = panel_of(client, talk.pk)
    assert f">{IDEA}</textarea>" in panel
    select = tag(panel, "feedback-department")
    assert 'aria-invalid="true"' in select and "feedback-department-error" in select
    assert 'id="feedback-department-error"' in panel
    assert not re.search(r'<option value="waste" selected>', panel)  # the agent's choice, not the topic's
    # The draft is shown once.
    assert f">{IDEA}</textarea>" not in panel_of(client, talk.pk)


def test_an_empty_summary_is_refused(client, eva, talk):
    client.force_login(eva)
    client.post(reverse("feedback:record", args=[talk.pk]), {"summary": "   ", "department": "waste"})
    assert not Suggestion.objects.exists()
    assert 'aria-invalid="true"' in tag(panel_of(client, talk.pk), "feedback-summary")


def test_agent_links_another_resident_to_the_same_suggestion(
    client, eva, bram, talk, django_capture_on_commit_callbacks, waste_department
):
    first = recorded(eva, talk, waste_department)
    other = conversation("De container in onze straat is vol.", sender_id="+31687654321")
    assert other.topic_id == talk.topic_id
    client.force_login(bram)
    panel = panel_of(client, other.pk)
    assert f'<option value="{first.pk}">' in panel

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("feedback:record", args=[other.pk]), {"same_as": first.pk, "notify": "on"}
        )
    assert response.status_code == 302
    assert messages_of(response)
    assert Suggestion.objects.count() == 1
    assert set(first.reports.values_list("conversation_id", flat=True)) == {talk.pk, other.pk}
    [acknowledgement] = outbound(other.pk)
    assert status_page_url(first) in acknowledgement.text

    panel = panel_of(client, other.pk)
    assert f'data-suggestion="{first.pk}"' in panel
    assert f'<option value="{first.pk}">' not in panel  # it already follows it


def test_linking_twice_is_refused_with_a_message(client, eva, talk, waste_department):
    first = recorded(eva, talk, waste_department, notify=False)
    client.force_login(eva)
    response = client.post(reverse("feedback:record", args=[talk.pk]), {"same_as": first.pk})
    assert response.status_code == 302
    assert messages_of(response)
    assert first.reports.count() == 1


def test_linking_to_a_decided_suggestion_is_refused(client, eva, lotte, talk, waste_department):
    decided = move(
        lotte,
        recorded(eva, talk, waste_department, notify=False),
        Status.FORWARDED,
        Status.UNDER_CONSIDERATION,
        Status.NOT_ADOPTED,
        explanation="Er is geen plek.",
    )
    other = conversation("Nog een container vol.", sender_id="+31687654322")
    client.force_login(eva)
    client.post(reverse("feedback:record", args=[other.pk]), {"same_as": decided.pk})
    assert not decided.reports.filter(conversation=other).exists()


def test_same_as_offers_open_suggestions_on_the_topic_newest_first(
    client, eva, lotte, talk, waste_department, parking_department
):
    older = recorded(eva, talk, waste_department, summary="Oudere suggestie", notify=False)
    newer = recorded(eva, talk, waste_department, summary="Nieuwere suggestie", notify=False)
    parking_talk = conversation("Mijn parkeervergunning is verlopen.", sender_id="+31600000077")
    elsewhere = recorded(eva, parking_talk, parking_department, summary="Ander onderwerp", notify=False)
    decided = move(
        lotte,
        recorded(eva, talk, waste_department, summary="Besloten", notify=False),
        Status.FORWARDED,
        Status.UNDER_CONSIDERATION,
        Status.IMPLEMENTED,
        explanation="Gedaan.",
    )
    other = conversation("Container vol bij ons.", sender_id="+31600000078")
    client.force_login(eva)
    select = re.search(r'<select id="feedback-same-as".*?</select>', panel_of(client, other.pk), re.S).group(
        0
    )
    offered = [int(pk) for pk in re.findall(r'<option value="(\d+)"', select)]
    assert offered == [newer.pk, older.pk]
    assert elsewhere.pk not in offered and decided.pk not in offered


# --- The list -----------------------------------------------------------------------------------------


@pytest.fixture
def several(eva, lotte, talk, waste_department, parking_department):
    """Three suggestions: waste received, waste complaint forwarded, parking suggestion received."""
    waste = recorded(eva, talk, waste_department, summary="Meer containers")
    complaint = move(
        lotte, recorded(eva, talk, waste_department, summary="Klacht", kind=Kind.COMPLAINT), Status.FORWARDED
    )
    parking_talk = conversation("Mijn parkeervergunning is verlopen.", sender_id="+31600000099")
    parking = recorded(eva, parking_talk, parking_department, summary="Parkeren")
    return waste, complaint, parking


def listed(client, **params) -> list[int]:
    response = client.get(reverse("feedback:list"), params)
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<tr data-suggestion="(\d+)"', response.content.decode())]


def test_the_list_shows_everything_newest_first_and_filters(client, lotte, several):
    waste, complaint, parking = several
    client.force_login(lotte)
    assert listed(client) == [parking.pk, complaint.pk, waste.pk]
    assert listed(client, status="forwarded") == [complaint.pk]
    assert listed(client, department="parking") == [parking.pk]
    assert listed(client, kind="complaint") == [complaint.pk]
    assert listed(client, department="waste", status="received") == [waste.pk]
    assert listed(client, department="nowhere") == []  # an invalid filter shows nothing, and says so


def test_the_list_counts_residents_once_and_those_who_cannot_be_reached(
    client, eva, lotte, talk, waste_department
):
    suggestion = recorded(eva, talk, waste_department, notify=False)
    same_resident = conversation(
        "Nog iets over mijn container.", sender_id=talk.identity.external_id, thread_key="dm-2"
    )
    assert (same_resident.contact_id, same_resident.pk != talk.pk) == (talk.contact_id, True)
    services.link(agent=eva, suggestion_id=suggestion.pk, conversation_id=same_resident.pk, notify=False)
    unreachable = conversation("Ook een idee over containers.", sender_id="+31600000111")
    report = services.link(
        agent=eva, suggestion_id=suggestion.pk, conversation_id=unreachable.pk, notify=False
    )
    ResidentNotice.objects.create(
        report=report, status=Status.RECEIVED, state=NoticeState.UNREACHABLE, reason="Venster dicht."
    )
    client.force_login(lotte)
    page = client.get(reverse("feedback:list")).content.decode()
    row = re.search(rf'<tr data-suggestion="{suggestion.pk}".*?</tr>', page, re.S).group(0)
    assert 'data-residents="2"' in row
    assert 'data-unreachable="1"' in row


def test_the_list_is_paginated_by_fifty(client, eva, lotte, talk, waste_department):
    for number in range(51):
        recorded(eva, talk, waste_department, summary=f"Idee {number}", notify=False)
    client.force_login(lotte)
    assert len(listed(client)) == 50
    assert len(listed(client, page=2)) == 1


# --- One suggestion and its status ---------------------------------------------------------------------


def status_choices(html: str) -> list[str]:
    return re.findall(r'<input type="radio" name="status" value="(\w+)"', html)


def detail_of(client, suggestion: Suggestion) -> str:
    response = client.get(reverse("feedback:detail", args=[suggestion.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_moves_a_suggestion_to_an_outcome_and_the_resident_is_told(
    client, eva, lotte, talk, waste_department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        suggestion = recorded(eva, talk, waste_department)
    client.force_login(lotte)
    page = detail_of(client, suggestion)
    assert status_choices(page) == ["forwarded"]
    assert 'data-to-status="received"' in page
    assert f'href="{status_page_url(suggestion)}"' in page
    assert 'data-notice-status="received" data-notice-state="sent"' in page

    url = reverse("feedback:status", args=[suggestion.pk])
    assert client.post(url, {"status": "forwarded"}).status_code == 302
    assert status_choices(detail_of(client, suggestion)) == ["under_consideration"]
    assert client.post(url, {"status": "under_consideration"}).status_code == 302
    assert status_choices(detail_of(client, suggestion)) == ["planned", "implemented", "not_adopted"]

    response = client.post(url, {"status": "implemented", "explanation": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in tag(page, "status-explanation")
    assert 'id="status-explanation-error"' in page
    suggestion.refresh_from_db()
    assert suggestion.status == Status.UNDER_CONSIDERATION

    explanation = "Er staan nu vier containers extra. Ze worden elke week geleegd."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"status": "implemented", "explanation": explanation})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.explanation) == (Status.IMPLEMENTED, explanation)
    assert suggestion.outcome_at is not None
    assert [event.to_status for event in suggestion.events.all()] == [
        "received",
        "forwarded",
        "under_consideration",
        "implemented",
    ]
    news = outbound(talk.pk)[-1]
    assert explanation in news.text
    page = detail_of(client, suggestion)
    assert 'data-notice-status="implemented" data-notice-state="sent"' in page
    assert 'id="status-form"' not in page  # final: nothing left to decide


def test_a_status_the_workflow_does_not_allow_is_refused_and_the_text_kept(
    client, eva, lotte, talk, waste_department
):
    suggestion = recorded(eva, talk, waste_department, notify=False)
    client.force_login(lotte)
    response = client.post(
        reverse("feedback:status", args=[suggestion.pk]),
        {"status": "implemented", "explanation": "Al gedaan."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Al gedaan.</textarea>" in page
    assert 'id="status-error"' in page
    suggestion.refresh_from_db()
    assert suggestion.status == Status.RECEIVED


def test_the_desk_sees_the_residents_conversations(client, eva, talk, waste_department):
    suggestion = recorded(eva, talk, waste_department, notify=False)
    client.force_login(eva)
    page = detail_of(client, suggestion)
    assert f'href="{reverse("inbox:conversation", args=[talk.pk])}"' in page
    assert str(talk.contact) in page
    assert 'id="status-form"' not in page  # agents follow, account managers and leads decide


def test_an_unreachable_resident_is_shown_in_words_with_the_reason(client, eva, talk, waste_department):
    suggestion = recorded(eva, talk, waste_department, notify=True)
    ResidentNotice.objects.create(
        report=suggestion.reports.get(),
        status=Status.RECEIVED,
        state=NoticeState.UNREACHABLE,
        reason="WhatsApp staat na 7 dagen geen bericht meer toe.",
    )
    client.force_login(eva)
    page = detail_of(client, suggestion)
    assert 'data-notice-status="received" data-notice-state="unreachable"' in page
    assert "WhatsApp staat na 7 dagen geen bericht meer toe." in page
    assert 'id="unreachable-notice" data-count="1"' in page
    panel = panel_of(client, talk.pk)
    assert 'data-notice-state="unreachable"' in panel
    assert "WhatsApp staat na 7 dagen geen bericht meer toe." in panel


# --- Account managers and permissions -----------------------------------------------------------------


@pytest.fixture
def managed(anna, waste_department):
    waste_department.account_manager = anna
    waste_department.save()
    return waste_department


def test_an_account_manager_sees_and_decides_for_her_departments_only(client, anna, managed, several):
    waste, complaint, parking = several
    client.force_login(anna)
    assert listed(client) == [complaint.pk, waste.pk]
    page = detail_of(client, waste)
    assert status_choices(page) == ["forwarded"]
    assert client.get(reverse("feedback:detail", args=[parking.pk])).status_code == 404
    assert (
        client.post(reverse("feedback:status", args=[parking.pk]), {"status": "forwarded"}).status_code == 404
    )
    parking.refresh_from_db()
    assert parking.status == Status.RECEIVED

    assert (
        client.post(reverse("feedback:status", args=[waste.pk]), {"status": "forwarded"}).status_code == 302
    )
    waste.refresh_from_db()
    assert waste.status == Status.FORWARDED


def test_an_account_manager_sees_no_resident_data(client, eva, anna, managed, talk):
    suggestion = recorded(eva, talk, managed)
    ResidentNotice.objects.create(
        report=suggestion.reports.get(), status=Status.RECEIVED, state=NoticeState.SENT
    )
    client.force_login(anna)
    page = detail_of(client, suggestion)
    assert 'data-resident="1"' in page
    assert 'data-notice-status="received" data-notice-state="sent"' in page
    assert str(talk.contact) not in page
    assert "/inbox/" not in page
    assert "data-conversation" not in page


def test_an_account_manager_without_departments_sees_nothing(client, eva, anna, several):
    client.force_login(anna)
    assert listed(client) == []
    waste, _complaint, _parking = several
    assert client.get(reverse("feedback:detail", args=[waste.pk])).status_code == 404


DESK = {"eva", "lotte", "ada"}
LEADS = {"lotte", "ada"}
ROLES = ["eva", "lotte", "ada", "anna", "dirk", "erik", None]
# url name, what it needs (c: conversation, s: suggestion), method, who may
SCREENS = [
    ("feedback:record", "c", "post", DESK),
    ("feedback:list", None, "get", DESK | {"anna"}),
    ("feedback:detail", "s", "get", DESK | {"anna"}),
    ("feedback:status", "s", "post", LEADS | {"anna"}),
    ("feedback:overview", None, "get", LEADS | {"anna"}),
]


@pytest.mark.parametrize("persona", ROLES, indirect=True)
@pytest.mark.parametrize(("name", "needs", "method", "allowed"), SCREENS, ids=[s[0] for s in SCREENS])
def test_screens_admit_only_their_roles(
    client, persona, name, needs, method, allowed, eva, managed, talk, parking_department
):
    mine = recorded(eva, talk, managed, notify=False)
    theirs = recorded(eva, talk, parking_department, notify=False)
    if persona:
        client.force_login(persona)

    def url(suggestion):
        args = {"c": [talk.pk], "s": [suggestion.pk], None: []}[needs]
        return reverse(name, args=args)

    response = getattr(client, method)(
        url(mine), {"status": "forwarded"} if name == "feedback:status" else {}
    )
    if persona is None:
        assert response.status_code == 302
        assert "/login/" in response["Location"]
        return
    if persona.username not in allowed:
        assert response.status_code == 403
        return
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert "/login/" not in response["Location"]
    if needs == "s":  # another department's suggestion: the account manager does not know it exists
        other = getattr(client, method)(url(theirs), {"status": "forwarded"})
        assert other.status_code == (404 if persona.username == "anna" else 302 if method == "post" else 200)


def test_the_navigation_offers_suggestions_to_the_desk_and_account_managers(client, eva, anna, erik, dirk):
    link = f'href="{reverse("feedback:list")}"'
    for person, shown in ((eva, True), (anna, True), (erik, False), (dirk, False)):
        client.force_login(person)
        assert (link in client.get(reverse("home"), follow=True).content.decode()) is shown, person.username
