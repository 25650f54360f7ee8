"""Codes as the user's authenticator app computes them (RFC 6238), from the device's secret."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def app_code(device: TOTPDevice) -> str:
    """The code the app shows now, or the next one when this one was used already.

    A code is accepted once (django-otp remembers the last time step it accepted), and the device
    accepts the neighbouring step too, so a test that logs in twice within 30 seconds still can.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def code_for_secret(secret_text: str) -> str:
    """The code an app computes from the secret typed in by hand (base32, spaces allowed)."""
    from base64 import b32decode

    key = b32decode(secret_text.replace(" ", ""))
    totp = TOTP(key)
    totp.time = time.time()
    return f"{totp.token():06d}"
