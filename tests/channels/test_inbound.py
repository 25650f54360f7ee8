"""Every event type, replayed signed through the real endpoints."""

import pytest

from channels import services
from channels.base import ChannelError
from channels.models import RawEvent, RawEventState
from inbox.models import Channel, Conversation, DeliveryStatus, Direction, Message
from tests import signing
from tests.conftest import PUBLIC_BASE_URL

pytestmark = pytest.mark.django_db


def only_message() -> Message:
    assert Message.objects.count() == 1
    return Message.objects.select_related("conversation__contact", "conversation__identity").get()


# --- Signatures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deliver",
    [
        lambda send, sig: send.twilio("inbound_text", signature=sig),
        lambda send, sig: send.twilio("status_delivered", "/webhooks/whatsapp/status/", signature=sig),
        lambda send, sig: send.meta("messenger_text", signature=sig),
        lambda send, sig: send.x("aaa_dm", signature=sig),
    ],
    ids=["whatsapp", "whatsapp-status", "meta", "x"],
)
@pytest.mark.parametrize("signature", ["", "sha256=0000", "c2lnbmF0dXJl"], ids=["missing", "hex", "b64"])
def test_a_bad_or_missing_signature_is_refused_and_nothing_is_stored(send, deliver, signature):
    response = deliver(send, signature)
    assert response.status_code == 403
    assert not Message.objects.exists()
    assert not RawEvent.objects.exists()


def test_a_signature_with_another_secret_is_refused(send):
    body = signing.meta_body(signing.load_fixture("meta", "messenger_text"))
    response = send.meta(body, signature=signing.meta_signature(body, "not-our-secret"))
    assert response.status_code == 403
    assert not RawEvent.objects.exists()


def test_twilio_signs_the_public_url_so_a_signature_for_another_url_is_refused(send, client):
    params = signing.load_fixture("twilio", "inbound_text")
    headers = signing.twilio_headers("http://internal-host:8000/webhooks/whatsapp/", params)
    assert client.post("/webhooks/whatsapp/", params, **headers).status_code == 403


def test_meta_signature_is_checked_over_the_raw_escaped_bytes(send):
    """Meta escapes unicode and '/'; the fixture has both, so re-encoding before hashing would fail."""
    body = signing.meta_body(signing.load_fixture("meta", "messenger_text"))
    assert b"\\u" in body and b"\\/" not in body or b"\\u" in body
    assert send.meta(body).status_code == 200
    assert "officiële" in only_message().text


# --- WhatsApp -------------------------------------------------------------------------------------


def test_whatsapp_text_opens_a_conversation_and_answers_empty_twiml(send):
    response = send.twilio("inbound_text")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response></Response>" in response.content
    message = only_message()
    assert message.channel == Channel.WHATSAPP
    assert message.provider_id == "SMa1c3e5f7091b2d4f6a8c0e2b4d6f8a13"
    assert message.conversation.identity.external_id == "+31611223344"
    assert message.conversation.contact.name == "Marieke Bos"
    assert message.processed_at is not None  # topic and routing ran after the commit (eager here)
    assert RawEvent.objects.get().state == RawEventState.DONE


def test_a_replayed_delivery_creates_no_duplicate(send):
    assert send.twilio("inbound_text").status_code == 200
    assert send.twilio("inbound_text").status_code == 200
    assert Message.objects.count() == 1
    assert RawEvent.objects.count() == 1


def test_the_same_message_in_a_different_delivery_is_still_one_message(send):
    params = signing.load_fixture("twilio", "inbound_text")
    send.twilio(params)
    send.twilio({**params, "NumSegments": "2"})  # Twilio adds fields without notice
    assert Message.objects.count() == 1


def test_whatsapp_media_is_kept_with_its_type(send):
    send.twilio("inbound_two_media")
    message = only_message()
    assert message.text == ""
    assert len(message.attachments) == 2
    assert all(a["url"].startswith("https://api.twilio.com/") for a in message.attachments)


def test_malformed_whatsapp_gets_400_and_is_kept_for_replay(send):
    params = signing.load_fixture("twilio", "inbound_text")
    del params["From"]
    response = send.twilio(params)
    assert response.status_code == 400
    assert not Message.objects.exists()
    assert RawEvent.objects.get().state == RawEventState.MALFORMED


# --- Meta -----------------------------------------------------------------------------------------


