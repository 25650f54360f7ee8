"""The desk's figures for a period: what comes in, from whom, how fast it is answered, how, where it
stalls, what happened with suggestions and what the city sounds like. Definitions: docs/metrics.md.

Every function takes a Scope (period, team, channel, department, and the departments the user may
see) and reads the other apps' tables; nothing here writes. Each family of figures is a fixed number of
queries however long the period, and is computed per channel in the same pass, so the API's
`by_channel` costs no extra queries. Times are office time (webcare.lib.dates), like the service
levels they are held against.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from escalations.models import Escalation
from escalations.workflow import Status as EscalationStatus
from feedback.metrics import closed_loop
from feedback.models import Suggestion
from feedback.workflow import Status as SuggestionStatus
from inbox.models import (
    Channel,
    ChannelIdentity,
    Conversation,
    ConversationEvent,
    Direction,
    EventKind,
    Message,
)
from inbox.workflow import ANSWERABLE, Status
from monitoring.models import Mention, Sentiment
from reports.aggregates import Percentile, percentile
from webcare.lib.dates import OfficeClock

# A claimed conversation that sees no next step within this time was left, not worked on.
LONGEST_SESSION = timedelta(minutes=60)
# How long residents in the backlog have waited: up to each limit, and longer.
BACKLOG_AGES = (
    (timedelta(hours=1), "under_1h"),
    (timedelta(hours=4), "1h_4h"),
    (timedelta(hours=24), "4h_24h"),
)
BACKLOG_OLDEST = "over_24h"
TOP_TOPICS = 10


@dataclass(frozen=True)
class Scope:
    start: date
    end: date  # inclusive
    team: int | None = None
    channel: str | None = None
    department: int | None = None
    # The departments whose escalations and suggestions the user may count; None: all of them.
    departments: frozenset[int] | None = None

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=timezone.get_current_timezone())

    @property
    def end_at(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(
            self.end + timedelta(days=1), time.min, tzinfo=timezone.get_current_timezone()
        )

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


def percentage(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


# --- Scoping ----------------------------------------------------------------------------------------


def _conversations(scope: Scope, prefix: str = "") -> Q:
    """Team and channel filters, on conversations or through `prefix` (e.g. "conversation__")."""
    found = Q()
    if scope.team:
        found &= Q(**{f"{prefix}team_id": scope.team})
    if scope.channel:
        found &= Q(**{f"{prefix}channel": scope.channel})
    return found


def _departments(scope: Scope) -> Q:
    found = Q()
    if scope.department:
        found &= Q(department_id=scope.department)
    if scope.departments is not None:
        found &= Q(department_id__in=scope.departments)
    return found


def _period(scope: Scope, name: str) -> Q:
    return Q(**{f"{name}__gte": scope.start_at, f"{name}__lt": scope.end_at})


def inbound(scope: Scope) -> QuerySet:
    return Message.objects.filter(
        _period(scope, "created_at"), _conversations(scope, "conversation__"), direction=Direction.INBOUND
    )


def started(scope: Scope) -> QuerySet:
    """The conversations that began in the period: the cohort for response times and the 80/20."""
    return Conversation.objects.filter(_period(scope, "created_at"), _conversations(scope))


# --- The API's figures, per channel and in total ----------------------------------------------------


ADDITIVE = ("messages_in", "conversations", "reopened", "met", "missed", "escalations", "overdue")


@dataclass
class Tally:
    """What was counted on one channel, or on all of them. The counts in ADDITIVE and the answers of
    the channels add up to the total; residents, suggestions and times do not (a resident or a
    suggestion seen on two channels counts once in total), so the total gets its own."""

    messages_in: int = 0
    conversations: int = 0
    reopened: int = 0
    residents: int = 0
    returning: int = 0
    foreign: int = 0
    times: dict[str, float | None] = field(default_factory=dict)  # office minutes (TIMES)
    met: int = 0
    missed: int = 0
    answers: Counter = field(default_factory=Counter)  # escalated / protocol / free_text
    escalations: int = 0
    overdue: int = 0
    suggestions: dict[int, str] = field(default_factory=dict)  # suggestion -> status

    def add(self, tallies: Iterable["Tally"]) -> None:
        for tally in tallies:
            for name in ADDITIVE:
                setattr(self, name, getattr(self, name) + getattr(tally, name))
            self.answers.update(tally.answers)
            self.suggestions.update(tally.suggestions)


@dataclass(frozen=True)
class Figures:
    """The API's figures for one channel or for all of them (docs/metrics.md)."""

    messages_in: int
    conversations: int
    reopened_conversations: int
    new_contacts: int
    returning_contacts: int
    foreign_contacts: int
    first_response_p50_minutes: float | None
    first_response_p90_minutes: float | None
    sla_met_pct: float | None
    resolution_p50_hours: float | None
    resolution_p90_hours: float | None
    handled_conversations: int
    protocol_share_pct: float | None
    escalation_share_pct: float | None
    free_text_share_pct: float | None
    escalations: int
    escalations_overdue: int
    feedback_by_status: dict[str, int]
    closed_loop_pct: float | None

    @classmethod
    def of(cls, tally: Tally, closed_loop_pct: float | None) -> "Figures":
        handled = sum(tally.answers.values())
        statuses = Counter(tally.suggestions.values())
        times = tally.times
        return cls(
            messages_in=tally.messages_in,
            conversations=tally.conversations,
            reopened_conversations=tally.reopened,
            new_contacts=tally.residents - tally.returning,
            returning_contacts=tally.returning,
            foreign_contacts=tally.foreign,
            first_response_p50_minutes=rounded(times.get("wait_p50")),
            first_response_p90_minutes=rounded(times.get("wait_p90")),
            sla_met_pct=percentage(tally.met, tally.met + tally.missed),
            resolution_p50_hours=rounded(_hours(times.get("resolution_p50"))),
            resolution_p90_hours=rounded(_hours(times.get("resolution_p90"))),
            handled_conversations=handled,
            protocol_share_pct=percentage(tally.answers["protocol"], handled),
            escalation_share_pct=percentage(tally.answers["escalated"], handled),
            free_text_share_pct=percentage(tally.answers["free_text"], handled),
            escalations=tally.escalations,
            escalations_overdue=tally.overdue,
            feedback_by_status={status: statuses[status] for status in SuggestionStatus.values},
            closed_loop_pct=closed_loop_pct,
        )


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else minutes / 60


