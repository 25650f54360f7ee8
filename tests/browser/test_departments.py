"""A lead manages the departments: the list and the form are keyboard- and screen-reader-friendly."""

from playwright.sync_api import Page, expect

from escalations.models import Department
from tests.browser.conftest import BROWSER_TEST, assert_accessible, login

pytestmark = BROWSER_TEST


def test_a_lead_gives_a_department_a_topic_and_a_member(page: Page, live_server, lotte, dirk, piet, anna):
    parking = Department.objects.get(slug="parking")
    login(page, live_server, lotte, next_path="/departments/")
    rows = page.locator("#departments tbody tr")
    expect(rows).to_have_count(2)
    assert_accessible(page)

    page.locator(f'a[href="/departments/{parking.pk}/"]').click()
    expect(page.locator("#department-form")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Parkeren", exact=True).check()  # the topic
    page.locator("#id_members").get_by_label("dirk", exact=False).check()
    page.locator("#id_account_manager").select_option(str(anna.pk))
    page.locator("#department-form button[type=submit]").click()

    expect(page.locator('#departments tr[data-slug="parking"] .member-count')).to_have_text("2")
    assert set(parking.members.values_list("username", flat=True)) == {"dirk", "piet"}
    assert list(parking.topics.values_list("slug", flat=True)) == ["parking"]
