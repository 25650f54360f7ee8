import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from accounts.models import User

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    import io

    out = io.StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_provisions_an_agent_with_a_token(webcare_team):
    output = run("jan", "--role", "agent", "--team", "webcare", "--password", "s3cret-pass", "--token")
    jan = User.objects.get(username="jan")
    assert jan.role == "agent"
    assert jan.team == webcare_team
    assert jan.check_password("s3cret-pass")
    assert Token.objects.get(user=jan).key in output


def test_provisions_a_department_member(waste_department):
    run("piet", "--role", "department", "--department", "waste")
    assert User.objects.get(username="piet").department == waste_department


def test_running_twice_updates_instead_of_failing(webcare_team):
    run("jan", "--role", "agent", "--team", "webcare")
    run("jan", "--role", "lead", "--team", "webcare")
    assert User.objects.get(username="jan").role == "lead"


def test_admin_gets_the_admin_site():
    run("root", "--role", "admin")
    assert User.objects.get(username="root").is_superuser


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "agent"], "needs --team"),
        (["--role", "department"], "needs --department"),
        (["--role", "agent", "--team", "nope"], "No team with slug 'nope'"),
    ],
)
def test_refuses_incomplete_provisioning_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        run("jan", *args)
    assert not User.objects.filter(username="jan").exists()