@dataclass(frozen=True)
class Report:
    total: Figures
    by_channel: dict[str, Figures]
    daily_volume: dict[date, Counter]  # day -> channel -> inbound messages
    no_protocol_topics: list[tuple[str, int]]  # topics of conversations answered without a protocol


def report(scope: Scope, now: datetime | None = None) -> Report:
    """Every figure of the API, in total and per channel, from a fixed number of queries."""
    now = now or timezone.now()
    channels = [scope.channel] if scope.channel else list(Channel.values)
    tallies, total = {channel: Tally() for channel in channels}, Tally()
    daily = _count_messages(scope, tallies)
    _count_residents(scope, tallies, total)
    no_protocol = _count_conversations(scope, tallies, total, now)
    _count_escalations(scope, tallies, now)
    _count_suggestions(scope, tallies)
    total.add(tallies.values())
    suggestions = scoped_suggestions(scope)
    return Report(
        total=Figures.of(total, _closed_loop_pct(suggestions)),
        by_channel={
            channel: Figures.of(
                tally, _closed_loop_pct(suggestions.filter(reports__conversation__channel=channel))
            )
            for channel, tally in tallies.items()
        },
        daily_volume=daily,
        no_protocol_topics=no_protocol,
    )


def per_day(scope: Scope, rows: QuerySet, moment: str, kind: str) -> dict[date, Counter]:
    """Every day of the period (also the empty ones), with the number of rows of each `kind`."""
    days: dict[date, Counter] = {day: Counter() for day in scope.days}
    counted = (
        rows.annotate(day=TruncDate(moment, tzinfo=timezone.get_current_timezone()))
        .values_list("day", kind)
        .annotate(number=Count("*"))  # not Count("id"): the row itself is not read, only the index
        .order_by()
    )
    for day, value, number in counted:
        days[day][value] += number
    return days


def _count_messages(scope: Scope, tallies: dict[str, Tally]) -> dict[date, Counter]:
    daily = per_day(scope, inbound(scope), "created_at", "channel")
    for counts in daily.values():
        for channel, number in counts.items():
            tallies[channel].messages_in += number
    return daily


