"""The agent's day: pull the next conversation, answer it, close it; never two agents on one."""

import pytest

from inbox import services
from inbox.models import ConversationEvent, DeliveryStatus, Direction, EventKind, Message
from inbox.workflow import InvalidTransition, Status
from tests.factories import conversation

pytestmark = pytest.mark.django_db


def test_next_gives_the_urgent_conversation_first(eva):
    conversation("Het gras is te lang")
    urgent = conversation("Ik ruik gaslucht in de straat")
    assert services.claim_next(agent=eva) == urgent


def test_next_gives_the_earliest_deadline_after_urgency(eva):
    from datetime import timedelta

    from django.utils import timezone

    recent = conversation("Het gras is te lang")
    older = conversation("Afval niet opgehaald", sent_at=timezone.now() - timedelta(days=3))
    assert services.claim_next(agent=eva) == older
    assert recent.pk != older.pk


def test_next_only_pulls_from_the_agents_own_team(sofia):
    conversation("De lantaarnpaal is kapot", channel="whatsapp")
    assert services.claim_next(agent=sofia) is None


def test_next_claims_the_conversation(eva):
    found = conversation()
    claimed = services.claim_next(agent=eva)
    claimed.refresh_from_db()
    assert claimed == found
    assert claimed.assigned_to == eva
    assert claimed.status == Status.OPEN
    assert ConversationEvent.objects.filter(conversation=found, kind=EventKind.CLAIMED, actor=eva).exists()


def test_a_claim_ends_at_the_agents_next_step_in_the_conversation(eva, bram):
    """Handling time for the dashboards: the claim knows when the next step came."""
    found = conversation()
    services.claim_conversation(agent=eva, conversation_id=found.pk)
    claim = ConversationEvent.objects.get(conversation=found, kind=EventKind.CLAIMED)
    assert claim.ended_at is None  # still working on it

    services.reply(agent=eva, conversation_id=found.pk, text="We pakken het op.")
    claim.refresh_from_db()
    replied = ConversationEvent.objects.get(conversation=found, kind=EventKind.REPLIED)
    assert claim.ended_at == replied.created_at

    services.release_conversation(agent=eva, conversation_id=found.pk)
    services.claim_conversation(agent=bram, conversation_id=found.pk)
    services.close_conversation(actor=bram, conversation_id=found.pk)
    bram_claim = ConversationEvent.objects.get(conversation=found, kind=EventKind.CLAIMED, actor=bram)
    closed = ConversationEvent.objects.get(conversation=found, kind=EventKind.CLOSED)
    assert bram_claim.ended_at == closed.created_at
    claim.refresh_from_db()
    assert claim.ended_at == replied.created_at  # a later step does not move an ended claim


def test_next_returns_my_unanswered_conversation_before_pulling_a_new_one(eva):
    conversation("Eerste vraag")
    conversation("Tweede vraag")
    first = services.claim_next(agent=eva)
    assert services.claim_next(agent=eva) == first


def test_two_agents_pressing_next_get_different_conversations(eva, bram):
    conversation("Eerste vraag")
    conversation("Tweede vraag")
    assert services.claim_next(agent=eva) != services.claim_next(agent=bram)


def test_work_in_progress_is_limited(eva, webcare_team):
    webcare_team.wip_limit = 1
    webcare_team.save()
    first = conversation("Eerste vraag")
    second = conversation("Tweede vraag")
    services.claim_conversation(agent=eva, conversation_id=first.pk)
    with pytest.raises(services.WipLimitReached):
        services.claim_conversation(agent=eva, conversation_id=second.pk)


def test_second_agent_cannot_claim_and_learns_who_has_it(eva, bram):
    found = conversation()
    services.claim_conversation(agent=eva, conversation_id=found.pk)
    with pytest.raises(services.AlreadyClaimed) as refused:
        services.claim_conversation(agent=bram, conversation_id=found.pk)
    assert refused.value.holder == eva
    assert "Eva Pieters" in str(refused.value)


def test_second_agent_cannot_reply(eva, bram):
    found = conversation()
    services.reply(agent=eva, conversation_id=found.pk, text="We kijken ernaar.")
    with pytest.raises(services.AlreadyClaimed):
        services.reply(agent=bram, conversation_id=found.pk, text="Ik ook!")
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


