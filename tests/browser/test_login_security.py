"""Log-in security in the browser: a lead sets up two-factor, logs in with a code, and is warned
before an idle session ends."""

import re

from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.accounts.totp import app_code, code_for_secret
from tests.browser.conftest import BROWSER_TEST, assert_accessible
from tests.conftest import PASSWORD

pytestmark = BROWSER_TEST


def give_password(page: Page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    assert_accessible(page)
    page.get_by_label("Gebruikersnaam").fill(user.username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_a_lead_sets_up_two_factor_and_logs_in_with_a_code(page: Page, live_server, lotte):
    give_password(page, live_server, lotte)
    # The role requires two-factor: the queue is out of reach until it is set up.
    page.goto(f"{live_server.url}/inbox/")
    expect(page).to_have_url(re.compile(r"/account/security/$"))
    expect(page.get_by_role("heading", name="Inloggen in twee stappen instellen")).to_be_visible()
    expect(page.locator("#qr-code svg")).to_be_visible()
    assert_accessible(page)

    secret = page.locator("#totp-secret").inner_text()  # what someone types into the app by hand
    page.get_by_label("Vul de code van zes cijfers in die de app toont").fill(code_for_secret(secret))
    page.get_by_role("button", name="Inloggen in twee stappen aanzetten").click()
    expect(page.locator("#backup-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Ik heb ze bewaard, verder").click()
    page.goto(f"{live_server.url}/inbox/")
    expect(page).to_have_url(re.compile(r"/inbox/$"))

    page.get_by_role("button", name="Uitloggen").click()
    give_password(page, live_server, lotte)
    expect(page).to_have_url(re.compile(r"/login/code/$"))
    assert_accessible(page)
    page.get_by_label("Code", exact=True).fill(app_code(TOTPDevice.objects.get(user=lotte)))
    page.get_by_role("button", name="Inloggen").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    expect(page.locator("#account-link")).to_be_visible()


def test_an_idle_session_warns_first_and_stay_logged_in_works(page: Page, live_server, eva, settings):
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_IDLE_WARNING = 5
    give_password(page, live_server, eva)
    page.goto(f"{live_server.url}/inbox/")

    warning = page.get_by_role("alertdialog", name="Bent u er nog?")
    expect(warning).to_be_visible()
    stay = warning.get_by_role("button", name="Ingelogd blijven")
    expect(stay).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(warning).to_be_hidden()

    # Nothing else happens: the warning comes back, and at the end the page goes to the log-in.
    expect(warning).to_be_visible(timeout=8_000)
    expect(page).to_have_url(re.compile(r"/login/\?next="), timeout=10_000)
    expect(page.locator(".messages")).to_contain_text("U bent uitgelogd")
    page.goto(f"{live_server.url}/inbox/")
    expect(page).to_have_url(re.compile(r"/login/"))
