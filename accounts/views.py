"""The signed-in member of staff's own settings."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from webcare.roles import INBOX_ROLES, role_required


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
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "home"
    return redirect(back)
