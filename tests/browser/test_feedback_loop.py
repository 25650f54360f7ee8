"""The feedback loop through the screens: an agent records a resident's suggestion from the
conversation, the lead moves it on to an outcome with an explanation, and the agent sees that the
resident was told. Every screen on the way is checked with axe-core."""

from playwright.sync_api import Page, expect

from feedback.models import Suggestion
from feedback.notifications import status_page_url
from feedback.workflow import Status
from inbox.models import Direction, Message, Topic
from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST

IDEA = "Zet meer containers voor plastic neer in de Pijp."
EXPLANATION = "Er staan nu vier containers extra voor plastic. Ze worden elke week geleegd."


def test_record_decide_and_tell_the_resident(new_page, live_server, eva, lotte, waste_department, platforms):
    waste_department.topics.add(Topic.objects.get(slug="waste_collection"))
    talk = factories.conversation("De containers voor plastic zitten altijd vol, zet er meer neer!")

    agent: Page = new_page()
    login(agent, live_server, eva, next_path=f"/inbox/conversations/{talk.pk}/")
    panel = agent.locator("#feedback")
    form = panel.locator("#feedback-record-form")
    expect(form.locator("#feedback-department")).to_have_value("waste")  # from the topic
    expect(form.locator("#feedback-notify")).to_be_checked()
    assert_accessible(agent)
    form.locator("#feedback-summary").fill(IDEA)
    form.locator("button[type=submit]").click()

    followed = panel.locator("#feedback-followed [data-suggestion]")
    expect(followed).to_have_attribute("data-status", "received")
    expect(followed.locator("[data-notice-status='received']")).to_have_attribute("data-notice-state", "sent")
    suggestion = Suggestion.objects.get()
    assert suggestion.summary == IDEA
    expect(followed.locator("[data-status-page]")).to_have_attribute("href", status_page_url(suggestion))
    assert Message.objects.filter(
        conversation=talk, direction=Direction.OUTBOUND, text__contains=status_page_url(suggestion)
    ).exists()
    assert_accessible(agent)

    lead: Page = new_page()
    login(lead, live_server, lotte, next_path="/feedback/")
    row = lead.locator(f"#suggestions tr[data-suggestion='{suggestion.pk}']")
    expect(row).to_have_attribute("data-status", "received")
    assert_accessible(lead)
    row.locator("a").click()
    expect(lead).to_have_url(f"{live_server.url}/feedback/{suggestion.pk}/")
    assert_accessible(lead)

    status_form = lead.locator("#status-form")
    expect(status_form.locator("#status-forwarded")).to_be_checked()  # the only step possible
    status_form.locator("button[type=submit]").click()
    expect(lead.locator("#suggestion")).to_have_attribute("data-status", "forwarded")
    status_form.locator("#status-under_consideration").check()
    status_form.locator("button[type=submit]").click()
    expect(lead.locator("#suggestion")).to_have_attribute("data-status", "under_consideration")

    status_form.locator("#status-implemented").check()
    status_form.locator("button[type=submit]").click()  # without the explanation: refused, kept
    expect(status_form.locator("#status-explanation")).to_have_attribute("aria-invalid", "true")
    expect(lead.locator("#suggestion")).to_have_attribute("data-status", "under_consideration")
    assert_accessible(lead)
    status_form.locator("#status-implemented").check()
    status_form.locator("#status-explanation").fill(EXPLANATION)
    status_form.locator("button[type=submit]").click()
    expect(lead.locator("#suggestion")).to_have_attribute("data-status", "implemented")
    expect(lead.locator("#suggestion-explanation")).to_contain_text(EXPLANATION)
    expect(lead.locator("#resident-notices [data-notice-status='implemented']")).to_have_attribute(
        "data-notice-state", "sent"
    )
    expect(lead.locator("#status-form")).to_have_count(0)
    assert_accessible(lead)

    lead.goto(f"{live_server.url}/feedback/overview/")
    expect(
        lead.locator("#counts-per-department tr[data-department='waste'] td[data-status='implemented']")
    ).to_have_attribute("data-count", "1")
    expect(lead.locator("#outcome-figures tr[data-department='waste'] [data-closed]")).to_have_attribute(
        "data-closed", "1"
    )
    assert_accessible(lead)

    agent.reload()
    expect(followed).to_have_attribute("data-status", "implemented")
    expect(followed.locator("[data-notice-status='implemented']")).to_have_attribute(
        "data-notice-state", "sent"
    )
    assert_accessible(agent)
    suggestion.refresh_from_db()
    assert suggestion.status == Status.IMPLEMENTED
    news = Message.objects.filter(conversation=talk, direction=Direction.OUTBOUND).order_by("-id").first()
    assert EXPLANATION in news.text