def test_messenger_text(send):
    assert send.meta("messenger_text").status_code == 200
    message = only_message()
    assert (message.channel, message.conversation.identity.external_id) == (
        Channel.FACEBOOK,
        "6310000000000021",
    )
    assert not message.conversation.is_public
    assert message.created_at.year == 2026


def test_messenger_image_keeps_the_attachment(send):
    send.meta("messenger_image")
    assert only_message().attachments[0]["type"] == "image"


def test_a_batch_of_two_entries_yields_two_messages_in_two_conversations(send):
    assert send.meta("messenger_batch").status_code == 200
    assert Message.objects.count() == 2
    assert Conversation.objects.count() == 2
    assert RawEvent.objects.count() == 1


def test_an_echo_of_our_own_reply_opens_no_conversation(send):
    assert send.meta("messenger_echo").status_code == 200
    assert send.meta("instagram_echo").status_code == 200
    assert not Conversation.objects.exists()


def test_reactions_are_acknowledged_and_ignored(send):
    assert send.meta("messenger_reaction").status_code == 200
    assert not Message.objects.exists()


def test_page_comment_is_a_public_conversation_on_its_post(send):
    send.meta("page_comment")
    message = only_message()
    assert message.conversation.is_public
    assert message.conversation.thread_key == "104857600123456_987650000000001"
    assert message.conversation.contact.name == "Gerrit Mulder"
    assert message.provider_id == "987650000000001_555010000000001"


def test_our_own_page_comment_is_not_a_resident_message(send):
    send.meta("page_comment_by_page")
    assert not Message.objects.exists()


def test_an_edited_comment_is_added_to_the_history_once(send):
    send.meta("page_comment")
    send.meta("page_comment_edited")
    send.meta("page_comment_edited")
    assert Message.objects.count() == 2
    assert Conversation.objects.count() == 1
    assert Message.objects.order_by("id").last().context["edited"]


def test_instagram_direct_messages(send):
    send.meta("instagram_text")
    send.meta("instagram_image")
    assert Message.objects.filter(channel=Channel.INSTAGRAM).count() == 2
    assert Conversation.objects.get().identity.external_id == "7410000000000043"


def test_instagram_story_mention_keeps_only_the_link(send):
    send.meta("instagram_story_mention")
    message = only_message()
    assert message.context == {"story_mention": True}
    assert message.attachments[0]["type"] == "story_mention"
    assert "file" not in message.attachments[0]  # never downloaded


def test_instagram_comments_and_replies_are_public(send):
    send.meta("instagram_comment")
    send.meta("instagram_comment_reply")
    assert Message.objects.count() == 2
    reply = Message.objects.get(provider_id="18120000000000112")
    assert reply.context["parent_id"] == "18120000000000101"
    assert reply.conversation.thread_key == "18110000000000091"


def test_instagram_mention_is_fetched_from_the_graph_api_then_stored(send, platforms):
    platforms.seed_instagram_mention(
        "18140000000000134", "@gemeentedemo de lantaarnpaal is kapot", "noor.in.zuid", "18130000000000123"
    )
    assert send.meta("instagram_mention").status_code == 200
    message = only_message()
    assert message.text == "@gemeentedemo de lantaarnpaal is kapot"
    assert message.conversation.is_public
    assert message.context["mention"]
    assert RawEvent.objects.get().state == RawEventState.DONE


def test_instagram_mention_is_retried_when_the_graph_api_fails(send, platforms):
    platforms.seed_instagram_mention("18140000000000134", "hallo", "noor.in.zuid", "18130000000000123")
    platforms.fail_next("/17841400123456789", 500, times=2)
    assert send.meta("instagram_mention").status_code == 200
    assert only_message().text == "hallo"
    assert len(platforms.requests_to("/17841400123456789")) == 3


def test_instagram_mention_stays_pending_while_the_graph_api_is_down(client, platforms):
    body = signing.meta_body(signing.load_fixture("meta", "instagram_mention"))
    client.post("/webhooks/meta/", body, content_type="application/json", **signing.meta_headers(body))
    raw = RawEvent.objects.get()
    assert raw.state == RawEventState.PENDING  # stored; its queued work has not run yet
    platforms.fail_next("/17841400123456789", 503)
    with pytest.raises(ChannelError):
        services.process_raw_event(raw.pk)
    raw.refresh_from_db()
    assert (raw.state, raw.attempts, Message.objects.count()) == (RawEventState.PENDING, 1, 0)
    platforms.seed_instagram_mention("18140000000000134", "hallo", "noor.in.zuid", "18130000000000123")
    services.process_raw_event(raw.pk)
    assert only_message().text == "hallo"
    assert RawEvent.objects.get().state == RawEventState.DONE


