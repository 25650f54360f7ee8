"""Replies go out through the real client libraries to the stand-in, at most once, within the rules."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from channels import services
from inbox import services as inbox
from inbox.models import Channel, Conversation, DeliveryStatus, Message, MessageTemplate
from inbox.reply_rules import X_DM_LIMIT
from tests.factories import conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply(eva, django_capture_on_commit_callbacks):
    """Eva answers; the send task runs after the commit, as the worker would (eager in tests)."""

    def answer(talk: Conversation, text: str = "Wij komen morgen langs.", **options) -> Message:
        with django_capture_on_commit_callbacks(execute=True):
            message = inbox.reply(agent=eva, conversation_id=talk.pk, text=text, **options)
        message.refresh_from_db()
        return message

    return answer


def aged(talk: Conversation, **age) -> Conversation:
    """As if the resident's last message is `age` old."""
    when = timezone.now() - timedelta(**age)
    Conversation.objects.filter(pk=talk.pk).update(last_inbound_at=when)
    talk.messages.update(created_at=when)
    talk.refresh_from_db()
    return talk


# --- WhatsApp -------------------------------------------------------------------------------------


def test_whatsapp_reply_is_sent_with_a_status_callback_that_names_it(reply, platforms):
    message = reply(conversation(channel="whatsapp", sender_id="+31611223344"))
    (create,) = platforms.requests_to("/Messages.json")
    assert create.form["To"] == "whatsapp:+31611223344"
    assert create.form["From"] == "whatsapp:+31850001234"
    assert create.form["Body"] == "Wij komen morgen langs."
    assert create.form["StatusCallback"].endswith(f"/webhooks/whatsapp/status/?key={message.send_key}")
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.provider_id.startswith("SM")


def test_provider_500_then_201_sends_once(reply, platforms):
    platforms.fail_next("/Messages.json", 500)
    message = reply(conversation(channel="whatsapp"))
    creates = [r for r in platforms.requests_to("/Messages.json") if r.method == "POST"]
    assert len(creates) == 2  # the 500, then the 201 (after asking Twilio whether the first got through)
    assert len(platforms.outbox()) == 1
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.send_attempts == 2


def test_a_task_delivered_twice_sends_once(reply, platforms):
    message = reply(conversation(channel="whatsapp"))
    services.send_message(message.pk)
    assert len(platforms.outbox()) == 1


def test_after_an_attempt_with_unknown_outcome_the_platform_is_asked_first(platforms, eva):
    """The first attempt reached Twilio but its answer was lost: the retry finds it and sends nothing."""
    talk = conversation(channel="whatsapp", sender_id="+31611223344")
    message = inbox.reply(agent=eva, conversation_id=talk.pk, text="Het is geregeld.")
    from channels import clients

    sid = (
        clients.twilio()
        .messages.create(from_="whatsapp:+31850001234", to="whatsapp:+31611223344", body="Het is geregeld.")
        .sid
    )
    Message.objects.filter(pk=message.pk).update(
        send_attempts=1, sending_since=timezone.now() - timedelta(minutes=1)
    )
    services.send_message(message.pk)
    message.refresh_from_db()
    assert (message.delivery_status, message.provider_id) == (DeliveryStatus.SENT, sid)
    assert len(platforms.outbox()) == 1


def test_a_refusal_fails_the_reply_with_twilios_reason(reply, platforms):
    platforms.fail_next(
        "/Messages.json", 400, {"code": 21211, "message": "Invalid 'To' Phone Number", "status": 400}
    )
    message = reply(conversation(channel="whatsapp"))
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "geen geldig telefoonnummer" in message.delivery_error
    assert message.conversation.events.filter(kind="delivery_failed").exists()


def test_whatsapp_window_closed_refuses_free_text(reply):
    talk = aged(conversation(channel="whatsapp"), hours=25)
    with pytest.raises(inbox.ReplyNotAllowed, match="sjabloon"):  # Dutch, the default language
        reply(talk, "Nog een vraag?")


