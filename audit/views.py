"""The audit log for leads and admins: search it on screen, download what was found as CSV."""

import csv
from collections.abc import Iterator

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst

from audit.forms import RECORD_TYPES, SearchForm
from audit.models import Action, AuditEntry
from audit.services import record
from webcare.roles import LEAD_ROLES, role_required

PAGE_SIZE = 50
# A cell that starts like a formula is run by spreadsheets; a leading quote makes it text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _search(request: HttpRequest) -> tuple[SearchForm, object]:
    form = SearchForm(request.GET)
    entries = AuditEntry.objects.order_by("-at", "-id")
    return form, form.apply(entries) if form.is_valid() else entries.none()


@role_required(LEAD_ROLES)
def log(request: HttpRequest) -> HttpResponse:
    form, entries = _search(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.record_type = RECORD_TYPES.get(entry.object_type, entry.object_type)
    return render(request, "audit/log.html", {"form": form, "page": page})


@role_required(LEAD_ROLES)
def export(request: HttpRequest) -> HttpResponse:
    """The entries the filters find, all of them, as CSV; the download is itself an entry."""
    form, entries = _search(request)
    if not form.is_valid():
        problems = [problem for errors in form.errors.values() for problem in errors]
        return HttpResponse("\n".join(problems), status=400, content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    about = (data["object_type"], data["object_id"]) if data["object_type"] and data["object_id"] else None
    exported = record(
        Action.EXPORTED,
        request=request,
        target=about,
        summary=f"{request.resolver_match.view_name} {form.described()}".strip(),
    )
    # The log as it was when the download was asked for, without the entry that records it.
    entries = entries.filter(pk__lt=exported.pk)
    response = StreamingHttpResponse(_rows(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{timezone.localdate()}.csv"'
    return response


class _Line:
    """csv.writer writes into this and hands the line straight back, for streaming."""

    def write(self, line: str) -> str:
        return line


def _rows(entries) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow([capfirst(str(field.verbose_name)) for field in _fields()])
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                timezone.localtime(entry.at).isoformat(timespec="seconds"),
                _cell(entry.actor_name),
                entry.action,
                entry.object_type,
                _cell(entry.object_id),
                _cell(entry.summary),
                entry.ip_address or "",
            ]
        )


def _fields():
    names = ("at", "actor_name", "action", "object_type", "object_id", "summary", "ip_address")
    return [AuditEntry._meta.get_field(name) for name in names]


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_START) else value
