"""Every dashboard figure on the hand-made week of conftest.py, with the answers worked out by hand."""

from datetime import date

import pytest

from inbox.models import Direction, Message, Team
from reports import metrics
from tests.reports.week import NOW, WEEK, at

pytestmark = pytest.mark.django_db


def test_the_weeks_figures_in_total(week):
    figures = metrics.report(WEEK, now=NOW).total

    assert figures.messages_in == 8  # c1 and c2 two each, c3–c6 one each; c0 is before the period
    assert figures.conversations == 6 and figures.reopened_conversations == 1
    # Anna on two channels is one resident; Bram wrote before the period; Carlos from Belgium.
    assert (figures.new_contacts, figures.returning_contacts, figures.foreign_contacts) == (4, 1, 1)
    # First responses 0, 20, 30 and 60 office minutes: the median between 20 and 30, the 90th percentile
    # at 2.7 of the way: 30 + 0.7 × 30.
    assert (figures.first_response_p50_minutes, figures.first_response_p90_minutes) == (25.0, 51.0)
    # Met: c1, c2, c4. Missed: c3 (answered late), c5 (unanswered, due passed). c6 is not due yet.
    assert figures.sla_met_pct == 60.0
    assert (figures.resolution_p50_hours, figures.resolution_p90_hours) == (2.0, 2.8)  # 1 h and 3 h
    # Handled: c1 from a protocol, c2 in own words, c3 and c4 escalated (the holding reply is no protocol).
    assert figures.handled_conversations == 4
    assert (figures.protocol_share_pct, figures.escalation_share_pct, figures.free_text_share_pct) == (
        25.0,
        50.0,
        25.0,
    )
    assert (figures.escalations, figures.escalations_overdue) == (2, 1)
    assert figures.feedback_by_status == {
        "received": 0, "forwarded": 1, "under_consideration": 0,
        "planned": 0, "implemented": 1, "not_adopted": 0,
    }  # fmt: skip
    assert figures.closed_loop_pct == 100.0  # the one with an outcome, and Anna was told


def test_the_same_figures_per_channel(week):
    by_channel = metrics.report(WEEK, now=NOW).by_channel

    whatsapp, facebook, x, instagram = (by_channel[c] for c in ("whatsapp", "facebook", "x", "instagram"))
    assert [f.messages_in for f in (whatsapp, facebook, x, instagram)] == [4, 2, 1, 1]
    assert (whatsapp.new_contacts, whatsapp.returning_contacts, whatsapp.foreign_contacts) == (2, 1, 1)
    assert (facebook.new_contacts, facebook.returning_contacts) == (1, 0)  # Anna, counted on each channel
    assert (whatsapp.first_response_p50_minutes, whatsapp.first_response_p90_minutes) == (30.0, 54.0)
    assert (whatsapp.sla_met_pct, facebook.sla_met_pct, x.sla_met_pct, instagram.sla_met_pct) == (
        66.7,
        100.0,
        0.0,
        None,
    )
    assert facebook.reopened_conversations == 1 and facebook.resolution_p50_hours == 3.0
    assert (whatsapp.escalations, whatsapp.escalations_overdue, x.escalations) == (2, 1, 0)
    assert whatsapp.feedback_by_status["implemented"] == 1 and facebook.feedback_by_status["implemented"] == 0
    assert (whatsapp.closed_loop_pct, facebook.closed_loop_pct) == (100.0, None)


def test_filters_narrow_every_figure(week, webcare_team, waste_department):
    only_whatsapp = metrics.report(metrics.Scope(WEEK.start, WEEK.end, channel="whatsapp"), now=NOW)
    assert list(only_whatsapp.by_channel) == ["whatsapp"]
    assert only_whatsapp.total == only_whatsapp.by_channel["whatsapp"]

    social = Team.objects.get(slug="social")
    social_week = metrics.report(metrics.Scope(WEEK.start, WEEK.end, team=social.pk), now=NOW).total
    assert (social_week.messages_in, social_week.conversations, social_week.escalations) == (4, 3, 0)

    waste_only = metrics.Scope(WEEK.start, WEEK.end, department=waste_department.pk)
    assert metrics.report(waste_only, now=NOW).total.escalations == 1
    assert [row.department for row in metrics.escalations_per_department(waste_only, NOW)] == ["Afval"]


def test_escalations_per_department_count_office_hours_across_christmas(week):
    waste, parking = sorted(metrics.escalations_per_department(WEEK, NOW), key=lambda row: row.department)

    assert (waste.department, waste.asked, waste.answered, waste.overdue, waste.open_now) == (
        "Afval",
        1,
        1,
        1,
        0,
    )
    assert waste.turnaround_p50_hours == 12.2  # 0.25 + 10 + 2 = 12.25 office hours, rounded to one decimal
    assert (parking.department, parking.asked, parking.answered, parking.overdue, parking.open_now) == (
        "Parkeren", 1, 0, 0, 1,
    )  # fmt: skip
    assert parking.turnaround_p50_hours is None


def test_workload_counts_replies_and_sessions_but_not_a_conversation_left_alone(week):
    rows = {row.agent: row for row in metrics.workload(WEEK)}

    # Eva's reply to c3 on Monday 29th is after the period; her 110-minute claim of c5 was not work.
    assert (rows["eva"].replies, rows["eva"].conversations, rows["eva"].sessions) == (1, 1, 2)
    assert (rows["eva"].handling_mean_minutes, rows["eva"].handling_hours) == (7.5, 0.2)  # 5 + 10 minutes
    assert (rows["bram"].replies, rows["bram"].conversations, rows["bram"].sessions) == (2, 2, 2)


def test_backlog_by_how_long_residents_have_waited(week):
    ages = {row.age: row.conversations for row in metrics.backlog(WEEK, NOW)}
    # c4 since Saturday (49 h), c5 and c6 since Sunday evening (16 and 15 h); the rest are not waiting.
    assert ages == {"under_1h": 0, "1h_4h": 0, "4h_24h": 2, "over_24h": 1}


def test_monitoring_counts_only_posts_about_the_municipality_in_the_period(week):
    per_day = metrics.sentiment_per_day(WEEK)
    assert per_day[date(2025, 12, 22)] == {"negative": 1}
    assert per_day[date(2025, 12, 23)] == {"negative": 1, "positive": 1}
    assert [(row.topic, row.mentions, row.negative) for row in metrics.top_topics(WEEK)] == [
        ("Afvalinzameling", 2, 2),
        ("Straten en stoepen", 1, 0),
    ]


def test_questions_without_a_protocol_per_topic(week):
    assert metrics.report(WEEK, now=NOW).no_protocol_topics == [("Straten en stoepen", 1)]  # c2


def test_a_late_message_counts_on_the_day_it_was_written(week):
    """A message that arrives late keeps its own time: it counts in the period it was written in,
    whenever it is stored."""
    Message.objects.create(
        conversation=week.c1,
        channel="whatsapp",
        direction=Direction.INBOUND,
        text="?",
        created_at=at(12, 24, 9),
    )
    daily = metrics.report(WEEK, now=NOW).daily_volume
    assert daily[date(2025, 12, 24)]["whatsapp"] == 2  # c3 at 17:30 and the late one
    assert sum(sum(counts.values()) for counts in daily.values()) == 9
