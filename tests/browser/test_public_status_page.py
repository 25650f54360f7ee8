"""A resident opens the status page of their suggestion in a browser without JavaScript.

axe-core itself needs JavaScript to run (its checks wait on timers), so each page is read in a
context with JavaScript off, and checked by axe in a second context on the same URL. The page has no
script at all (tests/feedback/test_public_page.py), so both contexts see the same document.
"""

from playwright.sync_api import Browser, Page, expect

from feedback import services
from feedback.models import Suggestion
from feedback.workflow import Status
from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible

pytestmark = BROWSER_TEST

SUMMARY = "Een bankje bij de speeltuin in de Vondelstraat"
DECISION = "We zetten in het voorjaar twee bankjes bij de speeltuin."


def planned_suggestion(agent, department) -> Suggestion:
    talk = factories.conversation("Zet een bankje bij de speeltuin.", sender_name="Sanne de Vries")
    suggestion = services.record(
        agent=agent, conversation_id=talk.pk, summary=SUMMARY, department_id=department.pk
    )
    for status in (Status.FORWARDED, Status.UNDER_CONSIDERATION):
        services.change_status(actor=agent, suggestion_id=suggestion.pk, status=status)
    return services.change_status(
        actor=agent, suggestion_id=suggestion.pk, status=Status.PLANNED, explanation=DECISION
    )


def open_page(browser: Browser, url: str, *, javascript: bool, status: int = 200) -> Page:
    context = browser.new_context(
        locale="nl-NL", timezone_id="Europe/Amsterdam", java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    response = page.goto(url)
    assert response is not None and response.status == status
    return page


def test_resident_reads_the_status_without_javascript(browser: Browser, live_server, eva, waste_department):
    suggestion = planned_suggestion(eva, waste_department)
    url = f"{live_server.url}/volg/{suggestion.token}/"

    page = open_page(browser, url, javascript=False)
    try:
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator("#summary")).to_have_text(SUMMARY)
        expect(page.locator("#department")).to_have_text("Afval")
        expect(page.locator("#current-status")).to_have_attribute("data-status", "planned")
        expect(page.locator("#explanation")).to_have_text(DECISION)
        expect(page.locator("#history li.event")).to_have_count(4)
        expect(page.locator("#history li.event time")).to_have_count(4)
        expect(page.locator("script")).to_have_count(0)
        assert "Sanne" not in page.content()

        # The skip link is the first stop for the keyboard, and shows itself when focused.
        page.keyboard.press("Tab")
        skip = page.locator("a.skip-link")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()

        # The language switch is a plain link: it works without JavaScript.
        page.locator("#language-switch a[hreflang=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#summary")).to_have_text(SUMMARY)
        assert page.context.cookies() == []
    finally:
        page.context.close()

    for language in ("nl", "en"):
        checked = open_page(browser, f"{url}?lang={language}", javascript=True)
        try:
            expect(checked.locator("#history li.event")).to_have_count(4)
            assert_accessible(checked)
        finally:
            checked.context.close()


def test_unknown_link_gets_an_accessible_404(browser: Browser, live_server):
    url = f"{live_server.url}/volg/{'A' * 22}/"

    page = open_page(browser, url, javascript=False, status=404)
    try:
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator("main")).to_be_visible()
        expect(page.locator("script")).to_have_count(0)
    finally:
        page.context.close()

    checked = open_page(browser, url, javascript=True, status=404)
    try:
        assert_accessible(checked)
    finally:
        checked.context.close()
