"""Shared fixtures: one named persona per role, and factories for the inbox."""

import pytest

from accounts.services import provision_user
from escalations.models import Department
from inbox.models import Team

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing costs ~0.3 s a user; tests create hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
