"""The dashboards in the browser: a lead reads the hand-made week, narrows it to one channel and
downloads a chart's CSV, which holds the numbers of its table; a department member sees only their
own department; every state passes axe-core."""

import csv
import io

from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST

PERIOD = "start=2025-12-22&end=2025-12-28"


def test_a_lead_reads_the_week_narrows_it_and_downloads_a_chart(page: Page, live_server, lotte, week):
    login(page, live_server, lotte)
    page.goto(f"{live_server.url}/reports/?{PERIOD}")
    expect(page.locator('[data-metric="messages_in"]')).to_have_text("8")
    expect(page.locator('[data-metric="foreign_contacts"]')).to_have_text("1")
    expect(page.locator('svg[data-chart="volume-per-day"] rect[data-value="2"]')).to_have_count(2)
    assert_accessible(page)

    chart = page.locator("#chart-answers")
    chart.locator("summary").click()
    table = chart.locator("table")
    expect(table).to_be_visible()
    assert_accessible(page)  # with a data table open
    shown = [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    with page.expect_download() as downloading:
        chart.get_by_role("link", name="CSV").click()
    download = downloading.value
    assert download.suggested_filename == "answers-2025-12-22-2025-12-28.csv"
    with open(download.path(), encoding="utf-8") as saved:
        rows = list(csv.reader(io.StringIO(saved.read())))[1:]
    # The table shows Dutch decimals and "–" for nothing; the CSV the same numbers, machine-readable.
    assert [[row[0], *(value.replace(".", ",") or "–" for value in row[1:])] for row in rows] == shown
    assert rows[0] == ["alle kanalen", "25.0", "50.0", "25.0"]

    page.select_option("#id_channel", "whatsapp")
    page.get_by_role("button", name="Toon").click()
    expect(page).to_have_url(
        f"{live_server.url}/reports/?start=2025-12-22&end=2025-12-28&team=&channel=whatsapp&department="
    )
    expect(page.locator('[data-metric="messages_in"]')).to_have_text("4")
    assert_accessible(page)


def test_a_department_member_sees_only_their_department(page: Page, live_server, dirk, week):
    login(page, live_server, dirk)
    page.goto(f"{live_server.url}/reports/?{PERIOD}")
    escalations = page.locator('svg[data-chart="escalations"] rect')
    expect(escalations.first).to_have_attribute("data-category", "Afval")
    assert {rect.get_attribute("data-category") for rect in escalations.all()} == {"Afval"}
    expect(page.locator('svg[data-chart="volume-per-day"]')).to_have_count(0)
    expect(page.locator("#id_department option")).to_have_count(2)  # all (= theirs) and their own
    assert_accessible(page)
