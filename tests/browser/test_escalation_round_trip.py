"""An agent asks the waste department from the conversation page, the department answers (through
its service: its own screens are tested elsewhere), and the agent sends that answer to the resident."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from playwright.sync_api import Page, expect

from escalations import services
from escalations.models import Escalation
from escalations.workflow import Status
from inbox.models import Direction, Message, Topic
from tests import factories
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST


def at(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Europe/Amsterdam"))


ANSWER = "De container stond op slot. We legen hem morgen voor 12 uur."


def test_escalate_answer_and_reply(page: Page, live_server, eva, dirk, waste_department, platforms):
    waste_department.topics.add(Topic.objects.get(slug="waste_collection"))
    talk = factories.conversation("Mijn container is al drie weken niet geleegd, klantnummer 4471.")
    login(page, live_server, eva, next_path=f"/inbox/conversations/{talk.pk}/")

    panel = page.locator("#escalation")
    form = panel.locator("#escalate-form")
    expect(form.locator("#escalate-department")).to_have_value("waste")  # from the topic
    assert_accessible(page)
    form.locator("#escalate-question").fill("Waarom is deze container niet geleegd?")
    form.locator("button[type=submit]").click()

    expect(panel.locator("#escalation-active")).to_have_attribute("data-status", "open")
    assert_accessible(page)
    escalation = Escalation.objects.get(conversation=talk)
    assert [m.pk for m in escalation.shared_messages.all()] == [talk.messages.get().pk]

    services.answer(member=dirk, escalation_id=escalation.pk, text=ANSWER)

    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator("#queue-rows [data-department-update='answered']")).to_have_count(1)
    page.locator(f"#queue-rows a[href='/inbox/conversations/{talk.pk}/']").click()
    expect(panel.locator("#escalation-active")).to_have_attribute("data-status", "answered")
    expect(panel.locator("#escalation-answer")).to_contain_text(ANSWER)
    assert_accessible(page)

    panel.locator("#use-escalation-answer").click()
    reply = page.locator("#reply-text")
    expect(reply).to_have_value(ANSWER)
    expect(reply).to_be_focused()
    reply.press("End")
    reply.press_sequentially(" Sorry voor het ongemak!")
    reply.press("Control+Enter")

    expect(page.locator(".messages-list .msg-out")).to_contain_text("Sorry voor het ongemak!")
    escalation.refresh_from_db()
    assert escalation.status == Status.CLOSED
    sent = Message.objects.get(conversation=talk, direction=Direction.OUTBOUND)
    assert sent.text.startswith(ANSWER + " Sorry voor het ongemak!")
    expect(panel.locator("#escalate-form")).to_be_visible()  # a next question is possible again


def test_the_lead_sees_overdue_questions_per_department(
    page: Page, live_server, lotte, eva, waste_department
):
    with time_machine.travel(at(2026, 11, 16, 9, 0), tick=False):
        late = factories.escalated(eva, waste_department)
    login(page, live_server, lotte, next_path="/escalations/overview/")
    expect(page.locator("#department-figures tr[data-department='waste'] [data-overdue]")).to_have_attribute(
        "data-overdue", "1"
    )
    assert_accessible(page)
    page.locator(f"#overdue-escalations [data-escalation='{late.pk}'] a").click()
    expect(page).to_have_url(f"{live_server.url}/inbox/conversations/{late.conversation_id}/")
    expect(page.locator("#escalation-active")).to_have_attribute("data-status", "open")
    expect(page.locator("#escalation-deadline [data-overdue]")).to_be_visible()
