"""Browser tests: a real Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API.

Every test here uses pytest-django's `live_server`, which serves the app from another thread, so the
tests run in `transactional_db` mode (real commits, the server thread must see the data).

About the data migration (teams `webcare`/`social`, topics, routing rules, service levels): a
transactional test ends with a flush of all tables, so with plain `transactional_db` only the first
transactional test of a session sees the rows of `inbox/migrations/0002_defaults.py`; every later one
starts with empty tables (checked: `Team.objects.count()` is 2, then 0, 0, ...). Hence every browser
test module sets `pytestmark = BROWSER_TEST` below, i.e.
`django_db(transaction=True, serialized_rollback=True)`: pytest-django then serializes the database
once after migrating, and Django loads that copy back at the start of each such test.

All transactional tests of the suite must do the same (tests/inbox/test_background.py does): the
flush after a plain transactional test lets Django re-create the content types with new primary
keys, and the restore in the next serialized test then fails with "UNIQUE constraint failed:
django_content_type..." (checked). The restore also needs the connection fix in `browser` below.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

# What every browser test module sets as its `pytestmark`.
BROWSER_TEST = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's own waits: short, so that a broken page fails fast instead of hanging the suite.
expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install chromium: apt-get install chromium", pytrace=False)
    from django.db import connections

    # Playwright's sync API keeps an asyncio loop running in this thread. From then on Django's
    # `connections` (an asgiref Local) keeps its connections in context-var storage instead of the
    # thread-local one, and hands out *new* connection objects: ones without the
    # `_test_serialized_contents` that pytest-django put on the original at database setup, so
    # every later `serialized_rollback` restore is silently skipped (tables stay empty after the
    # first test; also for tests outside tests/browser that run while the browser is open, such as
    # tests/inbox/test_background.py). Hand the same connection objects to the loop's storage.
    same_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in same_connections.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page reports what the Content Security Policy blocked (an inline style or script, a foreign
# source): the policy holds only if no screen needs an exception to it.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${event.documentURI}`
    + ` (${event.sourceFile || "page"}:${event.lineNumber}) ${event.sample || ""}`
  );
});
"""


@pytest.fixture
def new_page(browser: Browser):
    """Factory for pages in fresh browser contexts (own cookies): one per person in a test.

    The test fails when any of its pages violated the Content Security Policy.
    """
    contexts = []
    violations: list[str] = []

    def make() -> Page:
        context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
        context.set_default_timeout(10_000)
        context.expose_function("reportCspViolation", lambda violation: violations.append(violation))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    if violations:
        listed = "\n".join(sorted(set(violations)))
        pytest.fail(f"Content Security Policy violations:\n{listed}", pytrace=False)


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def login(page: Page, live_server, user, *, next_path: str = "") -> None:
    """Log in through the real form at /login/ and wait until Django has redirected away from it.

    A user whose role requires two-factor (a lead, an administrator) gets an authenticator device
    first, and the second step is filled in with the code the app would show (tests/accounts/totp.py).
    """
    from tests.conftest import PASSWORD, authenticator_of

    device = authenticator_of(user)
    page.goto(f"{live_server.url}/login/{'?next=' + next_path if next_path else ''}")
    form = page.locator("main form")
    form.locator("[name=username]").fill(user.username)
    form.locator("[name=password]").fill(PASSWORD)
    # By selector, not by name: "Log in", "Inloggen" with our catalogue, "Aanmelden" from Django's own.
    form.locator("button[type=submit]").click()
    if device is not None:
        from tests.accounts.totp import app_code

        expect(page).to_have_url(re.compile(r"/login/code/"))
        page.locator("main form [name=code]").fill(app_code(device))
        page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    # The page's deferred scripts (keyboard shortcuts, the session warning) run before this event.
    page.wait_for_load_state("domcontentloaded")


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations of WCAG 2.0/2.1 A and AA on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    return results.response["violations"]


def assert_accessible(page: Page) -> None:
    """Fail, listing each one, when axe finds serious or critical WCAG A/AA violations."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    if not blocking:
        return
    lines = [f"{len(blocking)} serious/critical accessibility violation(s) on {page.url}:"]
    for violation in blocking:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    * {target}: {node.get('html', '')[:200]}")
            if node.get("failureSummary"):
                summary = node["failureSummary"].replace("\n", " ")
                lines.append(f"      {summary}")
    pytest.fail("\n".join(lines), pytrace=False)