def test_reply_goes_out_and_waits_for_the_resident(eva, django_capture_on_commit_callbacks):
    found = conversation()
    with django_capture_on_commit_callbacks(execute=True):
        message = services.reply(agent=eva, conversation_id=found.pk, text="Dank voor je melding!")
    found.refresh_from_db()
    message.refresh_from_db()
    assert found.status == Status.WAITING
    assert found.first_response_at is not None
    assert found.response_due is None
    assert message.delivery_status == DeliveryStatus.SENT  # through the stand-in for Twilio
    assert message.provider_id.startswith("SM")


def test_public_reply_is_signed_with_initials_private_is_not(eva):
    public = conversation("Lamp kapot", channel="x", is_public=True, thread_key="tweet-1")
    private = conversation("Lamp kapot", channel="x")
    assert services.reply(agent=eva, conversation_id=public.pk, text="We gaan ernaar kijken.").text.endswith(
        "^EP"
    )
    assert (
        "^EP" not in services.reply(agent=eva, conversation_id=private.pk, text="We gaan ernaar kijken.").text
    )


def test_reply_longer_than_the_channel_allows_is_refused(eva):
    tweet = conversation("Lamp kapot", channel="x", is_public=True, thread_key="tweet-1")
    with pytest.raises(services.ReplyTooLong):
        services.reply(agent=eva, conversation_id=tweet.pk, text="a" * 280)
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_empty_reply_is_refused(eva):
    with pytest.raises(services.InboxError):
        services.reply(agent=eva, conversation_id=conversation().pk, text="   ")


def test_close_and_reopen(eva):
    found = conversation()
    services.close_conversation(actor=eva, conversation_id=found.pk)
    found.refresh_from_db()
    assert found.status == Status.CLOSED
    assert found.closed_at is not None
    with pytest.raises(InvalidTransition):
        services.close_conversation(actor=eva, conversation_id=found.pk)
    services.reopen_conversation(actor=eva, conversation_id=found.pk)
    found.refresh_from_db()
    assert found.status == Status.OPEN


def test_agent_cannot_close_a_colleagues_conversation_but_a_lead_can(eva, bram, lotte):
    found = conversation()
    services.claim_conversation(agent=eva, conversation_id=found.pk)
    with pytest.raises(services.AlreadyClaimed):
        services.close_conversation(actor=bram, conversation_id=found.pk)
    services.close_conversation(actor=lotte, conversation_id=found.pk)


def test_release_returns_the_conversation_to_the_queue(eva, bram):
    found = conversation()
    services.claim_conversation(agent=eva, conversation_id=found.pk)
    services.release_conversation(agent=eva, conversation_id=found.pk)
    assert services.claim_next(agent=bram) == found


def test_lead_assigns_a_conversation(lotte, bram):
    found = conversation()
    services.assign_conversation(actor=lotte, conversation_id=found.pk, agent=bram)
    found.refresh_from_db()
    assert found.assigned_to == bram


def test_notes_and_history_are_recorded(eva):
    found = conversation()
    services.add_note(author=eva, conversation_id=found.pk, text="Bewoner belde ook al.")
    kinds = list(found.events.values_list("kind", flat=True))
    assert kinds[0] == EventKind.RECEIVED
    assert EventKind.ROUTED in kinds
    assert kinds[-1] == EventKind.NOTE


def test_merged_contacts_share_one_history(lotte):
    whatsapp = conversation("Container vol", channel="whatsapp", sender_id="+31612345678")
    facebook = conversation("Aanslag te hoog", channel="facebook", sender_id="7001")
    survivor = services.merge_contacts(
        actor=lotte, source_id=facebook.contact_id, target_id=whatsapp.contact_id
    )
    assert set(survivor.conversations.all()) == {whatsapp, facebook}
    assert survivor.identities.count() == 2
    facebook.contact.refresh_from_db()
    assert facebook.contact.merged_into == survivor
    # A new Facebook message now lands with the surviving contact.
    later = conversation("Nog iets", channel="facebook", sender_id="7001")
    assert later.contact == survivor


def test_delivery_status_only_moves_forward(eva):
    message = services.reply(agent=eva, conversation_id=conversation().pk, text="Hallo")
    services.record_delivery(message_id=message.pk, status=DeliveryStatus.READ)
    services.record_delivery(message_id=message.pk, status=DeliveryStatus.DELIVERED)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.READ
