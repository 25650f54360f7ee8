"""The feedback loop counted: what managers and account managers see on the overview.

Every function takes a queryset of suggestions (already scoped to what the user may see) and counts
only those. The definitions:

- **Counts per department and status**: the number of suggestions (complaints included) per
  department, split by their current status, with a total per department.
- **Median time to outcome**: over the suggestions that have reached an outcome (planned,
  implemented or not adopted), the median of `outcome_at - created_at` in calendar days. The first
  outcome counts: a suggestion that was planned and later implemented is counted at "planned".
  `None` when no suggestion has an outcome yet.
- **Closed-loop rate**: among the suggestions whose status is an outcome and that have at least one
  resident who wants to hear back (a `SuggestionReport` with `notify`), the share for which *every*
  such resident was told an outcome: they have a `ResidentNotice` in state "sent" for an outcome
  status, on any of their reports of that suggestion. A resident is a contact
  (`conversation.contact`), so one resident who made the suggestion in two conversations counts once
  and is told once. A resident who "cannot be reached" leaves the loop open. `None` when no
  suggestion qualifies.
"""

from collections import defaultdict
from dataclasses import dataclass
from statistics import median

from django.db.models import Count

from escalations.models import Department
from feedback.models import NoticeState, ResidentNotice, SuggestionQuerySet, SuggestionReport
from feedback.workflow import OUTCOMES, Status

SECONDS_A_DAY = 24 * 60 * 60


@dataclass(frozen=True)
class DepartmentCounts:
    department: Department
    # One count per status, in the order of Status.values.
    per_status: tuple[tuple[str, int], ...]

    @property
    def total(self) -> int:
        return sum(count for _status, count in self.per_status)


def counts_per_department(suggestions: SuggestionQuerySet) -> list[DepartmentCounts]:
    """One row per department that has suggestions among `suggestions`, by department name."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = suggestions.order_by().values("department_id", "status").annotate(number=Count("id"))
    for row in rows:
        counts[row["department_id"]][row["status"]] = row["number"]
    departments = Department.objects.filter(pk__in=counts).order_by("name")
    return [
        DepartmentCounts(
            department=department,
            per_status=tuple((status, counts[department.pk].get(status, 0)) for status in Status.values),
        )
        for department in departments
    ]


def median_days_to_outcome(suggestions: SuggestionQuerySet) -> float | None:
    """The median number of days from recording to the first outcome; None without outcomes."""
    moments = suggestions.filter(outcome_at__isnull=False).values_list("created_at", "outcome_at")
    days = [(outcome - created).total_seconds() / SECONDS_A_DAY for created, outcome in moments]
    return median(days) if days else None


@dataclass(frozen=True)
class ClosedLoop:
    closed: int  # suggestions whose every resident who wanted to hear back was told an outcome
    eligible: int  # suggestions with an outcome and at least one resident who wants to hear back

    @property
    def rate(self) -> float | None:
        """The share as a fraction between 0 and 1; None when nothing qualifies."""
        return self.closed / self.eligible if self.eligible else None

    @property
    def percentage(self) -> float | None:
        return None if self.rate is None else 100 * self.rate


def closed_loop(suggestions: SuggestionQuerySet) -> ClosedLoop:
    """The closed-loop figures for `suggestions` (three queries, however many suggestions)."""
    with_outcome = suggestions.filter(status__in=OUTCOMES).order_by().values("pk")
    waiting: dict[int, set[int]] = defaultdict(set)  # suggestion -> residents who want to hear back
    wanting = SuggestionReport.objects.filter(suggestion__in=with_outcome, notify=True).values_list(
        "suggestion_id", "conversation__contact_id"
    )
    for suggestion_id, contact_id in wanting:
        waiting[suggestion_id].add(contact_id)
    told: dict[int, set[int]] = defaultdict(set)  # suggestion -> residents told an outcome
    sent = ResidentNotice.objects.filter(
        report__suggestion__in=with_outcome, state=NoticeState.SENT, status__in=OUTCOMES
    ).values_list("report__suggestion_id", "report__conversation__contact_id")
    for suggestion_id, contact_id in sent:
        told[suggestion_id].add(contact_id)
    closed = sum(1 for suggestion_id, residents in waiting.items() if residents <= told[suggestion_id])
    return ClosedLoop(closed=closed, eligible=len(waiting))


def closed_loop_rate(suggestions: SuggestionQuerySet) -> float | None:
    """The closed-loop rate as a fraction between 0 and 1 (see the module docstring)."""
    return closed_loop(suggestions).rate
