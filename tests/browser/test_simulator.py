"""The resident simulator in a real browser: write as a resident, see it reach the desk, see the answer."""

import re

from playwright.sync_api import Page, expect

from channels import simulator
from inbox import services
from inbox.models import Channel, Direction, Message
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST

QUESTION = "Er staat al een week een kapotte fiets tegen de lantaarnpaal op het Koningsplein."
ANSWER = "Dank voor uw melding. De handhavers halen de fiets deze week weg."


def test_agent_writes_as_a_resident_and_sees_the_desks_reply_arrive(
    page: Page, live_server, settings, platforms, eva
):
    # The simulator posts over HTTP to the real endpoint: here, the live server.
    settings.PUBLIC_BASE_URL = live_server.url
    settings.STANDIN_URL = platforms.base_url
    login(page, live_server, eva)
    page.locator("nav a[href='/simulator/']").click()
    expect(page).to_have_url(re.compile(r"/simulator/$"))
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)

    page.locator("input[name=kind][value=whatsapp]").check()
    page.locator("#id_name").fill("Marieke Bos")
    page.locator("#id_text").fill(QUESTION)
    page.locator("#simulator-form button[type=submit]").click()

    expect(page.locator(".messages .message-success")).to_contain_text("200")
    expect(page.locator("#simulator-thread .msg-out")).to_contain_text(QUESTION)
    expect(page.locator("input[name=kind][value=whatsapp]")).to_be_checked()  # ready for a follow-up
    assert_accessible(page)

    message = Message.objects.select_related("conversation__identity", "conversation__team").get(
        text=QUESTION
    )
    assert (message.channel, message.direction) == (Channel.WHATSAPP, Direction.INBOUND)
    assert message.conversation.identity.external_id == simulator.resident_id(Channel.WHATSAPP, "Marieke Bos")
    assert message.conversation.team.slug == "webcare"  # read and routed: it is in the team's queue

    # The desk answers; the page polls the stand-in's outbox and shows the reply without a reload.
    page.evaluate("window.__sameDocument = true")
    services.reply(agent=eva, conversation_id=message.conversation_id, text=ANSWER)
    expect(page.locator("#simulator-thread .msg-in")).to_contain_text(ANSWER, timeout=10_000)
    assert page.evaluate("window.__sameDocument === true")
    assert_accessible(page)
