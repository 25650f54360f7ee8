"""Anonymising a contact: every place cleared, the record and its figures kept."""

from datetime import timedelta

import pytest
from django.core import serializers
from django.core.files.storage import default_storage
from django.utils import timezone

from audit.models import Action, AuditEntry
from channels.models import RawEvent
from escalations.models import Escalation, EscalationEvent
from feedback.models import ResidentNotice, Suggestion, SuggestionEvent, SuggestionReport
from inbox import services as inbox
from inbox.models import ChannelIdentity, Contact, Conversation, ConversationEvent, Message, Note
from monitoring.models import Mention
from privacy import services
from privacy.models import AnonymisationReason, ContactAnonymisation
from reports import metrics
from tests.factories import incoming
from tests.privacy.scenario import NUMBER, SECRETS, resident_with_everything

pytestmark = pytest.mark.django_db

EVERY_PLACE = [
    Contact, ChannelIdentity, Conversation, Message, Note, ConversationEvent, Escalation, EscalationEvent,
    Suggestion, SuggestionEvent, SuggestionReport, ResidentNotice, Mention, RawEvent,
]  # fmt: skip


def everything_stored() -> str:
    return "".join(serializers.serialize("json", model.objects.all()) for model in EVERY_PLACE)


def figures():
    today = timezone.localdate()
    scope = metrics.Scope(today - timedelta(days=7), today)
    return metrics.report(scope), metrics.escalations_per_department(scope), metrics.workload(scope)


@pytest.fixture
def sanne(eva, lotte, dirk, waste_department):
    return resident_with_everything(agent=eva, lead=lotte, member=dirk, department=waste_department)


def anonymise(contact, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return services.anonymise_contact(
            contact_id=contact.pk, reason=kwargs.pop("reason", AnonymisationReason.ERASURE), **kwargs
        )


def test_every_place_that_held_the_residents_data_is_cleared(
    sanne, lotte, django_capture_on_commit_callbacks
):
    before = everything_stored()
    assert all(secret in before for secret in SECRETS)

    anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)

    after = everything_stored()
    assert [secret for secret in SECRETS if secret in after] == []
    assert not default_storage.exists(sanne.file_name)
    assert list(RawEvent.objects.all()) == [sanne.other_delivery]  # someone else's delivery stays
    assert "[telefoonnummer]" in after and "[e-mailadres]" in after and "[naam]" in after


def test_texts_are_redacted_readably(sanne, lotte, django_capture_on_commit_callbacks):
    anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)
    first = sanne.whatsapp.messages.first()
    assert first.text == (
        "Hallo, de lantaarnpaal voor [adres] is kapot. Bel me op [telefoonnummer] of mail [e-mailadres]."
    )
    assert first.attachments == [
        {"type": "image/jpeg", "content_type": "image/jpeg", "size": 9, "removed": True}
    ]
    assert Note.objects.get().text == "[naam] gaf haar BSN [BSN] en IBAN [IBAN]."
    assert Contact.objects.get(pk=sanne.contact.pk).name == "Geanonimiseerd"
    assert Escalation.objects.get().answer == "Wij hebben [naam] gebeld op [telefoonnummer]."


def test_the_figures_are_the_same_before_and_after(sanne, lotte, django_capture_on_commit_callbacks):
    before = figures()
    anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)
    assert figures() == before


def test_the_record_and_its_states_remain(sanne, lotte, django_capture_on_commit_callbacks):
    conversations = list(
        Conversation.objects.values(
            "pk",
            "channel",
            "status",
            "topic",
            "team",
            "created_at",
            "closed_at",
            "first_response_minutes",
            "resolution_minutes",
        )
    )
    counts = {model: model.objects.count() for model in EVERY_PLACE if model is not RawEvent}
    anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)
    assert (
        list(
            Conversation.objects.values(
                "pk",
                "channel",
                "status",
                "topic",
                "team",
                "created_at",
                "closed_at",
                "first_response_minutes",
                "resolution_minutes",
            )
        )
        == conversations
    )
    assert {model: model.objects.count() for model in counts} == counts


def test_a_resident_who_writes_again_is_a_new_contact(sanne, lotte, django_capture_on_commit_callbacks):
    anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)
    again = incoming("Ik ben het weer", sender_id=NUMBER, sender_name="Sanne de Vries")
    assert again.conversation.contact_id != sanne.contact.pk
    assert again.conversation_id not in (sanne.whatsapp.pk, sanne.x.pk)
    assert Contact.objects.get(pk=sanne.contact.pk).conversations.count() == 2


def test_the_public_status_page_ends_when_no_known_resident_follows_it(
    sanne, lotte, client, django_capture_on_commit_callbacks
):
    old_token = sanne.suggestion.token
    assert client.get(f"/volg/{old_token}/").status_code == 200
    anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)
    assert client.get(f"/volg/{old_token}/").status_code == 404
    assert not SuggestionReport.objects.filter(notify=True).exists()


def test_the_status_page_stays_for_another_resident_who_follows_it(
    sanne, eva, lotte, django_capture_on_commit_callbacks
):
    from feedback import services as feedback

    other = incoming("Ik wil ook meer lantaarnpalen", sender_id="+31687654321")
    feedback.link(agent=eva, suggestion_id=sanne.suggestion.pk, conversation_id=other.conversation_id)
    anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)
    assert Suggestion.objects.get().token == sanne.suggestion.token


def test_anonymising_is_recorded_in_the_audit_log_without_personal_data(
    sanne, lotte, django_capture_on_commit_callbacks
):
    anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)
    entry = AuditEntry.objects.get(action=Action.ANONYMISED)
    assert (entry.actor, entry.object_type, entry.object_id) == (lotte, "contact", str(sanne.contact.pk))
    assert "Sanne" not in entry.summary


def test_anonymising_twice_changes_nothing_more(sanne, lotte, django_capture_on_commit_callbacks):
    first = anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte)
    stored = everything_stored()
    assert anonymise(sanne.contact, django_capture_on_commit_callbacks, actor=lotte) == first
    assert everything_stored() == stored
    assert ContactAnonymisation.objects.count() == 1


def test_an_erasure_closes_open_conversations_and_stops_unsent_replies(
    eva, lotte, dirk, waste_department, django_capture_on_commit_callbacks
):
    resident = resident_with_everything(
        agent=eva, lead=lotte, member=dirk, department=waste_department, closed=False
    )
    anonymise(resident.contact, django_capture_on_commit_callbacks, actor=lotte)
    assert set(Conversation.objects.values_list("status", flat=True)) == {"closed"}
    assert not Message.objects.unsent().exists()


def test_residents_from_abroad_are_still_counted_as_from_abroad(
    eva, lotte, django_capture_on_commit_callbacks
):
    abroad = incoming("Ik woon in België, mijn paspoort verloopt", sender_id="+32470123456")
    dutch = incoming("Mijn paspoort verloopt", sender_id="+31611111111")
    for message in (abroad, dutch):
        inbox.close_conversation(actor=lotte, conversation_id=message.conversation_id)
    before = figures()
    assert before[0].total.foreign_contacts == 1
    for message in (abroad, dutch):
        anonymise(message.conversation.contact, django_capture_on_commit_callbacks, actor=lotte)
    assert figures() == before
