"""A resident's message arrives: stored once, read for topic and danger, routed to the right team."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import services
from inbox.models import Contact, Conversation, Message, RoutingRule, Team
from inbox.workflow import Status
from outbox.models import PendingTask
from tests.factories import conversation, incoming
from webcare.lib import tasks

pytestmark = pytest.mark.django_db


def test_whatsapp_message_about_anything_goes_to_webcare():
    assert conversation("Wanneer kan ik mijn paspoort ophalen?", channel="whatsapp").team.slug == "webcare"


def test_public_space_question_on_x_goes_to_webcare():
    found = conversation("De lantaarnpaal in de Van Woustraat is kapot", channel="x", is_public=True)
    assert found.topic.slug == "lighting"
    assert found.team.slug == "webcare"


def test_other_question_on_facebook_goes_to_social():
    found = conversation("Hoe vraag ik een parkeervergunning aan?", channel="facebook")
    assert found.topic.slug == "parking"
    assert found.team.slug == "social"


def test_english_public_space_question_on_instagram_goes_to_webcare():
    found = conversation("There is a huge pothole in the cycle path on Sarphatistraat", channel="instagram")
    assert found.topic.slug == "roads"
    assert found.team.slug == "webcare"
    assert found.language == "en"


@pytest.mark.parametrize(
    "text",
    [
        "Ik ruik een sterke gaslucht bij de Albert Cuypmarkt",
        "Er ligt een omgevallen boom op de weg bij de Churchilllaan",
        "Er hangt een losse kabel uit de lantaarnpaal",
        "There is an open manhole on Damrak, someone will fall in",
        "A fallen tree is blocking the road near Vondelpark",
    ],
)
def test_danger_in_public_space_is_urgent(text):
    assert conversation(text, channel="x").urgent


def test_an_ordinary_complaint_is_not_urgent():
    assert not conversation("Het gras in het park wordt te weinig gemaaid").urgent


def test_routing_rules_are_data_a_lead_can_change(social_team):
    RoutingRule.objects.filter(channel="whatsapp").update(team=social_team)
    assert conversation("Wanneer kan ik mijn paspoort ophalen?", channel="whatsapp").team == social_team


def test_first_matching_rule_wins_and_keywords_count():
    team = Team.objects.create(slug="crisis", name="Crisisteam")
    RoutingRule.objects.create(position=1, name="Storm", keywords="storm\nwindkracht", team=team)
    assert conversation("Door de storm is ons dak beschadigd", channel="whatsapp").team == team


def test_replayed_delivery_stores_nothing_twice():
    message = incoming("Hallo")
    again, created = services.receive_message(
        services.IncomingMessage(
            channel=message.channel, sender_id="+31600000000", text="Hallo", provider_id=message.provider_id
        )
    )
    assert not created
    assert again == message
    assert Message.objects.count() == 1


def test_same_provider_id_on_another_channel_is_another_message():
    message = incoming("Hallo", channel="x")
    _, created = services.receive_message(
        services.IncomingMessage(
            channel="facebook", sender_id="1", text="Hoi", provider_id=message.provider_id
        )
    )
    assert created


def test_a_second_message_joins_the_open_conversation():
    first = incoming("Hallo", sender_id="+31611111111")
    second = incoming("Nog een vraag", sender_id="+31611111111")
    assert first.conversation_id == second.conversation_id
    assert Contact.objects.count() == 1


def test_a_new_message_reopens_a_recently_closed_conversation(eva):
    message = incoming("Hallo", sender_id="+31611111111")
    services.close_conversation(actor=eva, conversation_id=message.conversation_id)
    again = incoming("Toch nog een vraag", sender_id="+31611111111")
    reopened = Conversation.objects.get(pk=again.conversation_id)
    assert reopened.pk == message.conversation_id
    assert reopened.status == Status.OPEN
    assert reopened.response_due is not None


def test_a_message_long_after_closing_opens_a_new_conversation(eva):
    message = incoming("Hallo", sender_id="+31611111111")
    services.close_conversation(actor=eva, conversation_id=message.conversation_id)
    Conversation.objects.filter(pk=message.conversation_id).update(
        closed_at=timezone.now() - timedelta(days=30)
    )
    again = incoming("Nieuwe vraag", sender_id="+31611111111")
    assert again.conversation_id != message.conversation_id


def test_public_thread_and_private_messages_are_separate_conversations():
    public = incoming("Kapotte lamp", channel="facebook", sender_id="77", thread_key="post-1", is_public=True)
    private = incoming("Privé vraag", channel="facebook", sender_id="77")
    assert public.conversation_id != private.conversation_id
    assert Conversation.objects.get(pk=public.conversation_id).is_public


def test_processing_twice_changes_nothing():
    message = incoming("De lantaarnpaal is kapot")
    processed_at = Message.objects.get(pk=message.pk).processed_at
    services.process_message(message.pk)
    assert Message.objects.get(pk=message.pk).processed_at == processed_at


def test_the_relay_processes_messages_whose_task_never_ran(django_capture_on_commit_callbacks):
    # The web process died between the commit and the publish: the message is stored, and owed work.
    with django_capture_on_commit_callbacks(execute=False):
        message, _ = services.receive_message(
            services.IncomingMessage(
                channel="whatsapp",
                sender_id="+31612121212",
                text="Afval niet opgehaald",
                provider_id="lost-1",
                sent_at=timezone.now() - timedelta(minutes=5),
            )
        )
    assert Message.objects.unprocessed().count() == 1
    with django_capture_on_commit_callbacks(execute=True):  # reading it owes its suggestions
        assert tasks.relay(now=timezone.now() + tasks.LEASE) == 1
    conversation = Conversation.objects.get(pk=message.conversation_id)
    assert conversation.team.slug == "webcare"
    assert Message.objects.unprocessed().count() == 0
    assert not PendingTask.objects.exists()


def test_deadline_counts_office_hours(settings):
    friday_evening = timezone.make_aware(timezone.datetime(2026, 11, 27, 19, 0))
    found = conversation("Hallo", sent_at=friday_evening)
    # WhatsApp: 60 office minutes; the desk opens again Monday 08:00.
    assert timezone.localtime(found.response_due).strftime("%a %H:%M") == "Mon 09:00"
