"""The channels page a lead checks when residents say their messages get no answer."""

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST


def test_a_lead_checks_the_channels(page: Page, live_server, lotte):
    factories.conversation("De lantaarnpaal is kapot")
    login(page, live_server, lotte)
    page.get_by_role("navigation").locator("a[href='/channels/']").click()
    expect(page.locator("#channel-table")).to_contain_text("WhatsApp")
    expect(page.locator("#platform-table")).to_contain_text("Twilio")
    assert_accessible(page)