def test_meta_verification_handshake(client):
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": signing.META_VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    response = client.get("/webhooks/meta/", query)
    assert (response.status_code, response.content) == (200, b"1158201444")
    assert client.get("/webhooks/meta/", {**query, "hub.verify_token": "guess"}).status_code == 403


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"object": "page"}', b'{"object": "page", "entry": [1]}']
)
def test_malformed_meta_gets_400(send, body):
    assert send.meta(body).status_code == 400
    assert not Message.objects.exists()


# --- X --------------------------------------------------------------------------------------------


def test_x_direct_message(send):
    assert send.x("aaa_dm").status_code == 200
    message = only_message()
    assert (message.channel, message.conversation.identity.external_id) == (Channel.X, "1731000000000000011")
    assert not message.conversation.is_public


def test_x_direct_message_with_a_photo(send):
    send.x("aaa_dm_image")
    assert only_message().attachments[0]["type"] == "photo"


def test_x_mention_is_public(send):
    send.x("aaa_mention")
    message = only_message()
    assert message.conversation.is_public
    assert message.provider_id == "1864100000000000267"


@pytest.mark.parametrize("fixture", ["aaa_dm_echo", "aaa_own_tweet", "aaa_favorite", "xaa_dm_sent"])
def test_our_own_x_activity_opens_nothing(send, fixture):
    assert send.x(fixture).status_code == 200
    assert not Conversation.objects.exists()


def test_the_x_activity_envelope_maps_to_the_same_messages(send):
    send.x("aaa_dm")
    send.x("xaa_dm_received")
    send.x("xaa_post_mention")
    dms = Message.objects.filter(conversation__is_public=False)
    assert dms.count() == 2
    assert Conversation.objects.filter(is_public=False).count() == 1  # the same resident, one DM thread
    mention = Message.objects.get(conversation__is_public=True)
    assert mention.provider_id == "1864100000000000289"


def test_x_crc_challenge(client):
    response = client.get("/webhooks/x/", {"crc_token": "9b4507b3-9040-4669-9ca3-6b94edb50553"})
    assert response.json() == {
        "response_token": signing.x_crc_response_token("9b4507b3-9040-4669-9ca3-6b94edb50553")
    }


def test_x_crc_refuses_to_sign_something_that_looks_like_a_body(client):
    """Otherwise anyone could have us sign a forged delivery."""
    assert client.get("/webhooks/x/", {"crc_token": '{"for_user_id": "1"}'}).status_code == 400


# --- Status callbacks and echoes -----------------------------------------------------------------


@pytest.fixture
def our_reply(db):
    """A reply the desk sent on WhatsApp, as Twilio knows it."""
    from tests.factories import conversation

    talk = conversation(channel="whatsapp", sender_id="+31611223344")
    return Message.objects.create(
        conversation=talk,
        channel=Channel.WHATSAPP,
        direction=Direction.OUTBOUND,
        text="Wij komen morgen langs.",
        provider_id="SM0a2c4e6a8c1d3f5b7d9f1a3c5e7b9d42",
        delivery_status=DeliveryStatus.SENT,
    )


def test_whatsapp_statuses_only_move_forward(send, our_reply):
    send.twilio_status("status_read")
    send.twilio_status("status_delivered")  # late
    send.twilio_status("status_sent")  # later still
    our_reply.refresh_from_db()
    assert our_reply.delivery_status == DeliveryStatus.READ


def test_a_status_callback_finds_the_reply_by_our_key_before_the_sid_is_known(send, our_reply):
    Message.objects.filter(pk=our_reply.pk).update(provider_id="", delivery_status=DeliveryStatus.SENDING)
    send.twilio_status("status_delivered", key=str(our_reply.send_key))
    our_reply.refresh_from_db()
    assert our_reply.delivery_status == DeliveryStatus.DELIVERED
    assert our_reply.provider_id == "SM0a2c4e6a8c1d3f5b7d9f1a3c5e7b9d42"


