from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import User
from escalations.models import Department
from inbox.models import Team
from webcare.roles import Role


class ProvisioningError(ValueError):
    pass


@transaction.atomic
def provision_user(
    *,
    username: str,
    role: str,
    team_slug: str | None = None,
    department_slug: str | None = None,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    initials: str = "",
) -> User:
    """Create or update a member of staff. Desk roles need a team; department members a department."""
    if role not in Role.values:
        raise ProvisioningError(f"Unknown role {role!r}; choose from {', '.join(Role.values)}.")
    team = _by_slug(Team, team_slug)
    department = _by_slug(Department, department_slug)
    if role in (Role.AGENT, Role.LEAD) and team is None:
        raise ProvisioningError(f"A {role} needs --team.")
    if role == Role.DEPARTMENT and department is None:
        raise ProvisioningError("A department member needs --department.")
    user, _ = User.objects.get_or_create(username=username)
    user.role = role
    user.team = team
    user.department = department
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.first_name = first_name or user.first_name
    user.last_name = last_name or user.last_name
    user.initials = initials or user.initials
    if password:
        user.set_password(password)
    elif not user.password:
        user.set_unusable_password()
    user.save()
    return user


def _by_slug(model, slug: str | None):
    if not slug:
        return None
    try:
        return model.objects.get(slug=slug)
    except model.DoesNotExist:
        raise ProvisioningError(f"No {model._meta.verbose_name} with slug {slug!r}.") from None


def api_token_for(user: User) -> str:
    return Token.objects.get_or_create(user=user)[0].key


@transaction.atomic
def set_away(*, user: User, away: bool) -> User:
    """Away: a department's answer goes to the team queue instead of waiting for this agent."""
    user.is_away = away
    user.save(update_fields=["is_away"])
    return user
