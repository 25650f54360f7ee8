"""Log-ins, log-outs and failed log-ins, from Django's own authentication signals.

The signals are the only place where every way of logging in meets (the form, the admin, single
sign-on), which is why these are receivers and not calls in a service.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Action
from audit.services import record


@receiver(user_logged_in, dispatch_uid="audit-logged-in")
def record_log_in(sender, request, user, **kwargs) -> None:
    record(Action.LOGGED_IN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit-logged-out")
def record_log_out(sender, request, user, **kwargs) -> None:
    if user is not None:  # logging out without a session
        record(Action.LOGGED_OUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def record_failed_log_in(sender, credentials, request=None, **kwargs) -> None:
    """The account tried, when it exists; never the password, nor a name that is no account (people
    type their password in the name field)."""
    record(Action.LOGIN_FAILED, actor=_existing_account(credentials), request=request)


def _existing_account(credentials: dict):
    model = get_user_model()
    username = credentials.get(model.USERNAME_FIELD) or credentials.get("username")
    if not isinstance(username, str) or not username:
        return None
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
