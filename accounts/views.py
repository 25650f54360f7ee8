"""Logging in (password, then a code), the signed-in member of staff's own settings, the session clock."""

import time

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from accounts import lockout, oidc, services, two_factor
from accounts.forms import CodeForm
from accounts.middleware import idle_seconds_left
from webcare.roles import INBOX_ROLES, role_required

# The session of someone who gave the right password and still owes the code: not logged in yet.
PENDING_KEY = "two_factor_pending"
PENDING_SECONDS = 5 * 60
BACKUP_CODES_KEY = "backup_codes_to_show"


class LoginView(auth_views.LoginView):
    """Step one: the password. A user with two-factor goes on to the code; others are logged in."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = lockout.failures_wait(request, username=request.POST.get("username", ""))
        if wait is not None:
            return lockout.locked_out(request, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_two_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "username": user.get_username(),
            "backend": user.backend,
            "next": self.get_redirect_url(),
            "since": time.time(),
        }
        return redirect("login-code")

    def form_invalid(self, form):
        lockout.count_failure(self.request, username=self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(single_sign_on=oidc.enabled(), provider=settings.OIDC_PROVIDER_NAME)
        return context


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """Step two: the code from the app or a backup code. Wrong codes count as failed log-ins."""
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Log in again: the time for the code ran out."))
        return redirect("login")
    credentials = {"username": pending["username"]}
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        wait = lockout.failures_wait(request, username=pending["username"])
        if wait is not None:
            return lockout.locked_out(request, wait)
        if not AxesProxyHandler.is_allowed(request, credentials):
            return lockout.lockout_response(request)
        if form.is_valid():
            device = two_factor.verify(user, form.cleaned_data["code"])
            if device is not None:
                del request.session[PENDING_KEY]
                user.otp_device = device  # django-otp records it in the session at log-in
                auth_login(request, user, backend=pending["backend"])
                return redirect(pending["next"] or resolve_url(settings.LOGIN_REDIRECT_URL))
            form.add_error("code", _("That code is not right. Try the current code from your app."))
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            lockout.count_failure(request, username=pending["username"])
    return render(request, "registration/login_code.html", {"form": form})


def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin site logs in through our two steps, not through its own form."""
    return redirect_to_login(request.GET.get("next", resolve_url("admin:index")))


@require_POST
@role_required(INBOX_ROLES)
def away(request: HttpRequest) -> HttpResponse:
    """Say whether you are away (`away=1`) or back (`away=0`); without a value, switch."""
    wanted = request.POST.get("away")
    is_away = not request.user.is_away if wanted not in ("0", "1") else wanted == "1"
    services.set_away(user=request.user, away=is_away)
    if is_away:
        messages.success(request, _("You are away: answers from departments go to the team queue."))
    else:
        messages.success(request, _("Welcome back: answers from departments come to you again."))
    return redirect(_safe_next(request, request.POST.get("next", "")))


def _safe_next(request: HttpRequest, url: str, default: str = "home") -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return resolve_url(default)


@never_cache
@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Two-factor: set it up (QR code, secret, a code to confirm), or see it is on and manage it."""
    user = request.user
    form = CodeForm(request.POST or None)
    if two_factor.has_two_factor(user):
        if request.method == "POST" and form.is_valid():
            if two_factor.verify(user, form.cleaned_data["code"]) is None:
                form.add_error("code", _("That code is not right. Try the current code from your app."))
            elif request.POST.get("action") == "remove":
                two_factor.remove_two_factor(user=user, by=user, request=request)
                messages.success(request, _("Two-factor log-in is off."))
                return redirect("accounts:two-factor")
            else:
                request.session[BACKUP_CODES_KEY] = two_factor.new_backup_codes(user=user, request=request)
                return redirect("accounts:backup-codes")
        return render(
            request,
            "accounts/two_factor_on.html",
            {
                "form": form,
                "backup_codes_left": two_factor.backup_codes_left(user),
                "required": two_factor.is_required_for(user),
            },
        )
    device = two_factor.pending_device(user)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_device(
            user=user, device_id=device.pk, code=form.cleaned_data["code"], request=request
        )
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[BACKUP_CODES_KEY] = codes
            messages.success(request, _("Two-factor log-in is on."))
            return redirect("accounts:backup-codes")
        form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(device, title=_("QR code to scan with your authenticator app")),
            "secret": two_factor.secret_text(device),
            "required": two_factor.is_required_for(user),
        },
    )


@never_cache
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """The new backup codes, shown this once."""
    codes = request.session.pop(BACKUP_CODES_KEY, None)
    if not codes:
        return redirect("accounts:two-factor")
    return render(request, "accounts/backup_codes.html", {"codes": codes})


@require_GET
def session_status(request: HttpRequest) -> JsonResponse:
    """Seconds until the session ends for lack of activity (0 when logged out); asking does not count."""
    remaining = idle_seconds_left(request) if request.user.is_authenticated else 0
    return JsonResponse({"remaining": remaining})


@require_POST
def session_keep_alive(request: HttpRequest) -> JsonResponse:
    """The "Stay logged in" button: a request like any other, so the middleware reset the clock."""
    if not request.user.is_authenticated:
        return JsonResponse({"remaining": 0}, status=401)
    return JsonResponse({"remaining": idle_seconds_left(request)})


@require_GET
def session_ended(request: HttpRequest) -> HttpResponse:
    """Where a page goes when its clock ran out: back to the log-in, or back to work if another tab
    kept the session alive."""
    back = _safe_next(request, request.GET.get("next", ""))
    if request.user.is_authenticated:
        return redirect(back)
    if not getattr(request, "idle_logged_out", False):
        messages.info(request, _("Your session has ended. Log in again to go on."))
    return redirect_to_login(back)
