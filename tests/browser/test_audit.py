"""A lead finds in the audit log who opened a resident's contact page, on a page everyone can use."""

from playwright.sync_api import Page, expect

from audit.models import Action, AuditEntry
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login
from tests.factories import conversation

pytestmark = BROWSER_TEST


def test_a_lead_finds_who_opened_a_contact(new_page, live_server, eva, bram, lotte):
    found = conversation()
    agent: Page = new_page()
    login(agent, live_server, eva)
    agent.goto(f"{live_server.url}/inbox/contacts/{found.contact_id}/")
    login(new_page(), live_server, bram)

    page: Page = new_page()
    login(page, live_server, lotte, next_path=f"/inbox/contacts/{found.contact_id}/")
    page.locator("#contact-audit").click()
    rows = page.locator("#audit-entries tbody tr[data-action=viewed]")
    expect(rows).to_have_count(2)  # eva, and lotte on her way here
    assert_accessible(page)

    page.get_by_label("Wie").select_option("eva")
    page.get_by_label("Actie").select_option("viewed")
    page.locator("#audit-filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("eva")
    expect(rows.first).to_contain_text(f"Contact {found.contact_id}")
    expect(page.locator("#audit-csv")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Betreft (soort)").select_option("")
    page.get_by_label("Betreft (nummer)").fill("")
    page.get_by_label("Actie").select_option("logged_in")
    page.get_by_label("Wie").select_option("")
    page.locator("#audit-filters button[type=submit]").click()
    expect(page.locator("#audit-entries tbody tr[data-action=logged_in]")).to_have_count(3)
    assert AuditEntry.objects.filter(action=Action.LOGGED_IN).count() == 3
