"""The nightly retention job: what it anonymises and deletes, what it leaves, and what it reports."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.storage import default_storage

from channels.models import RawEvent
from feedback import services as feedback
from inbox import services as inbox
from inbox.models import Contact
from privacy import services, tasks
from privacy.models import ContactAnonymisation, ErasureRequest, ErasureState, RetentionRun, RetiredSuggestion
from tests.factories import incoming
from tests.privacy.scenario import resident_with_everything

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
START = datetime(2025, 3, 3, 10, 0, tzinfo=AMSTERDAM)
# The defaults: contacts 12 months after their last conversation closed, deliveries after 14 days.
JUST_BEFORE_TERM = START + timedelta(days=360)
AFTER_TERM = START + timedelta(days=370)


def run_at(moment: datetime, django_capture_on_commit_callbacks) -> RetentionRun:
    with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
        return services.apply_retention()


def closed_contact(lead, text="Mijn container is niet geleegd, bel 0612345678", **kwargs) -> Contact:
    message = incoming(text, **kwargs)
    inbox.close_conversation(actor=lead, conversation_id=message.conversation_id)
    return message.conversation.contact


def decide(suggestion, lead) -> None:
    for status in ("forwarded", "under_consideration"):
        feedback.change_status(actor=lead, suggestion_id=suggestion.pk, status=status)
    feedback.change_status(
        actor=lead, suggestion_id=suggestion.pk, status="implemented", explanation="Er komen twee palen bij."
    )


@pytest.fixture
def sanne(eva, lotte, dirk, waste_department):
    """Sanne's conversations closed at START, and the department decided on her suggestion then."""
    with time_machine.travel(START, tick=False):
        resident = resident_with_everything(agent=eva, lead=lotte, member=dirk, department=waste_department)
        decide(resident.suggestion, lotte)
        return resident


