"""The feedback loop counted (feedback.metrics), on a small dataset whose answers are worked out here,
and the overview that shows them."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from feedback import metrics
from feedback.models import NoticeState, ResidentNotice, Suggestion, SuggestionReport
from feedback.workflow import Status
from tests.factories import conversation

pytestmark = pytest.mark.django_db

START = datetime(2026, 9, 1, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


def suggestion(department, status: str, *, outcome_after_days: float | None = None) -> Suggestion:
    return Suggestion.objects.create(
        summary=f"{department.slug} {status}",
        department=department,
        status=status,
        created_at=START,
        outcome_at=None if outcome_after_days is None else START + timedelta(days=outcome_after_days),
    )


def follows(suggestion: Suggestion, talk, *, notify: bool = True) -> SuggestionReport:
    return SuggestionReport.objects.create(suggestion=suggestion, conversation=talk, notify=notify)


def told(report: SuggestionReport, status: str, state: str = NoticeState.SENT) -> ResidentNotice:
    return ResidentNotice.objects.create(report=report, status=status, state=state)


@pytest.fixture
def dataset(waste_department, parking_department):
    """
    | suggestion | department | status              | days to outcome | residents who want news    | loop   |
    |------------|------------|---------------------|-----------------|----------------------------|--------|
    | implemented| waste      | implemented         | 4               | A (two conversations), told| closed |
    | rejected   | waste      | not adopted         | 10              | B told, C cannot be reached| open   |
    | considered | waste      | under consideration | —               | F (not counted: no outcome)| —      |
    | received   | waste      | received            | —               | —                          | —      |
    | planned    | parking    | planned             | 1               | none (D does not want news)| —      |
    | silent     | parking    | implemented         | 7               | E, told "received" only    | open   |

    Counts: waste 1 received, 1 under consideration, 1 implemented, 1 not adopted (4);
    parking 1 planned, 1 implemented (2).
    Median days to outcome: 1, 4, 7, 10 → (4 + 7) / 2 = 5.5; waste alone: 4, 10 → 7.
    Closed loop: eligible = implemented, rejected, silent (planned has nobody who wants news);
    closed = implemented only → 1 / 3. Waste alone: 1 / 2; parking alone: 0 / 1.
    """
    a_first = conversation("Idee over containers.", sender_id="+31600000001")
    a_second = conversation("Nog een idee.", sender_id="+31600000001", thread_key="dm-2")
    assert a_first.contact_id == a_second.contact_id and a_first.pk != a_second.pk
    b, c, d, e, f = (conversation("Een idee.", sender_id=f"+3160000001{n}") for n in range(5))

    implemented = suggestion(waste_department, Status.IMPLEMENTED, outcome_after_days=4)
    follows(implemented, a_first)  # A is told once, on the conversation they used last: the second
    report_a = follows(implemented, a_second)
    told(report_a, Status.RECEIVED)
    told(report_a, Status.IMPLEMENTED)

    rejected = suggestion(waste_department, Status.NOT_ADOPTED, outcome_after_days=10)
    told(follows(rejected, b), Status.NOT_ADOPTED)
    told(follows(rejected, c), Status.NOT_ADOPTED, NoticeState.UNREACHABLE)

    considered = suggestion(waste_department, Status.UNDER_CONSIDERATION)
    told(follows(considered, f), Status.RECEIVED)
    suggestion(waste_department, Status.RECEIVED)

    planned = suggestion(parking_department, Status.PLANNED, outcome_after_days=1)
    follows(planned, d, notify=False)

    silent = suggestion(parking_department, Status.IMPLEMENTED, outcome_after_days=7)
    told(follows(silent, e), Status.RECEIVED)
    return Suggestion.objects.all()


def test_counts_per_department_and_status(dataset):
    rows = {
        row.department.slug: (dict(row.per_status), row.total)
        for row in metrics.counts_per_department(dataset)
    }
    assert set(rows) == {"waste", "parking"}
    waste, waste_total = rows["waste"]
    assert waste_total == 4
    assert {status: n for status, n in waste.items() if n} == {
        "received": 1,
        "under_consideration": 1,
        "implemented": 1,
        "not_adopted": 1,
    }
    parking, parking_total = rows["parking"]
    assert parking_total == 2
    assert {status: n for status, n in parking.items() if n} == {"planned": 1, "implemented": 1}
    assert list(rows["parking"][0]) == Status.values  # every status, in the workflow's order


def test_median_days_to_outcome(dataset, waste_department):
    assert metrics.median_days_to_outcome(dataset) == pytest.approx(5.5)
    assert metrics.median_days_to_outcome(dataset.filter(department=waste_department)) == pytest.approx(7)
    assert metrics.median_days_to_outcome(dataset.filter(status=Status.RECEIVED)) is None


def test_closed_loop_rate_counts_each_resident_once_and_needs_everyone_told(
    dataset, waste_department, parking_department
):
    loop = metrics.closed_loop(dataset)
    assert (loop.closed, loop.eligible) == (1, 3)
    assert metrics.closed_loop_rate(dataset) == pytest.approx(1 / 3)
    assert metrics.closed_loop_rate(dataset.filter(department=waste_department)) == pytest.approx(1 / 2)
    assert metrics.closed_loop_rate(dataset.filter(department=parking_department)) == 0
    assert metrics.closed_loop_rate(dataset.filter(status=Status.RECEIVED)) is None


def test_a_resident_told_once_over_two_conversations_closes_the_loop(dataset):
    implemented = dataset.get(summary="waste implemented")
    assert implemented.reports.filter(notify=True).count() == 2  # two conversations, one resident
    assert metrics.closed_loop(dataset.filter(pk=implemented.pk)) == metrics.ClosedLoop(closed=1, eligible=1)


def test_reaching_the_unreachable_resident_closes_the_loop(dataset):
    rejected = dataset.get(summary="waste not_adopted")
    ResidentNotice.objects.filter(report__suggestion=rejected, state=NoticeState.UNREACHABLE).update(
        state=NoticeState.SENT
    )
    assert metrics.closed_loop(dataset.filter(pk=rejected.pk)) == metrics.ClosedLoop(closed=1, eligible=1)


# --- The overview ---------------------------------------------------------------------------------------


def cell(html: str, table: str, department: str, attribute: str) -> str:
    body = re.search(rf'<table [^>]*id="{table}".*?</table>', html, re.S).group(0)
    row = re.search(rf'<tr data-department="{department}">.*?</tr>', body, re.S).group(0)
    return re.search(rf'{attribute}="([^"]*)"', row).group(1)


def test_the_lead_sees_the_figures_of_every_department(client, lotte, dataset):
    client.force_login(lotte)
    response = client.get(reverse("feedback:overview"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<caption") == 2
    assert cell(page, "counts-per-department", "waste", "data-total") == "4"
    assert cell(page, "counts-per-department", "parking", "data-total") == "2"
    assert cell(page, "outcome-figures", "waste", "data-median-days") == "7.0"
    assert cell(page, "outcome-figures", "", "data-median-days") == "5.5"
    assert cell(page, "outcome-figures", "", "data-closed") == "1"
    assert cell(page, "outcome-figures", "", "data-eligible") == "3"
    assert cell(page, "outcome-figures", "parking", "data-closed") == "0"


def test_an_account_manager_sees_the_figures_of_her_departments_only(client, anna, dataset, waste_department):
    waste_department.account_manager = anna
    waste_department.save()
    client.force_login(anna)
    page = client.get(reverse("feedback:overview")).content.decode()
    assert 'data-department="waste"' in page
    assert 'data-department="parking"' not in page
    assert cell(page, "outcome-figures", "waste", "data-eligible") == "2"


def test_agents_do_not_see_the_overview(client, eva):
    client.force_login(eva)
    assert client.get(reverse("feedback:overview")).status_code == 403
