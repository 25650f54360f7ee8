"""Spike alerts: an hour in which a topic is talked about far more than its usual rhythm predicts.

The usual rhythm of an hour is what the same hour of the week brought in the previous weeks and
what the same hour of the day brought in the previous days (the evening peak is in both, so it is
expected, not alarming), scaled by how busy the last day was compared with its own usual (a slow
rise over days lifts the baseline with it). An hour raises an alert when its count is several
times that expectation, at least a handful of posts, and so unlikely for an ordinary hour (the
Poisson upper tail) that the noise of a small topic does not reach it: ten posts where one is
usual is news, six where two are usual happens every few weeks.

`detect` works on a plain list of hourly counts (bench/monitoring.py measures it on synthetic
series); `check_last_hour` runs it on the mentions of every topic and stores SpikeAlerts.
"""

import math
from datetime import datetime, timedelta

HOURS_A_DAY, HOURS_A_WEEK = 24, 24 * 7
WARM_UP = HOURS_A_WEEK  # no alerts before a week of history
MIN_COUNT = 6  # fewer posts than this in an hour is never a spike
RATIO = 3.0  # at least this many times the expected count ...
SURPRISE = 1e-6  # ... and a count this unlikely if the hour were ordinary (Poisson upper tail)
FLOOR = 0.2  # the expectation of an hour that is usually empty


def expected(counts: list[int], hour: int) -> float:
    """What hour `hour` usually brings: the mean of the same hour (and the hours beside it) on the
    previous days and in the previous weeks, whichever is higher, times the recent trend."""
    days = [hour - day * HOURS_A_DAY + shift for day in range(1, 8) for shift in (-1, 0, 1)]
    weeks = [hour - week * HOURS_A_WEEK + shift for week in range(1, 4) for shift in (-1, 0, 1)]
    usual = max(_mean(counts, days), _mean(counts, weeks))
    return max(FLOOR, usual * _trend(counts, hour))


def _mean(counts: list[int], hours: list[int]) -> float:
    seen = [counts[h] for h in hours if 0 <= h < len(counts)]
    return sum(seen) / len(seen) if seen else 0.0


def _trend(counts: list[int], hour: int) -> float:
    """How the last 24 hours compare with the same 24 hours a week before (between 1 and 3)."""
    if hour < HOURS_A_WEEK + HOURS_A_DAY:
        return 1.0
    recent = sum(counts[hour - HOURS_A_DAY : hour])
    before = sum(counts[hour - HOURS_A_WEEK - HOURS_A_DAY : hour - HOURS_A_WEEK])
    return min(3.0, max(1.0, recent / before)) if before else 1.0


def surprise(count: int, usual: float) -> float:
    """P(X >= count) for X ~ Poisson(usual): how unlikely this many posts are in an ordinary hour."""
    term = math.exp(-usual)
    below = 0.0
    for k in range(count):
        below += term
        term *= usual / (k + 1)
    return max(0.0, 1.0 - below)


def is_spike(count: int, usual: float) -> bool:
    return count >= MIN_COUNT and count >= RATIO * usual and surprise(count, usual) < SURPRISE


def detect(counts: list[int], *, start: datetime | str | None = None) -> list[int]:
    """The hours (indexes into `counts`) that start a spike; the hours after it, still high, do not
    raise another alert. `start` (the time of hour 0) is accepted for symmetry with live data."""
    alerts: list[int] = []
    previous_alert = -2
    for hour in range(WARM_UP, len(counts)):
        if is_spike(counts[hour], expected(counts, hour)):
            if hour - previous_alert > 1:
                alerts.append(hour)
            previous_alert = hour
    return alerts


def hours_back(now: datetime, weeks: int = 4) -> list[datetime]:
    """The starts of the complete hours of the last `weeks` weeks, oldest first, ending before `now`."""
    last = now.replace(minute=0, second=0, microsecond=0)
    return [last - timedelta(hours=h) for h in range(weeks * HOURS_A_WEEK, 0, -1)]
