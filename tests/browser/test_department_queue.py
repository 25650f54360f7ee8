"""A department member works his queue in a real browser: open a question, answer it, ask for more."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from escalations.models import Escalation
from escalations.workflow import Status
from inbox.models import Conversation, DepartmentUpdate
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login
from tests.factories import escalated

pytestmark = BROWSER_TEST

CONTAINER = "Mijn container is al drie weken niet geleegd, klantnummer 4471."
QUESTION = "Kunnen jullie zien waarom deze container niet geleegd wordt?"
PASS_QUESTION = "Is de nieuwe afvalpas van deze bewoner al verstuurd?"


def test_a_department_member_answers_one_question_and_asks_more_about_another(
    page: Page, live_server, dirk, eva, waste_department
):
    container = escalated(eva, waste_department, text=CONTAINER, question=QUESTION)
    afvalpas = escalated(
        eva, waste_department, text="Ik heb nog steeds geen afvalpas ontvangen.", question=PASS_QUESTION
    )
    Escalation.objects.filter(pk=afvalpas.pk).update(due_at=timezone.now() - timedelta(days=1))

    login(page, live_server, dirk, next_path="/department/")
    expect(page.locator("#open-table tbody tr")).to_have_count(2)
    expect(page.locator("#open-table tbody tr").first).to_have_id(f"escalation-{afvalpas.pk}")
    expect(page.locator(f"#escalation-{afvalpas.pk} .badge-overdue")).to_be_visible()
    expect(page.locator("#overdue-notice")).to_be_visible()
    expect(page.locator(f"#escalation-{container.pk}")).to_contain_text(QUESTION)
    assert_accessible(page)

    page.locator(f"#escalation-{container.pk} a").click()
    expect(page).to_have_url(re.compile(rf"/department/{container.pk}/$"))
    expect(page.locator("#escalation-question")).to_have_text(QUESTION)
    expect(page.locator("#shared-messages")).to_contain_text(CONTAINER)
    expect(page.locator("main")).not_to_contain_text("Sanne de Vries")  # not shared
    assert_accessible(page)

    answer = "De container staat op de planning voor donderdag."
    page.locator("#id_answer-text").fill(answer)
    page.locator("#answer-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/department/")
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator(f"#open-escalations #escalation-{container.pk}")).to_have_count(0)
    expect(page.locator(f"#answered-escalations #escalation-{container.pk}")).to_have_count(1)
    expect(page.locator("#open-table tbody tr")).to_have_count(1)
    assert_accessible(page)
    container.refresh_from_db()
    assert container.status == Status.ANSWERED
    assert container.answer == answer
    conversation = Conversation.objects.get(pk=container.conversation_id)
    assert conversation.department_update == DepartmentUpdate.ANSWERED

    page.locator(f"#escalation-{afvalpas.pk} a").click()
    page.locator("#info-form button[type=submit]").click()  # nothing written yet
    expect(page.locator("#reply-error")).to_be_visible()
    expect(page.locator("#id_info-text")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)  # with the error in place

    page.locator("#reply-error a").click()
    expect(page.locator("#id_info-text")).to_be_focused()
    page.locator("#id_info-text").fill("Op welk adres woont de bewoner?")
    page.locator("#info-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/department/")
    expect(page.locator(f"#waiting-escalations #escalation-{afvalpas.pk}")).to_have_count(1)
    expect(page.locator("#open-empty")).to_be_visible()
    assert_accessible(page)
    assert Escalation.objects.get(pk=afvalpas.pk).status == Status.INFO_REQUESTED
