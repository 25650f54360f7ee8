"""Two-factor log-in: the code step, setting it up, backup codes, and leads and admins who must."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from tests.accounts.totp import app_code, code_for_secret
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def log_in(client, user, next_path=""):
    data = {"username": user.username, "password": PASSWORD, "next": next_path}
    return client.post(reverse("login"), data)


def logged_in_as(client):
    return client.get(reverse("home")).wsgi_request.user.get_username() or None


def enter_code(client, code):
    return client.post(reverse("login-code"), {"code": code})


def test_a_user_with_two_factor_gives_the_code_after_the_password(client, eva):
    device = with_app(eva)
    response = log_in(client, eva, next_path=reverse("inbox:queue"))
    assert response["Location"] == reverse("login-code")
    assert logged_in_as(client) is None  # the password alone logs in no one
    page = client.get(reverse("login-code")).content.decode()
    assert "Vul de code van zes cijfers uit uw authenticator-app in" in page

    response = enter_code(client, app_code(device))
    assert response["Location"] == reverse("inbox:queue")
    assert logged_in_as(client) == "eva"
    assert client.get(reverse("inbox:queue")).status_code == 200


def test_a_wrong_code_logs_in_no_one(client, eva):
    with_app(eva)
    log_in(client, eva)
    response = enter_code(client, "000000")
    assert response.status_code == 200
    assert "Die code klopt niet" in response.content.decode()
    assert logged_in_as(client) is None


def test_a_code_is_accepted_once(client, eva):
    device = with_app(eva)
    code = app_code(device)
    log_in(client, eva)
    enter_code(client, code)
    client.post(reverse("logout"))
    log_in(client, eva)
    assert enter_code(client, code).status_code == 200
    assert logged_in_as(client) is None


def test_five_wrong_codes_lock_the_user_out(client, eva):
    device = with_app(eva)
    log_in(client, eva)
    statuses = [enter_code(client, "12345" + str(n)).status_code for n in range(5)]
    assert statuses[-1] == 429
    assert enter_code(client, app_code(device)).status_code == 429


def test_the_code_step_runs_out(client, eva):
    device = with_app(eva)
    with time_machine.travel("2026-03-02 09:00 +01:00", tick=False) as clock:
        log_in(client, eva)
        clock.shift(timedelta(minutes=6))
        response = enter_code(client, app_code(device))
    assert response["Location"] == reverse("login")
    assert logged_in_as(client) is None


def test_the_code_step_without_a_password_sends_back_to_log_in(client):
    assert client.get(reverse("login-code"))["Location"] == reverse("login")


def test_a_backup_code_works_once(client, eva):
    with_app(eva)
    codes = two_factor.new_backup_codes(user=eva)
    log_in(client, eva)
    enter_code(client, codes[0].upper())
    assert logged_in_as(client) == "eva"
    assert two_factor.backup_codes_left(eva) == 9

    client.post(reverse("logout"))
    log_in(client, eva)
    assert enter_code(client, codes[0]).status_code == 200
    assert logged_in_as(client) is None


def set_up_from_the_page(client) -> list[str]:
    """What a user does: read the key off the page, let the app compute a code, confirm it."""
    page = client.get(reverse("accounts:two-factor")).content.decode()
    assert "<svg" in page  # the QR code, inline
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    response = client.post(reverse("accounts:two-factor"), {"code": code_for_secret(secret)})
    assert response["Location"] == reverse("accounts:backup-codes")
    shown = client.get(reverse("accounts:backup-codes")).content.decode()
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown)


@pytest.mark.parametrize("persona", ["lotte", "ada"], indirect=True)
def test_a_lead_or_admin_must_set_up_two_factor_before_anything_else(client, persona):
    log_in(client, persona)
    assert logged_in_as(client) == persona.username
    for name in ("inbox:queue", "reports:overview", "home"):
        response = client.get(reverse(name))
        assert response["Location"] == reverse("accounts:two-factor"), name
    assert client.get(reverse("api-conversations")).status_code == 403
    page = client.get(reverse("accounts:two-factor"), follow=True).content.decode()
    assert "Uw rol vereist inloggen in twee stappen" in page

    codes = set_up_from_the_page(client)
    assert len(codes) == 10
    assert client.get(reverse("inbox:queue")).status_code == 200


def test_an_agent_may_work_without_two_factor(client, eva):
    log_in(client, eva)
    assert client.get(reverse("inbox:queue")).status_code == 200
    assert "Inloggen in twee stappen instellen" in client.get(reverse("accounts:two-factor")).content.decode()


def test_an_agent_may_set_up_two_factor_and_then_needs_the_code(client, eva):
    log_in(client, eva)
    set_up_from_the_page(client)
    client.post(reverse("logout"))
    assert log_in(client, eva)["Location"] == reverse("login-code")


def test_backup_codes_are_shown_once(client, eva):
    log_in(client, eva)
    set_up_from_the_page(client)
    assert client.get(reverse("accounts:backup-codes"))["Location"] == reverse("accounts:two-factor")


def test_a_wrong_code_does_not_turn_two_factor_on(client, eva):
    log_in(client, eva)
    response = client.post(reverse("accounts:two-factor"), {"code": "123456"})
    assert "Die code klopt niet" in response.content.decode()
    assert not two_factor.has_two_factor(eva)


def test_new_backup_codes_replace_the_old_ones(client, eva):
    log_in(client, eva)
    old = set_up_from_the_page(client)
    device = TOTPDevice.objects.get(user=eva)
    client.post(reverse("accounts:two-factor"), {"code": app_code(device), "action": "backup-codes"})
    new = re.findall(
        r"<code>([a-z2-7]{8})</code>", client.get(reverse("accounts:backup-codes")).content.decode()
    )
    assert len(new) == 10
    assert not set(old) & set(new)
    assert StaticDevice.objects.get(user=eva).token_set.count() == 10


def test_turning_two_factor_off_needs_a_current_code(client, lotte):
    log_in(client, lotte)
    set_up_from_the_page(client)
    device = TOTPDevice.objects.get(user=lotte)
    refused = client.post(reverse("accounts:two-factor"), {"code": "000000", "action": "remove"})
    assert "Die code klopt niet" in refused.content.decode()
    assert two_factor.has_two_factor(lotte)

    with time_machine.travel(timedelta(seconds=2)):  # after a wrong code, the device waits a second
        client.post(reverse("accounts:two-factor"), {"code": app_code(device), "action": "remove"})
    assert not two_factor.has_two_factor(lotte)
    assert client.get(reverse("inbox:queue"))["Location"] == reverse("accounts:two-factor")


def test_an_administrator_resets_a_lost_phone(client, lotte, ada):
    lead = Client()
    log_in(lead, lotte)
    set_up_from_the_page(lead)
    assert lead.get(reverse("inbox:queue")).status_code == 200

    client.force_login(ada)
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [lotte.pk]},
    )
    assert not TOTPDevice.objects.filter(user=lotte).exists()
    assert lead.get(reverse("inbox:queue"))["Location"] == reverse("accounts:two-factor")


def test_a_session_that_skipped_the_code_is_logged_out(eva):
    """Not through our log-in (here Django's own force_login, without the second step): not in."""
    with_app(eva)
    skipped = Client()
    skipped.force_login(eva)
    assert skipped.get(reverse("inbox:queue"))["Location"] == reverse("login")
    assert logged_in_as(skipped) is None


def test_the_admin_site_logs_in_through_the_two_steps(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == f"{reverse('login')}?next=/admin/"


def test_no_api_token_for_a_lead_without_two_factor(lotte):
    with pytest.raises(CommandError, match="two-factor"):
        call_command("add_user", "lotte", "--role", "lead", "--team", "webcare", "--token")
    with_app(lotte)
    call_command("add_user", "lotte", "--role", "lead", "--team", "webcare", "--token")


@pytest.mark.parametrize("persona", ["eva", "lotte", "ada", "dirk", "anna", "erik", None], indirect=True)
def test_everyone_logged_in_may_open_their_log_in_security(client, persona):
    if persona:
        client.force_login(persona)
    response = client.get(reverse("accounts:two-factor"))
    if persona is None:
        assert reverse("login") in response["Location"]
    else:
        assert response.status_code == 200
