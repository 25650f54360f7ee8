"""The channels page for leads: is every platform connected, are deliveries coming in, do replies go out?"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from channels import services
from webcare.roles import LEAD_ROLES, role_required


@role_required(LEAD_ROLES)
def channel_health(request: HttpRequest) -> HttpResponse:
    channels, platforms, cursors = services.health()
    return render(
        request, "channels/health.html", {"channels": channels, "platforms": platforms, "cursors": cursors}
    )
