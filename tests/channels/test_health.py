"""The channels page: connected or not, traffic of the last day, and deliveries that wait."""

import pytest

from channels.models import RawEvent, RawEventState
from inbox import services as inbox
from tests.conftest import PASSWORD
from tests.factories import conversation

pytestmark = pytest.mark.django_db


def test_leads_see_each_channel_with_its_traffic(
    client, lotte, eva, send, platforms, settings, django_capture_on_commit_callbacks
):
    send.twilio("inbound_text")
    platforms.fail_next("/Messages.json", 400)
    with django_capture_on_commit_callbacks(execute=True):
        inbox.reply(agent=eva, conversation_id=conversation(channel="whatsapp").pk, text="Hallo")
    RawEvent.objects.create(
        platform="meta", endpoint="meta", digest="x", body="?", state=RawEventState.MALFORMED
    )
    settings.X_ACCESS_TOKEN = ""
    client.login(username="lotte", password=PASSWORD)
    page = client.get("/channels/").content.decode()
    whatsapp = next(row for row in page.split("<tr") if "WhatsApp</th>" in row)
    cells = [cell.split("</td>")[0] for cell in whatsapp.split("<td>")[1:]]
    assert cells[1:5] == ["2", "0", "<strong>1</strong>", "0"]  # received, sent, failed, waiting
    assert "https://webcare.example.nl/webhooks/whatsapp/" in whatsapp
    x_row = next(row for row in page.split("<tr") if "X</th>" in row)
    assert "<strong>" in x_row  # not connected: its credentials are missing
    meta = next(row for row in page.split("<tr") if "Meta (Facebook, Instagram)" in row)
    assert "<strong>1</strong>" in meta  # one unreadable delivery
