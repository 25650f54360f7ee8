"""An editor finds a protocol, edits its answer with a live preview, saves, and restores the old version."""

import re

from playwright.sync_api import Page, expect

from escalations.models import Department
from protocols.models import Protocol
from protocols.services import ProtocolContent, save_protocol
from protocols.workflow import Status
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST

OVER = re.compile(r"\bover\b")


def make_protocols(author=None) -> Protocol:
    Department.objects.get_or_create(slug="waste", defaults={"name": "Afval"})
    save_protocol(
        ProtocolContent(
            key="lantaarnpaal-kapot",
            title="Lantaarnpaal kapot",
            department="waste",
            topic="lighting",
            answers={"nl": "We repareren de lamp.", "en": "We repair the light."},
        ),
        status=Status.PUBLISHED,
    )
    protocol, _changed = save_protocol(
        ProtocolContent(
            key="grofvuil-ophalen",
            title="Grofvuil laten ophalen",
            department="waste",
            topic="litter",
            questions=["Hoe laat ik mijn oude bank ophalen?"],
            answers={
                "nl": "Hoi {first_name}, grofvuil halen we gratis op.",
                "en": "Hi {first_name}, we collect bulky waste for free.",
            },
        ),
        author=author,
        status=Status.PUBLISHED,
    )
    return protocol


def test_an_editor_edits_an_answer_with_a_live_preview_and_restores_version_one(
    page: Page, live_server, erik
):
    protocol = make_protocols(author=erik)
    login(page, live_server, erik, next_path="/protocols/")
    rows = page.locator("table.protocols tbody tr")
    expect(rows).to_have_count(2)
    assert_accessible(page)

    page.locator("#id_q").fill("oude bank")
    page.locator("#protocol-filters button[type=submit]").click()
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name="Grofvuil laten ophalen").click()
    expect(page.locator("h1")).to_have_text("Grofvuil laten ophalen")
    expect(page.locator("#preview-nl [data-preview-text]")).to_have_text(
        "Hoi Sanne, grofvuil halen we gratis op."
    )
    assert_accessible(page)

    page.locator(f"a[href='/protocols/{protocol.key}/edit/']").click()
    expect(page.locator("#id_answer_nl")).to_be_visible()
    assert_accessible(page)

    preview = page.locator("#preview-nl")
    x_public = preview.locator("tr[data-limit='280']")
    too_long = "Dag {first_name}! " + "x" * 300
    page.locator("#id_answer_nl").fill(too_long)
    expect(preview.locator("[data-preview-text]")).to_have_text("Dag Sanne! " + "x" * 300)
    expect(x_public).to_have_class(OVER)
    expect(x_public.locator("[data-length]")).to_have_text(str(len("Dag Sanne! ") + 300 + len(" ^EP")))
    expect(preview.locator("[data-preview-live]")).not_to_be_empty()
    expect(preview.locator("tr[data-limit='1600']")).not_to_have_class(OVER)  # WhatsApp

    page.locator("#id_answer_nl").fill("Dag {first_name}, maak een afspraak op de website.")
    expect(x_public).not_to_have_class(OVER)
    expect(preview.locator("[data-preview-text]")).to_have_text("Dag Sanne, maak een afspraak op de website.")
    expect(preview.locator("[data-preview-live]")).to_be_empty()
    page.locator("#id_note").fill("Afspraak via de website")
    page.locator("#protocol-form button.primary").click()

    history = page.locator("#version-history tbody tr")
    expect(history).to_have_count(2)
    expect(page.locator("#version-history tr[data-version='2']")).to_contain_text("Afspraak via de website")
    expect(page.locator("#preview-nl [data-preview-text]")).to_have_text(
        "Dag Sanne, maak een afspraak op de website."
    )

    page.locator("#version-history tr[data-version='1'] button[type=submit]").click()
    expect(history).to_have_count(3)
    expect(page.locator("#preview-nl [data-preview-text]")).to_have_text(
        "Hoi Sanne, grofvuil halen we gratis op."
    )
    protocol.refresh_from_db()
    assert protocol.current.number == 3
    assert protocol.current.answers["nl"] == "Hoi {first_name}, grofvuil halen we gratis op."


def test_a_department_proposal_is_decided_by_an_editor(new_page, live_server, dirk, erik):
    protocol = make_protocols()
    department_page = new_page()
    login(department_page, live_server, dirk, next_path=f"/protocols/{protocol.key}/propose/")
    assert_accessible(department_page)
    department_page.locator("#id_answer_en").fill("Hi {first_name}, book a pick-up online.")
    expect(department_page.locator("#preview-en [data-preview-text]")).to_have_text(
        "Hi Sanne, book a pick-up online."
    )
    department_page.locator("#id_note").fill("The website has a booking form now.")
    department_page.locator("#protocol-form button.primary").click()
    expect(department_page.locator(".messages")).to_be_visible()

    editor_page = new_page()
    login(editor_page, live_server, erik, next_path="/protocols/proposals/")
    proposal = editor_page.locator("article.proposal")
    expect(proposal).to_have_count(1)
    expect(proposal.locator("table.diff")).to_contain_text("Hi {first_name}")
    expect(proposal.locator("table.diff")).to_contain_text("book a pick-up online")
    assert_accessible(editor_page)
    proposal.locator("textarea").fill("Het boekingsformulier staat nog niet online.")
    proposal.get_by_role("button", name=re.compile("Reject|Afwijzen")).click()
    expect(editor_page.locator("article.proposal")).to_have_count(0)

    department_page.goto(f"{live_server.url}/protocols/proposals/")
    expect(department_page.locator("article.proposal")).to_contain_text(
        "Het boekingsformulier staat nog niet online."
    )
    assert_accessible(department_page)
