"""The dashboards: one page with every chart the user may see, and each chart's CSV."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from reports import dashboard
from reports.forms import PeriodForm
from webcare.roles import role_required


def _form(request: HttpRequest) -> PeriodForm:
    """Always bound, so that the page shows the period it counts: the last 30 days by default."""
    return PeriodForm(
        {**PeriodForm.default_period(), **request.GET.dict()},
        departments=dashboard.visible_departments(request.user),
        desk_wide=dashboard.is_desk_wide(request.user),
    )


@role_required(dashboard.READERS)
def overview(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    board = dashboard.build(request.user, form.scope())
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "board": board,
            "period": dashboard.period_label(board.scope),
            "closed_loop_pct": dashboard.closed_loop_pct(board.scope, board.report),
            "query": request.GET.urlencode(),
        },
    )


@role_required(dashboard.READERS)
def chart_csv(request: HttpRequest, slug: str) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        problems = [problem for errors in form.errors.values() for problem in errors]
        return HttpResponse("\n".join(problems), status=400, content_type="text/plain; charset=utf-8")
    board = dashboard.build(request.user, form.scope())
    chart = board.chart(slug)
    if chart is None:
        raise Http404
    response = HttpResponse(chart.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slug}-{board.scope.start}-{board.scope.end}.csv"'
    )
    return response