def test_whatsapp_window_closed_sends_the_approved_template(reply, platforms):
    template = MessageTemplate.objects.create(
        name="Antwoord klaar",
        content_sid="HX0123456789abcdef0123456789abcdef",
        text="Hallo {{1}}, we hebben een antwoord op uw vraag. Reageer op dit bericht om het te lezen.",
    )
    talk = aged(conversation(channel="whatsapp", sender_name="Marieke Bos"), days=3)
    message = reply(talk, template_id=template.pk)
    (create,) = platforms.requests_to("/Messages.json")
    assert create.form["ContentSid"] == template.content_sid
    assert json.loads(create.form["ContentVariables"]) == {"1": "Marieke"}
    assert "Body" not in create.form
    assert message.text.startswith("Hallo Marieke,")
    assert message.delivery_status == DeliveryStatus.SENT


# --- Meta -----------------------------------------------------------------------------------------


def test_messenger_reply_within_24_hours(reply, platforms):
    message = reply(conversation(channel="facebook", sender_id="6310000000000021"))
    (send,) = platforms.requests_to("/104857600123456/messages")
    assert json.loads(send.form["recipient"]) == {"id": "6310000000000021"}
    body = json.loads(send.form["message"])
    assert body["text"] == "Wij komen morgen langs."
    assert body["metadata"] == f"webcare:{message.send_key}"
    assert send.form["messaging_type"] == "RESPONSE"
    assert message.delivery_status == DeliveryStatus.SENT


