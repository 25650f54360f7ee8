"""Single sign-on end to end: the real mozilla-django-oidc against a fake provider on loopback."""

from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse

from accounts.models import User
from tests.accounts import fake_oidc

pytestmark = pytest.mark.django_db

ROLE_MAP = {
    "webcare-agents": "agent",
    "webcare-leads": "lead",
    "webcare-admins": "admin",
    "afdelingen": "department",
}


@pytest.fixture(scope="module")
def running_provider():
    with fake_oidc.running() as provider:
        yield provider


@pytest.fixture
def provider(running_provider, settings):
    for name, value in running_provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_ROLE_MAP = ROLE_MAP
    settings.OIDC_TEAM_CLAIM = "team"
    settings.OIDC_DEPARTMENT_CLAIM = "department"
    running_provider.id_token_extra = {}
    return running_provider


def sign_in(client, next_path="/inbox/"):
    """The browser's round trip: to the provider, where the person is logged in, and back."""
    to_provider = client.get(reverse("oidc_authentication_init"), {"next": next_path})
    assert to_provider.status_code == 302
    back = requests.get(to_provider["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}", follow=True)


def logged_in_as(response):
    return response.wsgi_request.user.get_username() or None


def test_single_sign_on_is_off_until_configured(client):
    assert "single-sign-on" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("oidc_authentication_init")).status_code == 404


def test_the_log_in_page_offers_the_provider(client, provider):
    assert "Inloggen met Stadspas-ID" in client.get(reverse("login")).content.decode()


def test_a_new_agent_gets_their_role_and_team_from_the_claims(client, provider, webcare_team):
    provider.log_in_as("noor", groups=["iedereen", "webcare-agents"], team="webcare", given_name="Noor")
    response = sign_in(client)
    assert logged_in_as(response) == "noor"
    assert response.redirect_chain[-1][0] == "/inbox/"
    noor = User.objects.get(username="noor")
    assert (noor.role, noor.team, noor.first_name) == ("agent", webcare_team, "Noor")
    assert not noor.has_usable_password()


def test_a_lead_from_the_provider_needs_no_second_factor_here(client, provider, webcare_team):
    provider.log_in_as("lotte", groups=["webcare-leads"], team="webcare")
    response = sign_in(client, next_path=reverse("reports:overview"))
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("reports:overview")


def test_the_role_follows_the_provider_at_every_log_in(client, provider, eva):
    provider.log_in_as("eva", groups=["webcare-agents", "webcare-admins"])
    sign_in(client)
    eva.refresh_from_db()
    assert (eva.role, eva.team, eva.is_superuser) == ("admin", None, True)


def test_a_department_member_gets_their_department(client, provider, waste_department):
    provider.log_in_as("wim", groups=["afdelingen"], department="waste")
    response = sign_in(client, next_path=reverse("department:queue"))
    assert response.status_code == 200
    assert User.objects.get(username="wim").department == waste_department


def test_someone_without_a_role_is_refused(client, provider):
    provider.log_in_as("bezoeker", groups=["iedereen"])
    response = sign_in(client)
    assert logged_in_as(response) is None
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "U heeft bij Stadspas-ID geen rol in de webcaredesk" in response.content.decode()
    assert not User.objects.filter(username="bezoeker").exists()


def test_a_deactivated_user_is_refused(client, provider, eva):
    eva.is_active = False
    eva.save()
    provider.log_in_as("eva", groups=["webcare-agents"])
    response = sign_in(client)
    assert logged_in_as(response) is None
    assert "Uw account is uitgeschakeld" in response.content.decode()


def test_an_agent_without_a_team_is_refused(client, provider):
    provider.log_in_as("noor", groups=["webcare-agents"])
    response = sign_in(client)
    assert logged_in_as(response) is None
    assert "Uw rol heeft een team of afdeling nodig" in response.content.decode()


def test_a_second_factor_at_the_provider_can_be_required(client, provider, settings, webcare_team):
    settings.OIDC_REQUIRED_AMR = "mfa"
    provider.log_in_as("noor", groups=["webcare-agents"], team="webcare")
    provider.id_token_extra = {"amr": ["pwd"]}
    refused = sign_in(client)
    assert logged_in_as(refused) is None
    assert "Stadspas-ID heeft geen tweede stap bevestigd" in refused.content.decode()

    provider.id_token_extra = {"amr": ["pwd", "mfa"]}
    assert logged_in_as(sign_in(client)) == "noor"


def test_a_token_issued_to_another_client_is_refused(client, provider, webcare_team):
    provider.log_in_as("noor", groups=["webcare-agents"], team="webcare")
    provider.id_token_extra = {"aud": "some-other-app"}
    response = sign_in(client)
    assert logged_in_as(response) is None
    assert "Inloggen via Stadspas-ID is niet gelukt" in response.content.decode()


def test_refusals_do_not_lock_the_office_out_of_single_sign_on(client, provider, webcare_team):
    provider.log_in_as("bezoeker", groups=["iedereen"])
    for _ in range(6):
        sign_in(client)
    provider.log_in_as("noor", groups=["webcare-agents"], team="webcare")
    assert logged_in_as(sign_in(client)) == "noor"
