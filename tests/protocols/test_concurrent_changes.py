"""Concurrent edits are refused rather than lost, and proposals remember the version they started from."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from protocols import services
from protocols.models import Protocol, ProtocolProposal
from protocols.services import ProtocolContent, ProtocolError, VersionConflict, save_protocol
from protocols.workflow import InvalidTransition, Status

pytestmark = pytest.mark.django_db

ANSWERS = {"nl": "Hoi {first_name}, bel ons.", "en": "Hi {first_name}, call us."}


@pytest.fixture
def protocol(waste_department) -> Protocol:
    content = ProtocolContent(key="grofvuil", title="Grofvuil", department="waste", answers=ANSWERS)
    return save_protocol(content, status=Status.PUBLISHED)[0]


def changed(protocol: Protocol, **changes) -> ProtocolContent:
    protocol.refresh_from_db()
    return ProtocolContent(**{**services.content_of(protocol).__dict__, **changes})


def colleague_saves(protocol: Protocol, title: str) -> None:
    save_protocol(changed(protocol, title=title))


def edit_form(protocol: Protocol, *, based_on: int, **changes) -> dict:
    version = protocol.current
    return {
        "title": version.title,
        "department": "waste",
        "topic": "",
        "questions": "",
        "answer_nl": version.answers["nl"],
        "answer_en": version.answers["en"],
        "links": "",
        "review_by": "",
        "note": "",
        "based_on": based_on,
        **changes,
    }


# --- The service --------------------------------------------------------------------------------


def test_saving_from_the_current_version_makes_a_new_version(protocol):
    saved, was_changed = save_protocol(changed(protocol, title="Grofvuil ophalen"), expected_version=1)
    assert was_changed
    assert saved.current.number == 2


def test_saving_from_an_older_version_is_refused_and_changes_nothing(protocol):
    colleague_saves(protocol, "Titel van een collega")  # now at v2
    with pytest.raises(VersionConflict) as refused:
        save_protocol(changed(protocol, title="Mijn titel"), expected_version=1)
    assert refused.value.current == 2
    assert "(v2)" in str(refused.value)
    assert isinstance(refused.value, ProtocolError)  # callers that only know ProtocolError still show it
    protocol.refresh_from_db()
    assert (protocol.versions.count(), protocol.current.title) == (2, "Titel van een collega")


def test_creating_a_protocol_whose_key_a_colleague_just_took_is_refused(protocol):
    content = ProtocolContent(key="grofvuil", title="Ook grofvuil", department="waste", answers=ANSWERS)
    with pytest.raises(ProtocolError) as refused:
        save_protocol(content, expected_version=0)
    assert not isinstance(refused.value, VersionConflict)
    assert protocol.versions.count() == 1


def test_two_editors_creating_the_same_key_at_once_get_an_error_not_a_crash(protocol, monkeypatch):
    """The second one looked before the first one's row existed, so no lock could stop it."""
    content = ProtocolContent(key="grofvuil", title="Ook grofvuil", department="waste", answers=ANSWERS)
    monkeypatch.setattr(Protocol.objects, "select_for_update", lambda **kwargs: Protocol.objects.none())
    with pytest.raises(ProtocolError, match="bestaat al"):
        save_protocol(content, expected_version=0)
    assert protocol.versions.count() == 1


def test_imports_restores_and_accepted_proposals_do_not_check_versions(protocol, dirk, erik):
    colleague_saves(protocol, "Titel van een collega")
    result = services.import_protocols([changed(protocol, title="Uit het bestand")])
    assert result.changed == ["grofvuil"]
    restored = services.restore_version(protocol_id=protocol.pk, number=1, author=erik)
    assert (restored.number, restored.title) == (4, "Grofvuil")
    proposal = services.propose(author=dirk, content=changed(protocol, title="Voorstel"))
    colleague_saves(protocol, "Nog een collega")
    accepted = services.accept_proposal(editor=erik, proposal_id=proposal.pk)
    assert (accepted.current.number, accepted.current.title) == (6, "Voorstel")


def test_an_invalid_status_change_is_explained_in_the_desks_language(protocol):
    services.set_status(protocol_id=protocol.pk, status=Status.RETIRED)
    with pytest.raises(InvalidTransition, match="ingetrokken.*ter beoordeling"):
        services.set_status(protocol_id=protocol.pk, status=Status.IN_REVIEW)


# --- The edit screen ----------------------------------------------------------------------------