def test_messenger_after_24_hours_a_person_answers_with_the_human_agent_tag(reply, platforms):
    reply(aged(conversation(channel="facebook"), days=3))
    (send,) = platforms.requests_to("/messages")
    assert (send.form["messaging_type"], send.form["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_after_7_days_meta_allows_no_reply(reply, platforms):
    talk = aged(conversation(channel="instagram"), days=8)
    with pytest.raises(inbox.ReplyNotAllowed, match="7 dagen"):
        reply(talk)
    assert not platforms.requests


def test_meta_outside_window_error_fails_with_the_reason(reply, platforms):
    platforms.fail_next(
        "/messages",
        400,
        {
            "error": {
                "message": "(#10) outside of allowed window",
                "type": "OAuthException",
                "code": 10,
                "error_subcode": 2018278,
            }
        },
    )
    message = reply(conversation(channel="facebook"))
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "antwoordvenster" in message.delivery_error


def test_instagram_dm_goes_to_the_instagram_account(reply, platforms):
    reply(conversation(channel="instagram", sender_id="7410000000000043"))
    (send,) = platforms.requests_to("/17841400123456789/messages")
    assert json.loads(send.form["recipient"]) == {"id": "7410000000000043"}


def _comment(channel: str, comment_id: str, **context) -> Conversation:
    message, _ = inbox.receive_message(
        inbox.IncomingMessage(
            channel=channel,
            sender_id="6330000000000065",
            sender_name="Gerrit Mulder",
            text="Wie ruimt dit op?",
            provider_id=comment_id,
            thread_key="post-1",
            is_public=True,
            context={"comment_id": comment_id, **context},
        )
    )
    return message.conversation


def test_facebook_comment_gets_a_public_reply_with_initials(reply, platforms):
    message = reply(_comment("facebook", "987650000000001_555010000000001"))
    (send,) = platforms.requests_to("/987650000000001_555010000000001/comments")
    assert send.form["message"] == "Wij komen morgen langs. ^EP"
    assert message.delivery_status == DeliveryStatus.SENT


def test_instagram_reply_goes_to_the_top_level_comment(reply, platforms):
    reply(_comment("instagram", "18120000000000112", parent_id="18120000000000101"))
    assert platforms.requests_to("/18120000000000101/replies")


def test_a_private_reply_to_a_comment_is_allowed_once(reply, platforms):
    talk = _comment("facebook", "987650000000001_555010000000001")
    message = reply(talk, "Mag ik uw adres? Dan sturen we iemand.", private=True)
    (send,) = platforms.requests_to("/104857600123456/messages")
    assert json.loads(send.form["recipient"]) == {"comment_id": "987650000000001_555010000000001"}
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.text.endswith("sturen we iemand.")  # a DM: no initials
    with pytest.raises(inbox.ReplyNotAllowed):
        reply(talk, "Nog iets", private=True)


# --- X --------------------------------------------------------------------------------------------


def test_x_dm(reply, platforms):
    message = reply(conversation(channel="x", sender_id="1731000000000000011"))
    (send,) = platforms.requests_to("/2/dm_conversations/with/1731000000000000011/messages")
    assert send.json == {"text": "Wij komen morgen langs."}
    assert "OAuth" in send.headers["authorization"]
    assert message.delivery_status == DeliveryStatus.SENT


def test_x_mention_gets_a_public_reply(reply, platforms):
    talk = conversation(
        channel="x", sender_id="1732000000000000022", thread_key="1864100000000000267", is_public=True
    )
    reply(talk, "Dank voor uw melding!")
    (send,) = platforms.requests_to("/2/tweets")
    assert send.json["reply"] == {"in_reply_to_tweet_id": talk.messages.get(direction="in").provider_id}
    assert send.json["text"] == "Dank voor uw melding! ^EP"


def test_x_rate_limit_waits_until_the_reset(platforms, eva):
    talk = conversation(channel="x")
    message = inbox.reply(agent=eva, conversation_id=talk.pk, text="Hallo")
    platforms.fail_next(
        "/2/dm_conversations", 429, headers={"x-rate-limit-reset": str(int(timezone.now().timestamp()) + 120)}
    )
    with pytest.raises(services.RetryLater) as later:
        services.send_message(message.pk)
    assert 100 <= later.value.countdown <= 120
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.PENDING
    assert "limiet van X" in message.delivery_error


def test_x_dms_beyond_the_rate_limit_are_scheduled_with_an_expected_time(eva):
    now = timezone.now()
    earlier = conversation(channel="x", sender_id="1731000000000000011")
    Message.objects.bulk_create(
        Message(
            conversation=earlier, channel=Channel.X, direction="out", text=f"antwoord {n}", scheduled_for=now
        )
        for n in range(X_DM_LIMIT)
    )
    message = inbox.reply(agent=eva, conversation_id=conversation(channel="x").pk, text="Later")
    assert message.scheduled_for >= now + timedelta(minutes=15)
    assert message.delivery_status == DeliveryStatus.PENDING


def test_a_channel_without_credentials_fails_clearly(reply, settings):
    settings.X_ACCESS_TOKEN = ""
    message = reply(conversation(channel="x"))
    assert message.delivery_status == DeliveryStatus.FAILED
    assert "niet gekoppeld" in message.delivery_error


def test_the_agent_can_send_a_failed_reply_again(reply, platforms, eva, django_capture_on_commit_callbacks):
    platforms.fail_next("/Messages.json", 400)
    message = reply(conversation(channel="whatsapp"))
    assert message.delivery_status == DeliveryStatus.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        inbox.retry_delivery(agent=eva, message_id=message.pk)
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT


def test_a_timeout_is_retried_after_asking_twilio_and_sends_once(reply, platforms, settings):
    """The first attempt times out; Twilio's list shows it never arrived; the retry sends it once."""
    settings.PLATFORM_TIMEOUT = 0.3
    platforms.fail_next("/Messages.json", 500, delay=0.6)
    message = reply(conversation(channel="whatsapp"))
    assert message.delivery_status == DeliveryStatus.SENT
    assert len(platforms.outbox()) == 1
    methods = [r.method for r in platforms.requests_to("/Messages.json")]
    assert methods == ["POST", "GET", "POST"]  # the lost attempt, the look-up, the send


def test_x_dm_photo_is_fetched_with_the_accounts_oauth_signature(send, platforms, settings):
    from tests import signing

    payload = signing.load_fixture("x", "aaa_dm_image")
    media = payload["direct_message_events"][0]["message_create"]["message_data"]["attachment"]["media"]
    media["media_url_https"] = f"{platforms.base_url}/media/dm-photo.jpg"
    settings.MEDIA_ALLOWED_HOSTS = ["127.0.0.1"]
    send.x(payload)
    assert Message.objects.get().attachments[0]["content_type"] == "image/png"
    (download,) = platforms.requests_to("/media/dm-photo.jpg")
    assert download.headers["authorization"].startswith("OAuth ")


def test_a_private_reply_to_an_edited_comment_goes_to_the_comment_itself(send, reply, platforms):
    send.meta("page_comment")
    send.meta("page_comment_edited")
    talk = Conversation.objects.get()
    reply(talk, "Mag ik uw adres?", private=True)
    (private,) = platforms.requests_to("/104857600123456/messages")
    assert json.loads(private.form["recipient"]) == {"comment_id": "987650000000001_555010000000001"}
