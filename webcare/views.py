from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from webcare.roles import INBOX_ROLES, Role, has_role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts where its work is."""
    if has_role(request.user, INBOX_ROLES):
        return redirect("inbox:queue")
    if has_role(request.user, frozenset({Role.DEPARTMENT})):
        return redirect("department:queue")
    if has_role(request.user, frozenset({Role.ACCOUNT_MANAGER})):
        return redirect("feedback:list")
    return render(request, "home.html")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