RESIDENT_KINDS = {"residents": Q(), "returning": Q(wrote_before=True), "foreign": Q(from_abroad=1)}


def _count_residents(scope: Scope, tallies: dict[str, Tally], total: Tally) -> None:
    """Residents who wrote in the period, per channel and in total, counted per resident in the
    database. Through the conversations they wrote in: fewer rows than their messages, and the last
    inbound time only grows, so it narrows them safely."""
    wrote = Message.objects.filter(_period(scope, "created_at"), direction=Direction.INBOUND)
    wrote_before = Conversation.objects.filter(contact=OuterRef("contact"), created_at__lt=scope.start_at)
    dutch = Q(external_id__startswith="+31") | Q(external_id__startswith="whatsapp:+31")
    foreign = Q(identity__in=ChannelIdentity.objects.filter(~dutch, channel=Channel.WHATSAPP).values("pk"))
    per_resident = (
        Conversation.objects.filter(
            _conversations(scope),
            pk__in=wrote.values("conversation_id"),
            last_inbound_at__gte=scope.start_at,
        )
        .values("contact")
        .annotate(
            wrote_before=Exists(wrote_before),
            from_abroad=Max(Case(When(foreign, then=1), default=0)),
            **{f"on_{channel}": Max(Case(When(channel=channel, then=1), default=0)) for channel in tallies},
        )
        .order_by()
    )
    counted = per_resident.aggregate(
        **{name: Count("contact", filter=condition) for name, condition in RESIDENT_KINDS.items()},
        **{
            f"{channel}_{name}": Count("contact", filter=Q(**{f"on_{channel}": 1}) & condition)
            for channel in tallies
            for name, condition in RESIDENT_KINDS.items()
            if name != "foreign" or channel == Channel.WHATSAPP  # a number from abroad is WhatsApp's
        },
    )
    for name in RESIDENT_KINDS:
        setattr(total, name, counted[name])
        for channel, tally in tallies.items():
            setattr(tally, name, counted.get(f"{channel}_{name}", 0))


TIMES = {
    "wait_p50": ("first_response_minutes", 0.5),
    "wait_p90": ("first_response_minutes", 0.9),
    "resolution_p50": ("resolution_minutes", 0.5),
    "resolution_p90": ("resolution_minutes", 0.9),
}


def _count_conversations(
    scope: Scope, tallies: dict[str, Tally], total: Tally, now: datetime
) -> list[tuple[str, int]]:
    """The cohort's conversations per channel and topic: how they were answered and whether in time;
    and the percentiles of their office times per channel and in total."""
    cohort = started(scope)
    since = Q(created_at__gte=scope.start_at)  # what follows a conversation's start
    by_protocol = Q(
        pk__in=Message.objects.filter(since, direction=Direction.OUTBOUND)
        .exclude(protocol_key="")
        .exclude(protocol_key=settings.HOLDING_REPLY_PROTOCOL)
        .values("conversation_id")
    )
    escalated = Q(pk__in=Escalation.objects.filter(since).values("conversation_id"))
    closed_before = ConversationEvent.objects.filter(
        conversation=OuterRef("conversation"), kind=EventKind.CLOSED, created_at__lt=OuterRef("created_at")
    )
    reopened = Q(  # after closing: a resident answering a question is no reopening
        pk__in=ConversationEvent.objects.filter(since, Exists(closed_before), kind=EventKind.REOPENED).values(
            "conversation_id"
        )
    )
    due = Q(first_response_due__isnull=False)
    late = Q(first_response_at__gt=F("first_response_due")) | Q(
        first_response_at=None, first_response_due__lt=now
    )
    answered = Case(  # each in the first group that fits
        When(escalated, then=Value("escalated")),
        When(by_protocol, then=Value("protocol")),
        When(first_response_at__isnull=False, then=Value("free_text")),
        default=Value(""),
    )
    counted = (
        cohort.annotate(answered=answered)
        .values_list("channel", "topic__name", "answered")
        .annotate(
            conversations=Count("*"),
            reopened=Count("pk", filter=reopened),
            met=Count("pk", filter=due & Q(first_response_at__lte=F("first_response_due"))),
            missed=Count("pk", filter=due & late),
        )
    )
    no_protocol = Counter()
    for channel, topic, answer, conversations, reopened_, met, missed in counted.order_by():
        tally = tallies[channel]
        tally.conversations += conversations
        tally.reopened += reopened_
        tally.met += met
        tally.missed += missed
        if answer:
            tally.answers[answer] += conversations
        if answer == "free_text":
            no_protocol[topic or ""] += conversations
    closed = Q(status=Status.CLOSED)
    times = {
        name: Percentile(column, share, filter=closed if column == "resolution_minutes" else None)
        for name, (column, share) in TIMES.items()
    }
    for channel, *values in cohort.values_list("channel").annotate(**times).order_by():
        tallies[channel].times = dict(zip(TIMES, values, strict=True))
    total.times = cohort.aggregate(**times)
    return no_protocol.most_common()


