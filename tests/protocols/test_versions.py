"""Every change is a new version; editors see and restore old ones; only published ones count."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from escalations.models import Department
from protocols import services
from protocols.models import Protocol
from protocols.services import ProtocolContent, ProtocolError, render_answer, save_protocol
from protocols.workflow import InvalidTransition, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def protocol(db, erik):
    Department.objects.get_or_create(slug="waste", defaults={"name": "Afval"})
    content = ProtocolContent(
        key="grofvuil",
        title="Grofvuil",
        department="waste",
        topic="litter",
        answers={"nl": "Hoi {first_name}, bel ons.", "en": "Hi {first_name}, call us."},
    )
    protocol, _ = save_protocol(content, author=erik)
    return protocol


def edit(protocol, **changes):
    content = services.content_of(protocol)
    return save_protocol(ProtocolContent(**{**content.__dict__, **changes}))[0]


def test_each_change_is_a_new_version_and_the_old_ones_stay(protocol):
    edit(protocol, title="Grofvuil ophalen")
    edit(
        protocol,
        answers={"nl": "Hoi {first_name}, maak een afspraak.", "en": "Hi {first_name}, book online."},
    )
    protocol.refresh_from_db()
    assert [v.number for v in protocol.versions.all()] == [3, 2, 1]
    assert protocol.current.number == 3
    assert protocol.versions.get(number=1).title == "Grofvuil"


def test_restoring_an_old_version_makes_a_new_current_version(protocol, erik):
    edit(protocol, title="Verkeerd")
    restored = services.restore_version(protocol_id=protocol.pk, number=1, author=erik)
    protocol.refresh_from_db()
    assert (restored.number, restored.title, protocol.current_id) == (3, "Grofvuil", restored.pk)
    assert restored.note == "versie 1 teruggezet"  # in Dutch, the desk's language
    with pytest.raises(ProtocolError):
        services.restore_version(protocol_id=protocol.pk, number=3, author=erik)


def test_status_flow(protocol):
    assert protocol.status == Status.DRAFT
    services.set_status(protocol_id=protocol.pk, status=Status.PUBLISHED)
    assert Protocol.objects.published().count() == 1
    services.set_status(protocol_id=protocol.pk, status=Status.RETIRED)
    assert not Protocol.objects.published().exists()
    with pytest.raises(InvalidTransition):
        services.set_status(protocol_id=protocol.pk, status=Status.IN_REVIEW)


def test_stale_protocols_are_past_their_review_date(protocol):
    edit(protocol, review_by=timezone.localdate() - timedelta(days=1))
    assert list(Protocol.objects.stale()) == [protocol]
    edit(protocol, review_by=date(2099, 1, 1))
    assert not Protocol.objects.stale().exists()


def test_an_unknown_topic_is_refused(protocol):
    with pytest.raises(ProtocolError, match="onderwerp"):
        edit(protocol, topic="nonsense")


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("nl", "Sanne", "Hoi Sanne, bel ons."),
        ("en", "Sanne", "Hi Sanne, call us."),
        ("en", "", "Hi, call us."),
        ("tr", "Ayse", "Hi Ayse, call us."),  # no Turkish answer: English, which expats read more often
    ],
)
def test_answers_are_rendered_in_the_residents_language_with_their_name(protocol, language, name, expected):
    assert render_answer(protocol.current.answers, language, first_name=name) == expected


def test_a_department_proposes_for_its_own_protocols_only(protocol, dirk, erik, db):
    Department.objects.get_or_create(slug="parking", defaults={"name": "Parkeren"})
    change = ProtocolContent(**{**services.content_of(protocol).__dict__, "title": "Grofvuil laten ophalen"})
    proposal = services.propose(author=dirk, content=change, note="De titel is duidelijker zo.")
    foreign = ProtocolContent(
        key="vergunning", title="V", department="parking", answers={"nl": "a", "en": "b"}
    )
    with pytest.raises(ProtocolError):
        services.propose(author=dirk, content=foreign)
    moved = ProtocolContent(**{**change.__dict__, "department": "parking"})
    with pytest.raises(ProtocolError):
        services.propose(author=dirk, content=moved)
    accepted = services.accept_proposal(editor=erik, proposal_id=proposal.pk)
    assert accepted.current.title == "Grofvuil laten ophalen"
    assert accepted.current.number == 2
    with pytest.raises(ProtocolError):
        services.reject_proposal(editor=erik, proposal_id=proposal.pk, reason="te laat")


def test_a_rejection_says_why(protocol, dirk, erik):
    proposal = services.propose(author=dirk, content=services.content_of(protocol))
    with pytest.raises(ProtocolError):
        services.reject_proposal(editor=erik, proposal_id=proposal.pk, reason=" ")
    rejected = services.reject_proposal(editor=erik, proposal_id=proposal.pk, reason="Staat al zo.")
    assert rejected.status == "rejected"
    protocol.refresh_from_db()
    assert protocol.current.number == 1
