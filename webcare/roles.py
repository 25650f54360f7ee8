"""Who may do what. Every view and API endpoint names the roles it admits, through these helpers."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    LEAD = "lead", _("Team lead")
    DEPARTMENT = "department", _("Department member")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    EDITOR = "editor", _("Protocol editor")
    ADMIN = "admin", _("Administrator")


# The inbox holds residents' personal data: only the desk itself works in it.
INBOX_ROLES = frozenset({Role.AGENT, Role.LEAD, Role.ADMIN})
LEAD_ROLES = frozenset({Role.LEAD, Role.ADMIN})
# Protocols: editors change them, a department proposes changes to its own, the desk reads the published.
EDITOR_ROLES = frozenset({Role.EDITOR, Role.ADMIN})
PROPOSER_ROLES = frozenset({Role.DEPARTMENT})
PROTOCOL_READERS = INBOX_ROLES | EDITOR_ROLES | PROPOSER_ROLES
# Dashboards: leads see the desk; departments and account managers their own escalations and suggestions.
REPORT_READERS = LEAD_ROLES | frozenset({Role.DEPARTMENT, Role.ACCOUNT_MANAGER})


def has_role(user, roles: frozenset[str]) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in roles)


def role_required(roles: frozenset[str]) -> Callable:
    """View decorator: log-in first, then 403 for a role outside `roles`."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class HasRole(BasePermission):
    """DRF permission: `permission_classes = [HasRole.of(INBOX_ROLES)]`."""

    roles: frozenset[str] = frozenset()

    @classmethod
    def of(cls, roles: frozenset[str]) -> type["HasRole"]:
        return type(f"HasRole_{'_'.join(sorted(roles))}", (cls,), {"roles": roles})

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, self.roles)
