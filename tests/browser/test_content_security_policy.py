"""Pages that are not ours run under the same Content Security Policy: the Django admin and the API's
Swagger UI work without inline scripts or styles (the `new_page` fixture fails on any violation)."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import BROWSER_TEST, login

pytestmark = BROWSER_TEST


def test_an_administrator_works_in_the_admin_under_the_policy(page: Page, live_server, ada, eva):
    login(page, live_server, ada)
    for path in (
        "/admin/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{eva.pk}/change/",
        "/admin/inbox/messagetemplate/add/",
        "/admin/inbox/team/",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("#content")).to_be_visible()
    page.goto(f"{live_server.url}/admin/accounts/user/")
    page.locator("#action-toggle").check()  # the admin's own script runs: every row is selected
    expect(page.locator("input.action-select").first).to_be_checked()


def test_the_api_documentation_runs_under_the_policy(page: Page, live_server, eva):
    login(page, live_server, eva)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Webcare desk API")
    expect(page.locator(".opblock").first).to_be_visible()
