"""The queue updates in place (htmx): filters swap only the rows, and new work appears by polling."""

import re

from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST

ROWS = "#queue-rows tbody tr"


def mark_document(page: Page) -> None:
    """A flag on `window` that a full page load would wipe out: proof that only the rows changed."""
    page.evaluate("window.__sameDocument = true")


def assert_same_document(page: Page) -> None:
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded, not swapped by htmx"


def queue_request(response) -> bool:
    """The htmx request for the rows (HX-Request header), not a full page navigation."""
    request = response.request
    return "/inbox/" in request.url and request.headers.get("hx-request") == "true"


def test_channel_filter_swaps_the_rows_and_new_work_appears(page: Page, live_server, eva):
    factories.conversation("De lantaarnpaal in de Van Woustraat is kapot", sender_name="Sanne de Vries")
    factories.conversation(
        "@gemeente de lantaarnpaal bij de Dam is kapot",
        channel="x",
        sender_name="Joost K.",
        thread_key="x-1",
        is_public=True,
    )
    login(page, live_server, eva)
    rows = page.locator(ROWS)
    expect(rows).to_have_count(2)
    expect(page.locator("#queue-rows")).to_contain_text("Sanne de Vries")
    expect(page.locator("#queue-rows")).to_contain_text("Joost K.")
    mark_document(page)

    # Choosing a channel fetches only the rows (one htmx request) and swaps them in.
    with page.expect_response(queue_request) as swap:
        page.locator("#id_channel").select_option("x")
    assert swap.value.status == 200
    assert "channel=x" in swap.value.url
    expect(rows).to_have_count(1)
    expect(page.locator("#queue-rows")).to_contain_text("Joost K.")
    expect(page.locator("#queue-rows")).not_to_contain_text("Sanne de Vries")
    expect(page).to_have_url(re.compile(r"[?&]channel=x(&|$)"))  # hx-push-url: shareable, back works
    expect(page.locator("#queue-filters")).to_have_count(1)  # the rows, not the page, were swapped in
    expect(page.locator("#queue-rows table")).to_have_count(1)
    assert_same_document(page)
    assert_accessible(page)

    # Work that arrives after the page loaded shows up on the next refresh of the rows. The page polls
    # every 15 s on the form's own trigger; firing its `change` event is the same request, without
    # the wait. (test_polling_picks_up_new_work proves the timer itself.)
    factories.conversation(
        "Lantaarnpaal Overtoom knippert de hele nacht",
        channel="x",
        sender_name="Fatima Z.",
        thread_key="x-2",
        is_public=True,
    )
    factories.conversation("Straatlamp kapot in de Pijp", sender_name="Henk W.")  # WhatsApp: filtered out
    with page.expect_response(queue_request):
        page.locator("#queue-filters").dispatch_event("change")
    expect(rows).to_have_count(2)
    expect(page.locator("#queue-rows")).to_contain_text("Fatima Z.")
    expect(page.locator("#queue-rows")).not_to_contain_text("Henk W.")

    # Back to all channels.
    with page.expect_response(queue_request):
        page.locator("#id_channel").select_option("")
    expect(rows).to_have_count(4)
    assert_same_document(page)


def test_polling_picks_up_new_work(page: Page, live_server, eva):
    """The real `every 15s` timer, on Playwright's fake clock so that the test does not wait 15 s."""
    page.clock.install()
    factories.conversation("De lantaarnpaal in de Van Woustraat is kapot", sender_name="Sanne de Vries")
    login(page, live_server, eva)
    rows = page.locator(ROWS)
    expect(rows).to_have_count(1)
    mark_document(page)

    factories.conversation("Lantaarnpaal Overtoom knippert de hele nacht", sender_name="Fatima Z.")
    # A short timeout: in it, real time alone cannot reach the 15 s, only the clock jump can.
    with page.expect_response(queue_request, timeout=3_000) as poll:
        page.clock.run_for(16_000)
    assert poll.value.status == 200
    expect(rows).to_have_count(2)
    expect(page.locator("#queue-rows")).to_contain_text("Fatima Z.")
    assert_same_document(page)
