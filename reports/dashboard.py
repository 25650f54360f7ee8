"""The dashboards as charts: which figures a user sees, each as one Chart (drawing, table and CSV).

Leads and administrators see the whole desk. A department member sees their department's escalations
and suggestions, an account manager those of the departments they manage, and nothing of the inbox.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from escalations.models import Department
from feedback.workflow import Status as SuggestionStatus
from inbox.models import Channel, ServiceLevel
from monitoring.models import Sentiment
from reports import metrics
from reports.charts import Chart
from webcare.roles import LEAD_ROLES, REPORT_READERS, Role, has_role

READERS = REPORT_READERS


def is_desk_wide(user) -> bool:
    return has_role(user, LEAD_ROLES)


def visible_departments(user) -> frozenset[int] | None:
    """The departments whose escalations and suggestions `user` may count; None: all."""
    if is_desk_wide(user):
        return None
    if has_role(user, frozenset({Role.DEPARTMENT})):
        return frozenset([user.department_id] if user.department_id else [])
    if has_role(user, frozenset({Role.ACCOUNT_MANAGER})):
        return frozenset(Department.objects.filter(account_manager=user).values_list("pk", flat=True))
    return frozenset()


@dataclass(frozen=True)
class Dashboard:
    scope: metrics.Scope
    report: metrics.Report | None  # None for a department's dashboard
    charts: tuple[Chart, ...]

    def chart(self, slug: str) -> Chart | None:
        return next((chart for chart in self.charts if chart.slug == slug), None)


def build(user, scope: metrics.Scope) -> Dashboard:
    if not is_desk_wide(user):
        return Dashboard(scope=scope, report=None, charts=department_charts(scope))
    report = metrics.report(scope)
    return Dashboard(scope=scope, report=report, charts=desk_charts(scope, report))


def _channels(scope: metrics.Scope) -> list[str]:
    return [scope.channel] if scope.channel else list(Channel.values)


def _channel_label(channel: str) -> str:
    return Channel(channel).label


def desk_charts(scope: metrics.Scope, report: metrics.Report) -> tuple[Chart, ...]:
    channels = _channels(scope)
    labels = tuple(_channel_label(channel) for channel in channels)
    levels = {level.channel: level for level in ServiceLevel.objects.all()}
    per_channel = [(channel, report.by_channel[channel]) for channel in channels]
    return (
        Chart(
            slug="volume-per-day",
            title=_("Messages in per day"),
            description=_("Messages from residents per day, stacked per channel."),
            category=_("day"),
            series=labels,
            rows=tuple(
                (day.isoformat(), *(report.daily_volume[day][channel] for channel in channels))
                for day in scope.days
            ),
            kind="columns",
            stacked=True,
        ),
        Chart(
            slug="volume-per-week",
            title=_("Messages in per week"),
            description=_("Messages from residents per ISO week, stacked per channel."),
            category=_("week"),
            series=labels,
            rows=_weekly(scope, report.daily_volume, channels),
            kind="columns",
            stacked=True,
        ),
        Chart(
            slug="residents",
            title=_("New and returning residents"),
            description=_(
                "Residents who wrote in the period, per channel: new (first contact ever) or returning "
                "(wrote before, on any channel)."
            ),
            category=_("channel"),
            series=(_("new"), _("returning")),
            rows=tuple(
                (_channel_label(channel), figures.new_contacts, figures.returning_contacts)
                for channel, figures in per_channel
            ),
            stacked=True,
        ),
        Chart(
            slug="first-response",
            title=_("First response time (office minutes)"),
            description=_(
                "Median and 90th percentile of the first response per channel, beside the service level."
            ),
            category=_("channel"),
            series=(_("median"), _("90th percentile"), _("service level")),
            rows=tuple(
                (
                    _channel_label(channel),
                    figures.first_response_p50_minutes,
                    figures.first_response_p90_minutes,
                    levels[channel].first_response_minutes if channel in levels else None,
                )
                for channel, figures in per_channel
            ),
            unit=" min",
        ),
        Chart(
            slug="within-service-level",
            title=_("First responses within the service level"),
            description=_("Share of conversations answered within the first-response service level."),
            category=_("channel"),
            series=(_("within service level"),),
            rows=(
                (_("all channels"), report.total.sla_met_pct),
                *((_channel_label(channel), figures.sla_met_pct) for channel, figures in per_channel),
            ),
            unit="%",
        ),
        Chart(
            slug="resolution",
            title=_("Resolution time (office hours)"),
            description=_("Median and 90th percentile from the first message to closing, per channel."),
            category=_("channel"),
            series=(_("median"), _("90th percentile"), _("service level")),
            rows=tuple(
                (
                    _channel_label(channel),
                    figures.resolution_p50_hours,
                    figures.resolution_p90_hours,
                    round(levels[channel].resolution_minutes / 60, 1) if channel in levels else None,
                )
                for channel, figures in per_channel
            ),
            unit=" h",
        ),
        Chart(
            slug="answers",
            title=_("How questions were answered"),
            description=_(
                "Share of handled conversations answered from a protocol, escalated to a department, or "
                "answered in the agent's own words."
            ),
            category=_("channel"),
            series=(_("protocol"), _("escalated"), _("own words")),
            rows=tuple(
                (label, figures.protocol_share_pct, figures.escalation_share_pct, figures.free_text_share_pct)
                for label, figures in [
                    (_("all channels"), report.total),
                    *((_channel_label(channel), figures) for channel, figures in per_channel),
                ]
            ),
            stacked=True,
            unit="%",
        ),
        Chart(
            slug="no-protocol",
            title=_("Questions without a protocol"),
            description=_(
                "Conversations answered in the agent's own words, per topic: where a protocol would help."
            ),
            category=_("topic"),
            series=(_("conversations"),),
            rows=tuple((topic or _("no topic"), number) for topic, number in report.no_protocol_topics),
        ),
        Chart(
            slug="backlog",
            title=_("Backlog now"),
            description=_("Conversations waiting for the desk now, by how long the resident has waited."),
            category=_("waiting"),
            series=(_("conversations"),),
            rows=tuple((_backlog_label(row.age), row.conversations) for row in metrics.backlog(scope)),
        ),
        *department_charts(scope, report),
        *_workload_charts(scope),
        *_monitoring_charts(scope),
    )


def _weekly(scope: metrics.Scope, daily: dict[date, Counter], channels: list[str]) -> tuple[tuple, ...]:
    weeks: dict[str, Counter] = {}
    for day in scope.days:
        year, week, _weekday = day.isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", Counter()).update(daily[day])
    return tuple((week, *(counts[channel] for channel in channels)) for week, counts in weeks.items())


def _backlog_label(age: str) -> str:
    return {
        "under_1h": _("under 1 hour"),
        "1h_4h": _("1 to 4 hours"),
        "4h_24h": _("4 to 24 hours"),
        "over_24h": _("over 24 hours"),
    }[age]


def department_charts(scope: metrics.Scope, report: metrics.Report | None = None) -> tuple[Chart, ...]:
    rows = metrics.escalations_per_department(scope)
    suggestions = report.total.feedback_by_status if report else _suggestions_by_status(scope)
    return (
        Chart(
            slug="escalations",
            title=_("Escalations per department"),
            description=_(
                "Questions asked of each department in the period, how many missed their deadline, and how "
                "many are still with the department."
            ),
            category=_("department"),
            series=(_("asked"), _("overdue"), _("still open")),
            rows=tuple((row.department, row.asked, row.overdue, row.open_now) for row in rows),
        ),
        Chart(
            slug="turnaround",
            title=_("Escalation turnaround (office hours)"),
            description=_("Median and 90th percentile from the question to the department's answer."),
            category=_("department"),
            series=(_("median"), _("90th percentile")),
            rows=tuple((row.department, row.turnaround_p50_hours, row.turnaround_p90_hours) for row in rows),
            unit=" h",
        ),
        Chart(
            slug="suggestions",
            title=_("Suggestions per status"),
            description=_("Suggestions recorded in the period, by their status now."),
            category=_("status"),
            series=(_("suggestions"),),
            rows=tuple(
                (SuggestionStatus(status).label, suggestions[status]) for status in SuggestionStatus.values
            ),
        ),
    )


def _suggestions_by_status(scope: metrics.Scope) -> dict[str, int]:
    counted = Counter(metrics.scoped_suggestions(scope).values_list("status", flat=True))
    return {status: counted[status] for status in SuggestionStatus.values}


def closed_loop_pct(scope: metrics.Scope, report: metrics.Report | None) -> float | None:
    if report:
        return report.total.closed_loop_pct
    return metrics.rounded(metrics.closed_loop(metrics.scoped_suggestions(scope)).percentage)


def _workload_charts(scope: metrics.Scope) -> tuple[Chart, ...]:
    rows = metrics.workload(scope)
    people = User.objects.filter(username__in=[row.agent for row in rows])
    names = {person.username: person.get_full_name() or person.username for person in people}
    return (
        Chart(
            slug="workload",
            title=_("Workload per agent"),
            description=_("Conversations each agent replied in, and the replies they sent."),
            category=_("agent"),
            series=(_("conversations"), _("replies")),
            rows=tuple((names.get(row.agent, row.agent), row.conversations, row.replies) for row in rows),
        ),
        Chart(
            slug="handling-time",
            title=_("Handling time per agent"),
            description=_(
                "Hours from taking a conversation to the next step in it, and the average per time taken."
            ),
            category=_("agent"),
            series=(_("hours"), _("average minutes")),
            rows=tuple(
                (names.get(row.agent, row.agent), row.handling_hours, row.handling_mean_minutes)
                for row in rows
            ),
        ),
    )


def _monitoring_charts(scope: metrics.Scope) -> tuple[Chart, ...]:
    days = metrics.sentiment_per_day(scope)
    sentiments = (Sentiment.NEGATIVE, Sentiment.NEUTRAL, Sentiment.POSITIVE)
    return (
        Chart(
            slug="sentiment",
            title=_("Sentiment about the city"),
            description=_("Posts about the municipality per day, stacked by sentiment."),
            category=_("day"),
            series=tuple(str(sentiment.label) for sentiment in sentiments),
            rows=tuple(
                (day.isoformat(), *(counts[sentiment] for sentiment in sentiments))
                for day, counts in days.items()
            ),
            kind="columns",
            stacked=True,
            colours=(5, 4, 2),  # red, grey, green
        ),
        Chart(
            slug="topics",
            title=_("Top topics in monitoring"),
            description=_("The topics most talked about, and how many of those posts were negative."),
            category=_("topic"),
            series=(_("posts"), _("negative")),
            rows=tuple((row.topic, row.mentions, row.negative) for row in metrics.top_topics(scope)),
        ),
    )


def period_label(scope: metrics.Scope) -> str:
    return f"{date_format(scope.start, 'j F Y')} – {date_format(scope.end, 'j F Y')}"