def scoped_escalations(scope: Scope) -> QuerySet:
    """The escalations asked in the period, within the scope's team, channel and departments."""
    return Escalation.objects.filter(
        _period(scope, "created_at"), _conversations(scope, "conversation__"), _departments(scope)
    )


def _count_escalations(scope: Scope, tallies: dict[str, Tally], now: datetime) -> None:
    rows = scoped_escalations(scope).values_list("conversation__channel", "status", "due_at", "answered_at")
    for channel, status, due, answered in rows.order_by():
        tallies[channel].escalations += 1
        tallies[channel].overdue += is_overdue(status, due, answered, now)


def _office_hours(clock: OfficeClock, spans: list[tuple[datetime, datetime]]) -> list[float]:
    starts, ends = [start for start, _end in spans], [end for _start, end in spans]
    return clock.hours_between_many(starts, ends).tolist()


def is_overdue(status: str, due: datetime, answered: datetime | None, now: datetime) -> bool:
    """Answered after the deadline, or still with the department after it."""
    return answered > due if answered else status == EscalationStatus.OPEN and due < now


def scoped_suggestions(scope: Scope) -> QuerySet:
    """The suggestions recorded in the period, within the scope's departments (and channel/team through
    the conversations they were reported in)."""
    suggestions = Suggestion.objects.filter(_period(scope, "created_at"), _departments(scope))
    if scope.team or scope.channel:
        suggestions = suggestions.filter(
            pk__in=Suggestion.objects.filter(_conversations(scope, "reports__conversation__")).values("pk")
        )
    return suggestions


def _count_suggestions(scope: Scope, tallies: dict[str, Tally]) -> None:
    rows = (
        scoped_suggestions(scope)
        .values_list("pk", "status", "reports__conversation__channel")
        .distinct()
        .order_by()
    )
    for pk, status, channel in rows:
        if channel in tallies:
            tallies[channel].suggestions[pk] = status


def _closed_loop_pct(suggestions: QuerySet) -> float | None:
    return rounded(closed_loop(suggestions).percentage)


# --- The dashboard's tables beyond the API ----------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    department: str
    asked: int
    answered: int
    turnaround_p50_hours: float | None
    turnaround_p90_hours: float | None
    overdue: int
    open_now: int


def escalations_per_department(scope: Scope, now: datetime | None = None) -> list[DepartmentRow]:
    """Per department: questions asked in the period, answered, turnaround in office hours (asked to
    first answer), overdue (docs/metrics.md) and still with the department now."""
    now = now or timezone.now()
    clock = OfficeClock()
    rows = scoped_escalations(scope).values_list(
        "department__name", "status", "created_at", "due_at", "answered_at"
    )
    asked, answered, overdue, open_now = Counter(), Counter(), Counter(), Counter()
    spans = defaultdict(list)
    for department, status, created, due, answered_at in rows.order_by():
        asked[department] += 1
        if answered_at:
            answered[department] += 1
            spans[department].append((created, answered_at))
        overdue[department] += is_overdue(status, due, answered_at, now)
        open_now[department] += status == EscalationStatus.OPEN
    turnarounds = {department: _office_hours(clock, spans[department]) for department in asked}
    return [
        DepartmentRow(
            department=department,
            asked=asked[department],
            answered=answered[department],
            turnaround_p50_hours=rounded(percentile(turnarounds[department], 0.5)),
            turnaround_p90_hours=rounded(percentile(turnarounds[department], 0.9)),
            overdue=overdue[department],
            open_now=open_now[department],
        )
        for department in sorted(asked)
    ]


