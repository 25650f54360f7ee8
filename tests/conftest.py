"""Shared fixtures: one named persona per role, and factories for the inbox."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.http import HttpRequest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.services import provision_user
from channels import standin as standin_module
from escalations.models import Department
from inbox.models import Team
from tests import signing

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL the audit log refuses TRUNCATE (audit/migrations/0003), and Django empties the
    tables after each transactional test with TRUNCATE: in the test database alone that trigger is off."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_truncate")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache(settings, request):
    """Rate-limit counters start at zero in every test, in this process's memory, never in shared Redis."""
    in_memory = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {"default": {"BACKEND": in_memory, "LOCATION": request.node.nodeid}}


PUBLIC_BASE_URL = "https://webcare.example.nl"


def authenticator_of(user) -> TOTPDevice | None:
    """The user's authenticator app, set up now when their role requires one; None if they need none."""
    if not two_factor.must_verify(user):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=two_factor.APP_DEVICE_NAME, confirmed=True)


class TwoStepClient(Client):
    """The test client, for a log-in that has two steps (accounts/two_factor.py).

    `force_login` skips the password step; for a user who must pass the second step (a lead, an
    administrator, anyone with two-factor on) it skips that one the same way: the user gets an
    authenticator device and the session is marked as verified by it, as the real code step does.
    `login` checks the password through django-axes, which needs a request. Tests of the log-in
    itself (tests/accounts/) go through the real forms and never use these.
    """

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        self._second_step(user)

    def login(self, **credentials):
        credentials.setdefault("request", HttpRequest())
        logged_in = super().login(**credentials)
        if logged_in:
            self._second_step(get_user_model().objects.get(pk=self.session[SESSION_KEY]))
        return logged_in

    def _second_step(self, user) -> None:
        device = authenticator_of(user)
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()


@pytest.fixture
def client() -> TwoStepClient:
    return TwoStepClient()


@pytest.fixture(scope="session")
def platform_server():
    """One stand-in for Twilio, Meta and X on loopback, for the whole run: the real clients call it."""
    with standin_module.running(
        twilio_auth_token=signing.TWILIO_AUTH_TOKEN,
        meta_app_secret=signing.META_APP_SECRET,
        instagram_ids=("17841400123456789",),
    ) as server:
        yield server


@pytest.fixture(autouse=True)
def platforms(settings, platform_server, tmp_path):
    """Every test talks to the stand-in with the test secrets; nothing reaches a real platform."""
    platform_server.reset()
    settings.PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.TWILIO_API_BASE_URL = settings.META_GRAPH_BASE_URL = settings.X_API_BASE_URL = (
        platform_server.base_url
    )
    settings.TWILIO_ACCOUNT_SID = "AC5e1d8c3b7a9f40e2b6d4c8a1f3e5b7d9"
    settings.TWILIO_AUTH_TOKEN = signing.TWILIO_AUTH_TOKEN
    settings.TWILIO_WHATSAPP_FROM = "whatsapp:+31850001234"
    settings.META_APP_SECRET = signing.META_APP_SECRET
    settings.META_VERIFY_TOKEN = signing.META_VERIFY_TOKEN
    settings.META_PAGE_TOKEN = "test-page-token"
    settings.META_PAGE_ID = "104857600123456"
    settings.META_INSTAGRAM_ID = "17841400123456789"
    settings.X_CONSUMER_KEY = "test-x-key"
    settings.X_CONSUMER_SECRET = signing.X_CONSUMER_SECRET
    settings.X_ACCESS_TOKEN = "test-x-access-token"
    settings.X_ACCESS_TOKEN_SECRET = "test-x-access-secret"
    settings.X_BEARER_TOKEN = "test-x-bearer"
    settings.X_USER_ID = "1600000000000000001"
    settings.MEDIA_ALLOWED_HOSTS = []  # only the stand-in: tests never reach a real CDN
    settings.MEDIA_ROOT = tmp_path / "media"
    return platform_server


@pytest.fixture
def webcare_team(db) -> Team:
    return Team.objects.get(slug="webcare")


@pytest.fixture
def social_team(db) -> Team:
    return Team.objects.get(slug="social")


@pytest.fixture
def waste_department(db) -> Department:
    return Department.objects.get_or_create(slug="waste", defaults={"name": "Afval"})[0]


def _person(username, role, **extra):
    return provision_user(username=username, role=role, password=PASSWORD, **extra)


@pytest.fixture
def eva(webcare_team):
    """Webcare agent."""
    return _person("eva", "agent", team_slug="webcare", first_name="Eva", last_name="Pieters", initials="EP")


@pytest.fixture
def bram(webcare_team):
    """A second webcare agent."""
    return _person("bram", "agent", team_slug="webcare", first_name="Bram", last_name="Kok", initials="BK")


@pytest.fixture
def sofia(social_team):
    """Agent of the social media team."""
    return _person("sofia", "agent", team_slug="social", first_name="Sofia", initials="SR")


@pytest.fixture
def lotte(webcare_team):
    """Team lead."""
    return _person("lotte", "lead", team_slug="webcare", first_name="Lotte")


@pytest.fixture
def dirk(waste_department):
    """Member of the waste department."""
    return _person("dirk", "department", department_slug="waste")


@pytest.fixture
def parking_department(db) -> Department:
    return Department.objects.get_or_create(slug="parking", defaults={"name": "Parkeren"})[0]


@pytest.fixture
def piet(parking_department):
    """Member of the parking department: must never see the waste department's work."""
    return _person("piet", "department", department_slug="parking")


@pytest.fixture
def anna(db):
    """Account manager."""
    return _person("anna", "account_manager")


@pytest.fixture
def erik(db):
    """Protocol editor."""
    return _person("erik", "editor")


@pytest.fixture
def ada(db):
    """Administrator."""
    return _person("ada", "admin")


@pytest.fixture
def persona(request):
    """The persona whose fixture name is the test's parameter (for role matrices)."""
    return request.getfixturevalue(request.param) if request.param else None


@pytest.fixture
def week(eva, bram, waste_department, parking_department):
    """The hand-made week of the dashboards' tests (tests/reports/week.py)."""
    from tests.reports.week import Week

    return Week(eva, bram, waste_department, parking_department)
