"""A session's clocks start at log-in, so that the first request after it need not write the session."""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from accounts.middleware import LAST_ACTIVITY_KEY


@receiver(user_logged_in, dispatch_uid="accounts-session-clocks")
def start_the_session_clocks(sender, request, user, **kwargs) -> None:
    """The idle clock, and the absolute end (IdleTimeoutMiddleware keeps both from then on)."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[LAST_ACTIVITY_KEY] = time.time()
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