def test_an_editor_whose_colleague_saved_first_keeps_their_text_and_sees_the_difference(
    client, erik, protocol
):
    form = edit_form(protocol, based_on=1, title="Mijn titel", answer_nl="Hoi {first_name}, mail ons.")
    colleague_saves(protocol, "Titel van een collega")
    client.force_login(erik)

    response = client.post(reverse("protocols:edit", args=[protocol.key]), form)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Iemand anders heeft een nieuwere versie (v2) opgeslagen" in html
    assert 'id="conflict-changes"' in html
    assert "Hoi {first_name}, mail ons." in html  # the posted answer is still in the form
    rebased = response.context["form"]
    assert (rebased["title"].value(), rebased["based_on"].value()) == ("Mijn titel", "2")
    assert [(change.field, change.old, change.new) for change in response.context["conflict"]] == [
        ("title", "Titel van een collega", "Mijn titel"),
        ("answer_nl", ANSWERS["nl"], "Hoi {first_name}, mail ons."),
    ]
    protocol.refresh_from_db()
    assert protocol.current.number == 2


def test_after_comparing_the_editor_saves_again_on_purpose(client, erik, protocol):
    colleague_saves(protocol, "Titel van een collega")
    client.force_login(erik)
    url = reverse("protocols:edit", args=[protocol.key])
    first = client.post(url, edit_form(protocol, based_on=1, title="Mijn titel"))
    again = {name: first.context["form"][name].value() or "" for name in edit_form(protocol, based_on=0)}

    response = client.post(url, again)

    assert response.status_code == 302
    protocol.refresh_from_db()
    assert (protocol.current.number, protocol.current.title) == (3, "Mijn titel")


def test_an_edit_without_a_version_number_is_saved_as_before(client, erik, protocol):
    form = edit_form(protocol, based_on=1, title="Mijn titel")
    del form["based_on"]
    client.force_login(erik)
    assert client.post(reverse("protocols:edit", args=[protocol.key]), form).status_code == 302


def test_a_department_proposal_started_from_an_older_version_is_refused_with_its_text_kept(
    client, dirk, protocol
):
    form = edit_form(protocol, based_on=1, title="Voorstel van de afdeling", note="Duidelijker")
    colleague_saves(protocol, "Titel van een collega")
    client.force_login(dirk)

    response = client.post(reverse("protocols:propose", args=[protocol.key]), form)

    assert response.status_code == 409
    assert response.context["form"]["title"].value() == "Voorstel van de afdeling"
    assert not ProtocolProposal.objects.exists()


# --- Proposals remember their base --------------------------------------------------------------


def test_a_proposal_records_the_version_it_was_based_on(protocol, dirk):
    colleague_saves(protocol, "Grofvuil ophalen")
    proposal = services.propose(author=dirk, content=changed(protocol, title="Voorstel"))
    assert proposal.base_version == protocol.versions.get(number=2)


def test_a_proposal_for_a_new_protocol_has_no_base(dirk, waste_department):
    content = ProtocolContent(key="afvalpas", title="Afvalpas", department="waste", answers=ANSWERS)
    assert services.propose(author=dirk, content=content).base_version is None


def test_the_review_screen_warns_when_the_protocol_moved_on_since_the_proposal(client, dirk, erik, protocol):
    outdated = services.propose(author=dirk, content=changed(protocol, title="Oud voorstel"))
    colleague_saves(protocol, "v2")
    colleague_saves(protocol, "v3")
    current = services.propose(author=dirk, content=changed(protocol, title="Nieuw voorstel"))
    client.force_login(erik)

    html = client.get(reverse("protocols:proposals")).content.decode()

    assert f'id="proposal-{outdated.pk}-outdated"' in html
    assert "Dit voorstel ging uit van v1; het protocol is nu bij v3." in html
    assert f'id="proposal-{current.pk}-outdated"' not in html


def test_no_warning_for_a_new_protocols_proposal(client, dirk, erik, waste_department):
    content = ProtocolContent(key="afvalpas", title="Afvalpas", department="waste", answers=ANSWERS)
    proposal = services.propose(author=dirk, content=content)
    client.force_login(erik)
    html = client.get(reverse("protocols:proposals")).content.decode()
    assert "Afvalpas" in html
    assert f'id="proposal-{proposal.pk}-outdated"' not in html


def test_the_review_screen_loads_the_base_versions_with_the_proposals(client, dirk, erik, protocol):
    def outdated_proposals(count: int) -> int:
        for number in range(count):
            services.propose(author=dirk, content=changed(protocol, title=f"Voorstel {number}"))
            colleague_saves(protocol, f"Versie {protocol.current.number + 1}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("protocols:proposals"))
        assert response.content.decode().count('-outdated"') == len(response.context["rows"])
        return len(queries)

    client.force_login(erik)
    assert outdated_proposals(1) == outdated_proposals(4)  # five proposals: no query per proposal
