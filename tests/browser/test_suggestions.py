"""An agent answers from a suggested protocol: one key to pick it, a word adjusted, sent."""

import re

from playwright.sync_api import Page, expect

from escalations.models import Department
from inbox.models import Message
from protocols.services import save_protocol
from protocols.workflow import Status
from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login
from tests.protocols.test_suggest import PROTOCOLS

pytestmark = BROWSER_TEST


def publish_protocols():
    for slug in ("waste", "public-space", "civil-affairs"):
        Department.objects.get_or_create(slug=slug, defaults={"name": slug})
    for content in PROTOCOLS:
        save_protocol(content, status=Status.PUBLISHED)


def test_agent_picks_a_suggestion_adjusts_it_and_sends(page: Page, live_server, eva, platforms):
    publish_protocols()
    talk = factories.conversation("wnr kunnen jullie ff mn oude bank ophalen?", sender_name="Sanne de Vries")
    login(page, live_server, eva, next_path=f"/inbox/conversations/{talk.pk}/")
    panel = page.locator("#suggestions")
    expect(panel.locator("[data-suggestion='1']")).to_contain_text("Grofvuil laten ophalen")
    assert_accessible(page)

    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("1")  # the first suggestion into the reply box
    reply = page.locator("#reply-text")
    expect(reply).to_have_value(re.compile(r"^Hoi Sanne, grofvuil halen we gratis op"))
    expect(reply).to_be_focused()
    reply.press("End")
    reply.press_sequentially(" Fijne dag!")
    reply.press("Control+Enter")

    expect(page.locator(".messages-list .msg-out")).to_contain_text("Fijne dag!")
    sent = Message.objects.get(direction="out")
    assert (sent.protocol_key, sent.protocol_edited) == ("grofvuil-ophalen", True)


def test_when_no_protocol_fits_the_agent_is_told(page: Page, live_server, eva):
    publish_protocols()
    talk = factories.conversation("Wie wint er zaterdag, Ajax of Feyenoord?")
    login(page, live_server, eva, next_path=f"/inbox/conversations/{talk.pk}/")
    expect(page.locator("#no-suggestion")).to_be_visible()
    assert_accessible(page)
