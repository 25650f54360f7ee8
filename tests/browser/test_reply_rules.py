"""The platforms' reply rules in the browser: a template once WhatsApp's window closed, a failed reply."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from inbox import services
from inbox.models import Conversation, DeliveryStatus, Message, MessageTemplate
from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST


def test_after_the_window_the_agent_sends_a_template(page: Page, live_server, eva, platforms):
    MessageTemplate.objects.create(
        name="Antwoord klaar",
        content_sid="HX00000000000000000000000000000009",
        text="Hallo {{1}}, er is een antwoord.",
    )
    talk = factories.conversation("Is mijn paspoort al klaar?", sender_name="Marieke Bos")
    two_days_ago = timezone.now() - timedelta(days=2)
    Conversation.objects.filter(pk=talk.pk).update(last_inbound_at=two_days_ago)
    talk.messages.update(created_at=two_days_ago)

    login(page, live_server, eva)
    expect(page.locator("#queue-rows .badge-window")).to_be_visible()  # the queue shows the closed window
    assert_accessible(page)
    page.goto(f"{live_server.url}/inbox/conversations/{talk.pk}/")
    expect(page.locator("#window-notice")).to_be_visible()
    expect(page.locator("#reply-text")).to_have_count(0)
    assert_accessible(page)
    page.locator("#reply-form button[type=submit]").click()
    expect(page.locator(".messages-list .msg-out")).to_contain_text("Hallo Marieke, er is een antwoord.")
    assert (
        platforms.requests_to("/Messages.json")[0].form["ContentSid"] == "HX00000000000000000000000000000009"
    )


def test_a_failed_reply_shows_why_and_is_sent_again(page: Page, live_server, eva, platforms):
    talk = factories.conversation("De lantaarnpaal is kapot", sender_name="Sanne de Vries")
    platforms.fail_next("/Messages.json", 400, {"code": 63032, "message": "blocked", "status": 400})
    services.reply(agent=eva, conversation_id=talk.pk, text="We sturen iemand langs.")
    assert Message.objects.get(direction="out").delivery_status == DeliveryStatus.FAILED

    login(page, live_server, eva, next_path=f"/inbox/conversations/{talk.pk}/")
    failure = page.locator(".delivery-problem")
    expect(failure).to_contain_text("berichten van de gemeente geblokkeerd")
    assert_accessible(page)
    failure.locator("button").click()
    expect(page.locator(".messages")).to_contain_text(re.compile(r"sent again|opnieuw"))
    expect(page.locator(".delivery-problem")).to_have_count(0)
