"""The reply rules as the agent meets them on screen and in the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inbox import services as inbox
from inbox.models import Conversation, DeliveryStatus, Message, MessageTemplate
from tests.conftest import PASSWORD
from tests.factories import conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_eva(client, eva):
    client.login(username="eva", password=PASSWORD)
    return client


@pytest.fixture
def template(db):
    return MessageTemplate.objects.create(
        name="Antwoord klaar",
        content_sid="HX00000000000000000000000000000001",
        text="Hallo {{1}}, er is een antwoord.",
    )


def aged(talk: Conversation, **age) -> Conversation:
    when = timezone.now() - timedelta(**age)
    Conversation.objects.filter(pk=talk.pk).update(last_inbound_at=when)
    talk.messages.update(created_at=when)
    return talk


def test_within_the_window_the_page_says_until_when(as_eva):
    page = as_eva.get(f"/inbox/conversations/{conversation(channel='whatsapp').pk}/").content.decode()
    assert 'id="window-notice"' in page
    assert 'name="text"' in page


def test_after_24_hours_whatsapp_offers_only_templates_and_sends_one(
    as_eva, template, platforms, django_capture_on_commit_callbacks
):
    talk = aged(conversation(channel="whatsapp", sender_name="Marieke Bos"), days=2)
    page = as_eva.get(f"/inbox/conversations/{talk.pk}/").content.decode()
    assert 'name="template"' in page and 'id="reply-text"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = as_eva.post(f"/inbox/conversations/{talk.pk}/reply/", {"template": template.pk})
    assert response.status_code == 302
    assert platforms.outbox()[0]["text"]  # the stand-in received the template
    assert Message.objects.get(direction="out").text == "Hallo Marieke, er is een antwoord."


def test_free_text_after_the_window_is_refused_on_screen(as_eva):
    talk = aged(conversation(channel="whatsapp"), days=2)
    response = as_eva.post(f"/inbox/conversations/{talk.pk}/reply/", {"text": "Hallo"})
    assert response.status_code == 400
    assert "sjabloon" in response.content.decode()


def test_a_comment_offers_one_private_reply(as_eva, platforms, django_capture_on_commit_callbacks):
    message, _ = inbox.receive_message(
        inbox.IncomingMessage(
            channel="facebook",
            sender_id="6330000000000065",
            text="Wie ruimt dit op?",
            provider_id="987650000000001_555010000000001",
            thread_key="post-1",
            is_public=True,
        )
    )
    url = f"/inbox/conversations/{message.conversation_id}/"
    assert 'name="private"' in as_eva.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        as_eva.post(url + "reply/", {"text": "Mag ik uw adres?", "private": "on"})
    assert Message.objects.get(direction="out").is_private_reply
    assert 'name="private"' not in as_eva.get(url).content.decode()


def test_a_failed_reply_shows_the_reason_and_can_be_sent_again(
    as_eva, eva, platforms, django_capture_on_commit_callbacks
):
    talk = conversation(channel="whatsapp")
    platforms.fail_next("/Messages.json", 400, {"code": 63032, "message": "blocked", "status": 400})
    with django_capture_on_commit_callbacks(execute=True):
        inbox.reply(agent=eva, conversation_id=talk.pk, text="Hallo")
    failed = Message.objects.get(direction="out")
    page = as_eva.get(f"/inbox/conversations/{talk.pk}/").content.decode()
    assert "berichten van de gemeente geblokkeerd" in page
    with django_capture_on_commit_callbacks(execute=True):
        as_eva.post(f"/inbox/messages/{failed.pk}/retry/")
    failed.refresh_from_db()
    assert failed.delivery_status == DeliveryStatus.SENT


def test_a_queued_x_dm_shows_its_expected_send_time(as_eva, eva):
    talk = conversation(channel="x")
    message = inbox.reply(agent=eva, conversation_id=talk.pk, text="Straks")
    Message.objects.filter(pk=message.pk).update(scheduled_for=timezone.now() + timedelta(minutes=12))
    assert "naar verwachting om" in as_eva.get(f"/inbox/conversations/{talk.pk}/").content.decode()


def test_attachments_are_served_only_to_the_inbox(send, client, eva, dirk):
    send.twilio("inbound_image")
    message = Message.objects.get()
    url = f"/inbox/messages/{message.pk}/attachments/0/"
    client.login(username="dirk", password=PASSWORD)
    assert client.get(url).status_code == 403
    client.login(username="eva", password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "sandbox"
    assert client.get(f"/inbox/messages/{message.pk}/attachments/5/").status_code == 404


def test_the_api_shows_the_window_and_sends_templates(
    client, eva, template, platforms, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(eva)
    talk = aged(conversation(channel="whatsapp"), days=2)
    detail = api.get(f"/api/v1/conversations/{talk.pk}/").json()
    assert detail["reply_window"]["mode"] == "template"
    assert (
        api.post(f"/api/v1/conversations/{talk.pk}/reply/", {"text": "Hoi"}, format="json").status_code == 400
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/conversations/{talk.pk}/reply/", {"template": template.pk}, format="json"
        )
    assert response.status_code == 201
    assert response.json()["send_options"]["content_sid"] == template.content_sid


def test_the_queue_shows_closed_and_closing_reply_windows(as_eva):
    aged(conversation(channel="whatsapp", sender_name="Lang Geleden"), hours=30)
    aged(conversation(channel="facebook", sender_name="Bijna Dicht"), hours=22)
    conversation(channel="whatsapp", sender_name="Net Binnen")
    page = as_eva.get("/inbox/?status=active&team=").content.decode()
    names = ("Lang Geleden", "Bijna Dicht", "Net Binnen")
    rows = {name: next(row for row in page.split("<tr") if name in row) for name in names}
    assert "badge-window" in rows["Lang Geleden"]
    assert "badge-window" in rows["Bijna Dicht"]
    assert "badge-window" not in rows["Net Binnen"]


def test_the_api_sends_a_failed_reply_again(eva, platforms, django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    platforms.fail_next("/Messages.json", 400)
    with django_capture_on_commit_callbacks(execute=True):
        failed = inbox.reply(agent=eva, conversation_id=conversation(channel="whatsapp").pk, text="Hallo")
    api = APIClient()
    api.force_authenticate(eva)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/messages/{failed.pk}/retry/")
    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.delivery_status == DeliveryStatus.SENT
    assert api.post(f"/api/v1/messages/{failed.pk}/retry/").status_code == 400  # sent: nothing to retry
