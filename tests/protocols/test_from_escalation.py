"""Knowledge grows: a department's answer to an escalation becomes a draft protocol in one click,
which the department approves (to review) and an editor publishes."""

import pytest
from django.urls import reverse

from escalations import services as escalations
from escalations.models import Escalation
from protocols import services
from protocols.models import Protocol
from protocols.services import ProtocolError
from protocols.workflow import InvalidTransition, Status
from tests.factories import escalated

pytestmark = pytest.mark.django_db

RESIDENT = "Mijn container is al drie weken niet geleegd, klantnummer 4471."
QUESTION = "Kunnen jullie zien waarom deze container niet geleegd wordt?"
ANSWER = "De container aan de Javastraat wordt sinds deze week weer elke dinsdag geleegd."


@pytest.fixture
def answered(eva, dirk, waste_department) -> Escalation:
    escalation = escalated(eva, waste_department, text=RESIDENT, question=QUESTION)
    return escalations.answer(member=dirk, escalation_id=escalation.pk, text=ANSWER)


def status_url(protocol: Protocol) -> str:
    return reverse("protocols:status", args=[protocol.key])


def from_escalation_url(escalation: Escalation) -> str:
    return reverse("protocols:from-escalation", args=[escalation.pk])


# --- The service ---------------------------------------------------------------------------------


def test_an_answered_escalation_becomes_a_draft_of_its_department(answered, eva):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    protocol.refresh_from_db()
    assert protocol.status == Status.DRAFT
    assert protocol.department == answered.department
    assert protocol.from_escalation == answered
    assert protocol.key == "kunnen-jullie-zien-waarom-deze-container-niet-geleegd-wordt"
    version = protocol.current
    assert version.number == 1
    assert version.author == eva
    assert version.title == QUESTION
    assert version.questions == [RESIDENT, QUESTION]
    assert version.answers == {"nl": ANSWER}
    assert version.topic == answered.conversation.topic


def test_it_is_idempotent(answered, eva, erik):
    first = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    again = services.draft_from_escalation(author=erik, escalation_id=answered.pk)
    assert again.pk == first.pk
    assert Protocol.objects.filter(from_escalation=answered).count() == 1
    assert again.versions.count() == 1


def test_a_closed_escalation_can_become_a_protocol_too(answered, eva):
    escalations.close_answered(conversation_id=answered.conversation_id, agent=eva)
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    assert protocol.from_escalation_id == answered.pk


def test_an_open_escalation_is_refused(eva, waste_department):
    escalation = escalated(eva, waste_department)
    with pytest.raises(ProtocolError):
        services.draft_from_escalation(author=eva, escalation_id=escalation.pk)
    assert not Protocol.objects.exists()


def test_the_same_question_twice_gets_a_key_of_its_own(answered, eva, dirk, waste_department):
    first = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    other = escalated(eva, waste_department, text="Mijn kliko is niet geleegd.", question=QUESTION)
    escalations.answer(member=dirk, escalation_id=other.pk, text="Dat komt door werkzaamheden.")
    second = services.draft_from_escalation(author=eva, escalation_id=other.pk)
    assert second.key == f"{first.key}-2"


def test_a_long_question_gets_a_short_title_and_key(eva, dirk, waste_department):
    question = "Waarom " + " ".join(["wordt de container bij ons in de straat niet geleegd"] * 6) + "?"
    escalation = escalated(eva, waste_department, question=question)
    escalations.answer(member=dirk, escalation_id=escalation.pk, text=ANSWER)
    protocol = services.draft_from_escalation(author=eva, escalation_id=escalation.pk)
    assert len(protocol.current.title) <= services.TITLE_LENGTH
    assert len(protocol.key) <= services.KEY_LENGTH
    assert not protocol.key.endswith("-")
    assert protocol.current.questions[-1] == question


def test_a_draft_may_lack_english_but_cannot_leave_draft_without_it(answered, eva):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    for status in (Status.IN_REVIEW, Status.PUBLISHED):
        with pytest.raises(ProtocolError, match="en"):
            services.set_status(protocol_id=protocol.pk, status=status)
        protocol.refresh_from_db()
        assert protocol.status == Status.DRAFT
    services.set_status(protocol_id=protocol.pk, status=Status.RETIRED)  # retiring needs no answers
    content = services.content_of(protocol)
    services.save_protocol(
        services.ProtocolContent(
            **{**content.__dict__, "answers": {**content.answers, "en": "It is emptied."}}
        )
    )
    services.set_status(protocol_id=protocol.pk, status=Status.PUBLISHED)
    protocol.refresh_from_db()
    assert protocol.status == Status.PUBLISHED


def test_only_drafts_may_lack_a_language_elsewhere_both_stay_required(waste_department):
    content = services.ProtocolContent(key="x", title="X", department="waste", answers={"nl": "Alleen NL."})
    assert services.problems(content, status=Status.DRAFT) == []
    assert services.problems(content)  # imports, edits and proposals
    with pytest.raises(ProtocolError):
        services.save_protocol(content, status=Status.DRAFT)


