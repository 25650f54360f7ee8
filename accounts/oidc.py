"""Single sign-on through the city's OpenID Connect provider (mozilla-django-oidc), off until configured.

The provider says who someone is and which groups they are in; OIDC_ROLE_MAP turns a group into a
role here, and optional claims name a team or department by slug. Someone whose groups give no role,
or whose account here is deactivated, is refused with a message on the log-in page. The role, team
and department are taken from the claims at every log-in, so the provider stays the one place where
access is granted and withdrawn.

The provider is responsible for the second factor of these users; with OIDC_REQUIRED_AMR (e.g. "mfa")
we also check that the ID token says it was used.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.models import User
from accounts.services import ProvisioningError, provision_user
from accounts.two_factor import SSO_SESSION_KEY
from webcare.roles import Role


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def role_from(claims: dict) -> str | None:
    """The highest role any of the user's groups maps to (an administrator who is also an agent is
    an administrator), or None."""
    groups = claims.get(settings.OIDC_ROLE_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    roles = {settings.OIDC_ROLE_MAP[group] for group in groups if group in settings.OIDC_ROLE_MAP}
    for role in (Role.ADMIN, Role.LEAD, Role.EDITOR, Role.ACCOUNT_MANAGER, Role.DEPARTMENT, Role.AGENT):
        if role.value in roles:
            return role.value
    return None


class Refused(SuspiciousOperation):
    """The provider vouched for someone we do not let in; the message says why, to them."""


class RoleMappingBackend(OIDCAuthenticationBackend):
    """Users from the provider's claims: matched on their username, created or updated with a role."""

    def authenticate(self, request, **kwargs):
        # Only the callback passes a nonce; a password log-in must never start a token exchange.
        if not enabled() or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token, id_token, payload):
        # mozilla-django-oidc leaves the audience unchecked: a token must have been issued to us.
        audience = payload.get("aud")
        if settings.OIDC_RP_CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
            raise SuspiciousOperation("ID token for another client")
        required = settings.OIDC_REQUIRED_AMR
        if required and required not in (payload.get("amr") or []):
            return self._refuse(
                _("%(provider)s did not confirm a second factor. Log in there with two-factor and try again.")
                % {"provider": settings.OIDC_PROVIDER_NAME}
            )
        return super().get_or_create_user(access_token, id_token, payload)

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub") and claims.get("preferred_username"))

    def filter_users_by_claims(self, claims):
        return User.objects.filter(username=claims["preferred_username"])

    def create_user(self, claims) -> User:
        return self._provision(claims, existing=None)

    def update_user(self, user, claims) -> User:
        if not user.is_active:
            return self._refuse(_("Your account has been deactivated. Ask an administrator."))
        return self._provision(claims, existing=user)

    def _provision(self, claims: dict, *, existing: User | None) -> User:
        role = role_from(claims)
        if role is None:
            return self._refuse(
                _("You have no role in the webcare desk at %(provider)s. Ask an administrator for access.")
                % {"provider": settings.OIDC_PROVIDER_NAME}
            )
        team = _claim(claims, settings.OIDC_TEAM_CLAIM) or (
            existing.team.slug if existing and existing.team else None
        )
        department = _claim(claims, settings.OIDC_DEPARTMENT_CLAIM) or (
            existing.department.slug if existing and existing.department else None
        )
        try:
            return provision_user(
                username=claims["preferred_username"],
                role=role,
                team_slug=team if role in (Role.AGENT, Role.LEAD) else None,
                department_slug=department if role == Role.DEPARTMENT else None,
                first_name=claims.get("given_name", ""),
                last_name=claims.get("family_name", ""),
            )
        except ProvisioningError:
            return self._refuse(_("Your role needs a team or department, and none is known for you."))

    def _refuse(self, message: str):
        messages.error(self.request, message)
        self.request.sso_refused = True
        raise Refused(message)


def _claim(claims: dict, name: str) -> str | None:
    value = claims.get(name) if name else None
    if isinstance(value, list):
        value = value[0] if value else None
    return value or None


class AuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider; a 404 while single sign-on is off."""

    def get(self, request):
        if not enabled():
            raise Http404
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: logs in, and marks the session's second factor done."""

    @property
    def failure_url(self) -> str:
        return resolve_url(settings.LOGIN_URL)

    def get(self, request):
        if not enabled():
            raise Http404
        return super().get(request)

    def login_failure(self):
        if not getattr(self.request, "sso_refused", False):
            messages.error(
                self.request,
                _("Logging in through %(provider)s did not work. Try again, or log in with your password.")
                % {"provider": settings.OIDC_PROVIDER_NAME},
            )
        return super().login_failure()

    def login_success(self):
        response = super().login_success()
        self.request.session[SSO_SESSION_KEY] = True
        return response
