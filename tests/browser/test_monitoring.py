"""Monitoring in the browser: a lead writes a listening query and watches the preview follow the
typing; an agent filters the feed in place and turns a post into a conversation; every screen passes
axe-core."""

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from inbox.models import Conversation
from monitoring.models import ListeningQuery
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login
from tests.monitoring.test_screens import alert, mention

pytestmark = BROWSER_TEST


def htmx_request(path: str):
    def check(response) -> bool:
        request = response.request
        return path in request.url and request.headers.get("hx-request") == "true"

    return check


def test_lead_writes_a_query_and_the_preview_follows(page: Page, live_server, lotte):
    container = mention("De container bij ons in de Pijp is weer vol")
    kliko = mention("Onze kliko is al een week niet geleegd", posted=timedelta(days=2))
    mention("Het afval ligt op straat bij de Dam")
    login(page, live_server, lotte, next_path="/monitoring/queries/new/")
    assert_accessible(page)

    page.locator("#id_name").fill("Containers")
    expression = page.locator("#id_expression")
    with page.expect_response(htmx_request("/monitoring/queries/preview/")):
        expression.press_sequentially("container")
    status = page.locator("#query-preview-status")
    expect(status.locator("[data-preview-count]")).to_have_attribute("data-preview-count", "1")
    previewed = page.locator("#preview-mentions [data-mention]")
    expect(previewed).to_have_count(1)
    expect(previewed.first).to_have_attribute("data-mention", str(container.pk))

    expression.press_sequentially(" OR kliko")
    expect(status.locator("[data-preview-count]")).to_have_attribute("data-preview-count", "2")
    expect(previewed).to_have_count(2)
    expect(previewed.nth(1)).to_have_attribute("data-mention", str(kliko.pk))

    # A query that cannot be read: the preview says why.
    expression.press_sequentially(' "')
    expect(status.locator("[data-preview-error]")).to_be_visible()
    expect(previewed).to_have_count(0)
    assert_accessible(page)

    # Saving it as it is: refused, with the message on the field.
    page.locator("#save-query").click()
    expect(page.locator("#id_expression_error")).to_be_visible()
    expect(expression).to_have_attribute("aria-invalid", "true")
    assert not ListeningQuery.objects.exists()
    assert_accessible(page)

    expression.fill("container OR kliko")
    page.locator("#save-query").click()
    expect(page).to_have_url(re.compile(r"/monitoring/queries/$"))
    saved = ListeningQuery.objects.get()
    assert (saved.name, saved.expression, saved.created_by) == ("Containers", "container OR kliko", lotte)
    expect(page.locator(f"#query-{saved.pk}")).to_have_attribute("data-active", "1")
    assert_accessible(page)

    page.locator(f"#query-{saved.pk} [data-toggle]").click()
    expect(page.locator(f"#query-{saved.pk}")).to_have_attribute("data-active", "0")


def test_agent_filters_the_feed_and_answers_a_post(page: Page, live_server, eva):
    complaint = mention("Al drie weken staat de container vol, wanneer wordt die geleegd?")
    mention(
        "Wat een mooie nieuwe bankjes op het Museumplein!",
        channel="facebook",
        topic="street_furniture",
        sentiment="positive",
        needs_answer=False,
        posted=timedelta(hours=3),
    )
    login(page, live_server, eva, next_path="/monitoring/")
    rows = page.locator("#feed-results tbody tr[data-mention]")
    expect(rows).to_have_count(2)
    assert_accessible(page)

    page.evaluate("window.__sameDocument = true")
    with page.expect_response(htmx_request("/monitoring/")):
        page.locator("#id_sentiment").select_option("negative")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-mention", str(complaint.pk))
    expect(page.locator("#feed-count [data-count]")).to_have_attribute("data-count", "1")
    expect(page).to_have_url(re.compile(r"[?&]sentiment=negative(&|$)"))
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded, not swapped by htmx"
    assert_accessible(page)

    rows.first.locator(".answer-form button").click()
    expect(page).to_have_url(re.compile(r"/inbox/conversations/\d+/$"))
    talk = Conversation.objects.get()
    assert talk.assigned_to == eva and talk.is_public
    complaint.refresh_from_db()
    assert complaint.conversation_id == talk.pk

    # Back in the feed the post links to its conversation.
    page.goto(f"{live_server.url}/monitoring/?sentiment=negative")
    expect(rows.first).to_have_attribute("data-conversation", str(talk.pk))
    expect(rows.first.locator("[data-conversation-link]")).to_be_visible()


def test_lead_sees_spike_alerts_and_marks_one_seen(page: Page, live_server, lotte):
    spike = alert(examples=[mention("Container vol!"), mention("Kliko niet geleegd", author="amsterdammer")])
    alert("litter", hours_ago=26, count=12, expected=2.0)
    login(page, live_server, lotte, next_path="/monitoring/alerts/")
    expect(page.locator("#nav-alerts")).to_have_attribute("data-unseen", "2")
    expect(page.locator("#alerts tbody tr[data-alert]")).to_have_count(2)
    assert_accessible(page)

    page.locator(f"#alert-{spike.pk} [data-seen-button]").click()
    expect(page.locator(f"#alert-{spike.pk}")).to_have_attribute("data-seen", "1")
    expect(page.locator("#nav-alerts")).to_have_attribute("data-unseen", "1")
    assert_accessible(page)
