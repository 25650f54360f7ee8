"""Two-factor log-in with an authenticator app (TOTP, django-otp) and one-time backup codes.

A user with a confirmed device logs in in two steps: the password, then a code. Until the code is
right the user is not logged in at all (`views.LoginView` keeps only a pending user id in the session).
Roles in TWO_FACTOR_REQUIRED_ROLES must set up a device before they can use anything
(`middleware.TwoFactorRequiredMiddleware`); everyone else may. Users who log in through single
sign-on have done their second factor at the identity provider (`oidc.py`).

API tokens are machine credentials outside this: the web never hands one out, and `add_user --token`
refuses one to a role that must use two-factor until that user has set it up.
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import Action
from audit.services import record

BACKUP_CODES = 10
APP_DEVICE_NAME = "app"
BACKUP_DEVICE_NAME = "backup"
# Where a session that logged in through the identity provider says so (its second factor is there).
SSO_SESSION_KEY = "signed_in_with_sso"


def is_required_for(user: User) -> bool:
    return user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def must_verify(user: User) -> bool:
    """Whether a session of this user counts only after the second step."""
    return is_required_for(user) or has_two_factor(user)


def is_verified(request: HttpRequest) -> bool:
    """This session passed a second factor: a code here (django-otp), or at the identity provider."""
    return request.user.is_verified() or bool(request.session.get(SSO_SESSION_KEY))


def pending_device(user: User) -> TOTPDevice:
    """The device being set up: a fresh secret until the user confirms it with a code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_text(device: TOTPDevice) -> str:
    """The secret as an app asks for it when typed in: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice, *, title: str) -> str:
    """The otpauth:// link as an inline SVG QR code (no style attribute: the CSP forbids them)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=4, title=title)


@transaction.atomic
def confirm_device(*, user: User, device_id: int, code: str, request=None) -> list[str] | None:
    """Turn on two-factor with the pending device when `code` is right; return the new backup codes.

    The user's other devices go: one app and one set of backup codes at a time.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, pk=device_id, confirmed=False).first()
    if device is None or not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record(Action.CHANGED, actor=user, request=request, target=user, summary="two-factor set up")
    return _new_backup_codes(user)


@transaction.atomic
def new_backup_codes(*, user: User, request=None) -> list[str]:
    """Replace the user's backup codes; the old ones stop working."""
    record(Action.CHANGED, actor=user, request=request, target=user, summary="new two-factor backup codes")
    return _new_backup_codes(user)


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(user: User, code: str):
    """The device that accepts `code` (an app's six digits or a backup code), or None.

    Each device throttles its own failures (django-otp), and a TOTP code is accepted only once.
    """
    code = code.strip().replace(" ", "").lower()
    if not code:
        return None
    return match_token(user, code)


@transaction.atomic
def remove_two_factor(*, user: User, by: User, request=None) -> None:
    """Delete every device of `user`: by themselves, or by an administrator who resets it for them.

    A session verified by one of the devices is no longer verified; a role that must use two-factor
    is sent to set it up again on its next request.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    summary = "two-factor removed" if by == user else "two-factor reset by an administrator"
    record(Action.CHANGED, actor=by, request=request, target=user, summary=summary)


def _digits(code: str) -> str:
    return code.strip().replace(" ", "")