@dataclass(frozen=True)
class AgentRow:
    agent: str
    replies: int
    conversations: int
    sessions: int
    handling_mean_minutes: float | None
    handling_hours: float


def workload(scope: Scope) -> list[AgentRow]:
    """Per agent: replies sent in the period, conversations replied in, and handling time: from taking
    a conversation (claim) to the next step in it (reply, escalation, release, close; the inbox
    stores it on the claim), sessions longer than LONGEST_SESSION left out (the agent was away)."""
    replies = (
        Message.objects.filter(
            _period(scope, "created_at"),
            _conversations(scope, "conversation__"),
            direction=Direction.OUTBOUND,
        )
        .exclude(author=None)
        .values_list("author")
        .annotate(replies=Count("*"), conversations=Count("conversation_id", distinct=True))
        .order_by()
    )
    spent = ExpressionWrapper(F("ended_at") - F("created_at"), output_field=DurationField())
    sessions = (
        ConversationEvent.objects.filter(
            _period(scope, "created_at"),
            _conversations(scope, "conversation__"),
            kind=EventKind.CLAIMED,
            ended_at__lte=F("created_at") + LONGEST_SESSION,
        )
        .exclude(actor=None)
        .values_list("actor")
        .annotate(sessions=Count("*"), spent=Sum(spent))
        .order_by()
    )
    worked = {agent: (number, spent.total_seconds() / 60) for agent, number, spent in sessions}
    counted = {agent: (sent, conversations) for agent, sent, conversations in replies}
    # Grouped by user id, not name: the names of a few dozen agents cost less than sorting by them.
    names = dict(User.objects.filter(pk__in={*worked, *counted}).values_list("pk", "username"))
    return [
        AgentRow(
            agent=names[agent],
            replies=counted.get(agent, (0, 0))[0],
            conversations=counted.get(agent, (0, 0))[1],
            sessions=worked.get(agent, (0, 0))[0],
            handling_mean_minutes=rounded(worked[agent][1] / worked[agent][0]) if agent in worked else None,
            handling_hours=round(worked.get(agent, (0, 0))[1] / 60, 1),
        )
        for agent in sorted({*counted, *worked}, key=names.get)
    ]


@dataclass(frozen=True)
class BacklogRow:
    age: str
    conversations: int


def backlog(scope: Scope, now: datetime | None = None) -> list[BacklogRow]:
    """Conversations that wait for the desk now (new or open), by how long the resident has waited
    since their last message. Now, not in the period: a backlog is a state, not a flow."""
    now = now or timezone.now()
    waiting = Conversation.objects.filter(_conversations(scope), status__in=ANSWERABLE)
    ages = Counter()
    for last_inbound, created in waiting.values_list("last_inbound_at", "created_at").order_by():
        waited = now - (last_inbound or created)
        ages[next((label for limit, label in BACKLOG_AGES if waited < limit), BACKLOG_OLDEST)] += 1
    return [
        BacklogRow(age=label, conversations=ages[label])
        for label in [*dict(BACKLOG_AGES).values(), BACKLOG_OLDEST]
    ]


def mentions(scope: Scope) -> QuerySet:
    """Posts about the municipality in the period (monitoring has no teams; channel applies)."""
    found = Mention.objects.filter(_period(scope, "posted_at"), relevant=True)
    return found.filter(channel=scope.channel) if scope.channel else found


def sentiment_per_day(scope: Scope) -> dict[date, Counter]:
    return per_day(scope, mentions(scope).exclude(sentiment=""), "posted_at", "sentiment")


@dataclass(frozen=True)
class TopicRow:
    topic: str
    mentions: int
    negative: int


def top_topics(scope: Scope) -> list[TopicRow]:
    rows = (
        mentions(scope)
        .exclude(topic=None)
        .values_list("topic__name")
        .annotate(number=Count("id"), negative=Count("id", filter=Q(sentiment=Sentiment.NEGATIVE)))
        .order_by("-number", "topic__name")[:TOP_TOPICS]
    )
    return [TopicRow(topic=name, mentions=number, negative=negative) for name, number, negative in rows]