# --- The one click ------------------------------------------------------------------------------


def test_an_agent_proposes_from_the_conversation_and_stays_there(client, answered, eva):
    client.force_login(eva)
    response = client.post(from_escalation_url(answered))
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:conversation", args=[answered.conversation_id])
    assert Protocol.objects.get(from_escalation=answered).status == Status.DRAFT
    client.post(from_escalation_url(answered))  # a second click changes nothing
    assert Protocol.objects.filter(from_escalation=answered).count() == 1


def test_an_editor_who_can_see_the_escalation_goes_on_to_the_draft(client, answered, ada):
    client.force_login(ada)  # administrators are editors and see the desk's escalations
    response = client.post(from_escalation_url(answered))
    protocol = Protocol.objects.get(from_escalation=answered)
    assert response["Location"] == reverse("protocols:detail", args=[protocol.key])


def test_an_open_escalation_is_refused_with_a_message(client, eva, waste_department):
    escalation = escalated(eva, waste_department)
    client.force_login(eva)
    response = client.post(from_escalation_url(escalation))
    assert response["Location"] == reverse("inbox:conversation", args=[escalation.conversation_id])
    assert not Protocol.objects.exists()


@pytest.mark.parametrize("persona", ["dirk", "piet", "anna"], indirect=True)
def test_department_members_and_account_managers_cannot_trigger_it(client, answered, persona):
    client.force_login(persona)
    assert client.post(from_escalation_url(answered)).status_code == 403
    assert not Protocol.objects.exists()


def test_it_takes_a_post_and_a_visible_escalation(client, answered, eva):
    client.force_login(eva)
    assert client.get(from_escalation_url(answered)).status_code == 405
    assert client.post(reverse("protocols:from-escalation", args=[answered.pk + 100])).status_code == 404


# --- The department approves its own drafts -------------------------------------------------------


def test_a_department_member_sends_their_own_draft_to_review(client, answered, eva, dirk):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    content = services.content_of(protocol)
    services.save_protocol(
        services.ProtocolContent(**{**content.__dict__, "answers": {**content.answers, "en": "Emptied."}})
    )
    client.force_login(dirk)
    detail = client.get(reverse("protocols:detail", args=[protocol.key]))
    assert [status.value for status in detail.context["transitions"]] == ["in_review"]
    assert client.post(status_url(protocol), {"status": "in_review"}).status_code == 302
    protocol.refresh_from_db()
    assert protocol.status == Status.IN_REVIEW


def test_a_department_member_cannot_approve_a_draft_without_english(client, answered, eva, dirk):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    client.force_login(dirk)
    assert client.get(reverse("protocols:detail", args=[protocol.key])).context["missing_languages"] == ["en"]
    assert client.post(status_url(protocol), {"status": "in_review"}).status_code == 302
    protocol.refresh_from_db()
    assert protocol.status == Status.DRAFT


def test_a_department_member_cannot_publish_or_retire(client, answered, eva, dirk):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    client.force_login(dirk)
    for status in ("published", "retired"):
        assert client.post(status_url(protocol), {"status": status}).status_code == 403
    protocol.refresh_from_db()
    assert protocol.status == Status.DRAFT


def test_a_department_member_cannot_move_a_protocol_that_is_no_draft(client, answered, eva, dirk):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    Protocol.objects.filter(pk=protocol.pk).update(status=Status.RETIRED)
    client.force_login(dirk)
    assert client.get(reverse("protocols:detail", args=[protocol.key])).context["transitions"] == []
    assert client.post(status_url(protocol), {"status": "in_review"}).status_code == 403


def test_another_departments_member_gets_a_404(client, answered, eva, piet):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    client.force_login(piet)
    assert client.post(status_url(protocol), {"status": "in_review"}).status_code == 404
    protocol.refresh_from_db()
    assert protocol.status == Status.DRAFT


def test_agents_cannot_change_a_status(client, answered, eva):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    Protocol.objects.filter(pk=protocol.pk).update(status=Status.PUBLISHED)
    client.force_login(eva)
    assert client.post(status_url(protocol), {"status": "retired"}).status_code == 403


def test_the_department_decides_on_the_draft_it_saw(answered, eva):
    protocol = services.draft_from_escalation(author=eva, escalation_id=answered.pk)
    with pytest.raises(InvalidTransition):
        services.set_status(protocol_id=protocol.pk, status=Status.IN_REVIEW, expected=Status.PUBLISHED)


def test_a_protocol_editor_turns_an_answered_escalation_into_a_draft(client, answered, erik):
    client.force_login(erik)
    response = client.post(reverse("protocols:from-escalation", args=[answered.pk]))
    protocol = Protocol.objects.get(from_escalation=answered)
    assert response.status_code == 302 and protocol.key in response["Location"]


def test_an_editor_does_not_see_questions_still_with_a_department(client, erik, eva, waste_department):
    still_open = escalated(eva, waste_department)
    client.force_login(erik)
    assert client.post(reverse("protocols:from-escalation", args=[still_open.pk])).status_code == 404