def test_a_suggestion_still_awaiting_its_outcome_keeps_the_contact(
    eva, lotte, dirk, waste_department, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        resident_with_everything(agent=eva, lead=lotte, member=dirk, department=waste_department)
    assert run_at(AFTER_TERM, django_capture_on_commit_callbacks).counts["contacts_anonymised"] == 0


def test_a_contact_is_anonymised_once_the_term_has_passed(sanne, django_capture_on_commit_callbacks):
    run = run_at(JUST_BEFORE_TERM, django_capture_on_commit_callbacks)
    assert run.counts["contacts_anonymised"] == 0
    assert run.counts["deliveries_deleted"] == 2  # older than 14 days

    run = run_at(AFTER_TERM, django_capture_on_commit_callbacks)
    assert run.counts["contacts_anonymised"] == 1
    anonymisation = ContactAnonymisation.objects.get()
    assert (anonymisation.contact, anonymisation.reason, anonymisation.actor) == (
        sanne.contact,
        "retention",
        None,
    )
    assert "0612345678" not in sanne.whatsapp.messages.first().text
    assert not default_storage.exists(sanne.file_name)


def test_a_second_run_does_nothing(sanne, django_capture_on_commit_callbacks):
    run_at(AFTER_TERM, django_capture_on_commit_callbacks)
    again = run_at(AFTER_TERM + timedelta(hours=1), django_capture_on_commit_callbacks)
    assert set(again.counts.values()) == {0}
    assert RetentionRun.objects.count() == 2


def test_a_legal_hold_keeps_the_contact_until_it_ends(sanne, lotte, django_capture_on_commit_callbacks):
    with time_machine.travel(START + timedelta(days=100), tick=False):
        services.set_legal_hold(
            actor=lotte,
            contact_id=sanne.contact.pk,
            reason="Bezwaarzaak Z-2025-0042",
            until=date(2026, 6, 30),
        )
    run = run_at(AFTER_TERM, django_capture_on_commit_callbacks)
    assert (run.counts["contacts_anonymised"], run.counts["contacts_held"]) == (0, 1)
    assert not ContactAnonymisation.objects.exists()

    run = run_at(datetime(2026, 7, 1, 3, 0, tzinfo=AMSTERDAM), django_capture_on_commit_callbacks)
    assert (run.counts["contacts_anonymised"], run.counts["contacts_held"]) == (1, 0)


def test_a_contact_with_open_work_is_left_alone(eva, lotte, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        open_conversation = incoming("Mijn paspoort is kwijt").conversation.contact
        closed = closed_contact(lotte)
        awaits_outcome = closed_contact(lotte, "Idee: meer bankjes in het park")
        conversation = awaits_outcome.conversations.get()
        from escalations.models import Department

        department = Department.objects.create(slug="groen", name="Groen")
        feedback.record(
            agent=eva, conversation_id=conversation.pk, summary="Meer bankjes", department_id=department.pk
        )
    run = run_at(AFTER_TERM, django_capture_on_commit_callbacks)
    assert run.counts["contacts_anonymised"] == 1
    assert list(ContactAnonymisation.objects.values_list("contact", flat=True)) == [closed.pk]
    assert not ContactAnonymisation.objects.filter(contact__in=[open_conversation, awaits_outcome]).exists()


def test_a_resident_who_wrote_again_recently_is_kept(lotte, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False):
        contact = closed_contact(lotte, sender_id="+31622222222")
    with time_machine.travel(START + timedelta(days=300), tick=False):
        again = incoming("Nog een vraag", sender_id="+31622222222")
        inbox.close_conversation(actor=lotte, conversation_id=again.conversation_id)
    assert again.conversation.contact == contact
    assert run_at(AFTER_TERM, django_capture_on_commit_callbacks).counts["contacts_anonymised"] == 0


def test_recent_deliveries_stay_and_old_ones_go(django_capture_on_commit_callbacks):
    for days, digest, state in ((20, "old", "done"), (10, "recent", "done"), (20, "old-unfiled", "pending")):
        with time_machine.travel(START - timedelta(days=days), tick=False):
            RawEvent.objects.create(platform="x", endpoint="account", digest=digest, body="{}", state=state)
    assert run_at(START, django_capture_on_commit_callbacks).counts["deliveries_deleted"] == 1
    # A delivery no worker has filed yet stays, however old: the work it owes is still to be done.
    assert sorted(RawEvent.objects.values_list("digest", flat=True)) == ["old-unfiled", "recent"]


def test_a_decided_suggestion_is_retired_after_its_term(
    sanne, lotte, client, django_capture_on_commit_callbacks
):
    sanne.suggestion.refresh_from_db()
    token = sanne.suggestion.token
    assert run_at(JUST_BEFORE_TERM, django_capture_on_commit_callbacks).counts["suggestions_retired"] == 0
    assert client.get(f"/volg/{token}/").status_code == 200
    run = run_at(AFTER_TERM, django_capture_on_commit_callbacks)
    assert run.counts["suggestions_retired"] == 1
    assert RetiredSuggestion.objects.get().suggestion == sanne.suggestion
    assert client.get(f"/volg/{token}/").status_code == 404


def test_an_erasure_request_on_hold_is_carried_out_once_the_hold_ends(
    sanne, lotte, django_capture_on_commit_callbacks
):
    with time_machine.travel(START + timedelta(days=1), tick=False):
        services.set_legal_hold(
            actor=lotte, contact_id=sanne.contact.pk, reason="Rechtszaak", until=date(2025, 4, 1)
        )
        erasure = services.record_erasure_request(
            actor=lotte, contact_id=sanne.contact.pk, received_on=date(2025, 3, 4), received_through="email"
        )
    assert erasure.state == ErasureState.ON_HOLD
    assert (
        run_at(datetime(2025, 3, 20, 3, 0, tzinfo=AMSTERDAM), django_capture_on_commit_callbacks).counts[
            "erasures_carried_out"
        ]
        == 0
    )
    run = run_at(datetime(2025, 4, 2, 3, 0, tzinfo=AMSTERDAM), django_capture_on_commit_callbacks)
    assert run.counts["erasures_carried_out"] == 1
    assert ErasureRequest.objects.get().state == ErasureState.ANONYMISED
    assert ContactAnonymisation.objects.get().reason == "erasure"


def test_the_task_runs_the_job_and_logs_what_it_did(sanne, caplog, django_capture_on_commit_callbacks):
    with time_machine.travel(AFTER_TERM, tick=False), django_capture_on_commit_callbacks(execute=True):
        counts = tasks.apply_retention.delay().get()
    assert counts["contacts_anonymised"] == 1
    assert RetentionRun.objects.get().counts == counts
    assert "retention run" in caplog.text