def test_63016_fails_the_reply_with_the_reason_and_puts_the_conversation_back(send, our_reply):
    Message.objects.filter(pk=our_reply.pk).update(provider_id="SM1b3d5f7b9d2e4a6c8e0a2b4d6f8c0e53")
    Conversation.objects.filter(pk=our_reply.conversation_id).update(status="waiting", response_due=None)
    send.twilio_status("status_undelivered_63016")
    our_reply.refresh_from_db()
    assert our_reply.delivery_status == DeliveryStatus.FAILED
    assert "sjabloon" in our_reply.delivery_error  # stored in Dutch, the desk's language
    conversation = Conversation.objects.get(pk=our_reply.conversation_id)
    assert conversation.status == "open"
    assert conversation.response_due is not None
    assert conversation.events.filter(kind="delivery_failed").exists()


def test_messenger_delivery_and_read(send, db):
    send.meta("messenger_text")
    talk = Conversation.objects.get()
    echo = signing.load_fixture("meta", "messenger_echo")["entry"][0]["messaging"][0]
    reply = Message.objects.create(
        conversation=talk,
        channel=Channel.FACEBOOK,
        direction=Direction.OUTBOUND,
        text="antwoord",
        provider_id=echo["message"]["mid"],
        delivery_status=DeliveryStatus.SENT,
        created_at=talk.last_message_at,
    )
    send.meta("messenger_delivery")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.DELIVERED
    send.meta("messenger_read")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.READ


def test_an_echo_confirms_a_reply_whose_send_answer_was_lost(send, db):
    send.meta("messenger_text")
    talk = Conversation.objects.get()
    echo = signing.load_fixture("meta", "messenger_echo")
    text = echo["entry"][0]["messaging"][0]["message"]["text"]
    pending = Message.objects.create(
        conversation=talk,
        channel=Channel.FACEBOOK,
        direction=Direction.OUTBOUND,
        text=text,
        delivery_status=DeliveryStatus.SENDING,
    )
    send.meta(echo)
    pending.refresh_from_db()
    assert pending.delivery_status == DeliveryStatus.SENT
    assert pending.provider_id.startswith("m_Ze2")
    assert talk.messages.filter(direction=Direction.OUTBOUND).count() == 1


def test_an_echo_of_a_message_sent_outside_the_desk_joins_the_history(send, db):
    send.meta("messenger_text")
    send.meta("messenger_echo")
    outbound = Message.objects.get(direction=Direction.OUTBOUND)
    assert outbound.author is None
    assert outbound.delivery_status == DeliveryStatus.SENT


def test_an_echo_without_text_from_outside_the_desk_is_not_stored(send, db):
    """A sticker or file sent from the platform's own app echoes without anything we can show."""
    send.meta("messenger_text")
    echo = signing.load_fixture("meta", "messenger_echo")
    echo["entry"][0]["messaging"][0]["message"]["text"] = ""
    assert send.meta(echo).status_code == 200
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_messenger_residents_name_is_looked_up_in_their_profile(send, platforms):
    platforms.seed_meta_profile("6310000000000021", first_name="Lotte", last_name="de Wit")
    send.meta("messenger_text")
    contact = only_message().conversation.contact
    assert contact.name == "Lotte de Wit"
    (lookup,) = platforms.requests_to("/6310000000000021")
    assert lookup.query["fields"] == "first_name,last_name"


def test_an_instagram_residents_name_comes_from_their_profile(send, platforms):
    platforms.seed_meta_profile("7410000000000043", name="Noor Bakker", username="noor.in.zuid")
    send.meta("instagram_text")
    assert only_message().conversation.identity.handle == "Noor Bakker"


def test_a_failing_profile_lookup_leaves_the_message_in_place(send, platforms):
    platforms.fail_next("/6310000000000021", 500, times=10)
    assert send.meta("messenger_text").status_code == 200
    assert only_message().conversation.contact.name == ""


def test_the_webhook_keeps_the_delivery_and_owes_its_filing_to_a_worker(client):
    """The request stores two rows and answers; the worker files the delivery, once however often."""
    from outbox.models import PendingTask

    path = "/webhooks/whatsapp/"
    arguments = signing.twilio_post(PUBLIC_BASE_URL + path, signing.load_fixture("twilio", "inbound_text"))
    assert client.post(path, **arguments).status_code == 200  # its owed work not run: no worker yet
    raw = RawEvent.objects.get()
    assert raw.state == RawEventState.PENDING
    assert list(PendingTask.objects.values_list("task", "args")) == [("channels.process_raw_event", [raw.pk])]
    assert not Message.objects.exists()
    services.process_raw_event(raw.pk)
    services.process_raw_event(raw.pk)  # handed over twice: filed once
    assert Message.objects.get().text.startswith("Goedemorgen!")
    assert RawEvent.objects.get().state == RawEventState.DONE
