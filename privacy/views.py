"""A contact's privacy for leads and admins: export, erasure requests, legal holds; the retention runs.

Agents do not see these screens: an export puts everything about a resident in one file, and an
erasure cannot be undone, so both are for the people who answer for the desk (docs/privacy.md).
"""

import json

from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import Action
from audit.services import record
from inbox.access import get_contact_for_user
from privacy import services
from privacy.export import contact_export
from privacy.forms import ErasureRequestForm, LegalHoldForm
from privacy.models import ContactAnonymisation, ErasureRequest, LegalHold, RetentionRun
from webcare.roles import LEAD_ROLES, role_required

RUNS_SHOWN = 60


def _contact(request: HttpRequest, pk: int):
    contact = get_contact_for_user(request.user, pk)
    if contact.merged_into_id:
        return None, redirect("privacy:contact", pk=contact.merged_into_id)
    return contact, None


@role_required(LEAD_ROLES)
def contact_privacy(request: HttpRequest, pk: int) -> HttpResponse:
    contact, moved = _contact(request, pk)
    if moved:
        return moved
    return render(
        request,
        "privacy/contact.html",
        {
            "contact": contact,
            "anonymisation": ContactAnonymisation.objects.filter(contact=contact).first(),
            "holds": LegalHold.objects.filter(contact=contact).select_related("set_by", "lifted_by"),
            "erasures": ErasureRequest.objects.filter(contact=contact).select_related("recorded_by", "hold"),
            "erasure_form": ErasureRequestForm(),
            "hold_form": LegalHoldForm(),
        },
    )


@role_required(LEAD_ROLES)
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    contact, moved = _contact(request, pk)
    if moved:
        return moved
    data = contact_export(contact)
    record(Action.EXPORTED, request=request, target=contact, summary="contact export (JSON)")
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(LEAD_ROLES)
def export_page(request: HttpRequest, pk: int) -> HttpResponse:
    contact, moved = _contact(request, pk)
    if moved:
        return moved
    data = contact_export(contact)
    record(Action.EXPORTED, request=request, target=contact, summary="contact export (readable page)")
    response = render(request, "privacy/export.html", {"contact": contact, "export": data})
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(LEAD_ROLES)
def record_erasure(request: HttpRequest, pk: int) -> HttpResponse:
    contact, moved = _contact(request, pk)
    if moved:
        return moved
    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("The erasure request was not recorded: %(errors)s") % {"errors": _errors(form)}
        )
        return redirect("privacy:contact", pk=contact.pk)
    try:
        erasure = services.record_erasure_request(
            actor=request.user, request=request, contact_id=contact.pk, **form.cleaned_data
        )
    except services.PrivacyError as error:
        messages.error(request, str(error))
    else:
        if erasure.hold:
            messages.warning(
                request,
                _("Erasure request recorded, but not carried out: a legal hold applies (%(reason)s).")
                % {"reason": erasure.hold.reason},
            )
        else:
            messages.success(
                request, _("Erasure request recorded and carried out: the contact is anonymised.")
            )
    return redirect("privacy:contact", pk=contact.pk)


@require_POST
@role_required(LEAD_ROLES)
def set_hold(request: HttpRequest, pk: int) -> HttpResponse:
    contact, moved = _contact(request, pk)
    if moved:
        return moved
    form = LegalHoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The legal hold was not set: %(errors)s") % {"errors": _errors(form)})
        return redirect("privacy:contact", pk=contact.pk)
    try:
        services.set_legal_hold(
            actor=request.user, request=request, contact_id=contact.pk, **form.cleaned_data
        )
    except services.PrivacyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Legal hold set."))
    return redirect("privacy:contact", pk=contact.pk)


@require_POST
@role_required(LEAD_ROLES)
def lift_hold(request: HttpRequest, pk: int) -> HttpResponse:
    hold = get_object_or_404(LegalHold, pk=pk)
    contact = get_contact_for_user(request.user, hold.contact_id)
    services.lift_legal_hold(actor=request.user, request=request, hold_id=hold.pk)
    messages.success(request, _("Legal hold lifted."))
    return redirect("privacy:contact", pk=contact.pk)


@role_required(LEAD_ROLES)
def runs(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/runs.html",
        {
            "runs": RetentionRun.objects.all()[:RUNS_SHOWN],
            "settings_contact": settings.RETENTION_CONTACT_MONTHS,
            "settings_raw": settings.RETENTION_RAW_EVENT_DAYS,
            "settings_suggestion": settings.RETENTION_SUGGESTION_MONTHS,
        },
    )


def _errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
