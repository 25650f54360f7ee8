"""Office time: deadlines that count only office hours on working days, skipping Dutch holidays."""

from bisect import bisect_left
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
import numpy as np
from django.conf import settings
from django.utils import timezone


@lru_cache(maxsize=32)
def _dutch_holidays(year: int) -> holidays.HolidayBase:
    return holidays.NL(years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() in settings.OFFICE_DAYS and day not in _dutch_holidays(day.year)


def _office_hours() -> tuple[time, time]:
    return (
        time.fromisoformat(settings.OFFICE_HOURS_START),
        time.fromisoformat(settings.OFFICE_HOURS_END),
    )


def add_office_minutes(start: datetime, minutes: int) -> datetime:
    """The moment `minutes` of office time after `start` (a message on Friday evening is due Monday)."""
    tz = timezone.get_current_timezone()
    opens, closes = _office_hours()
    moment = timezone.localtime(start, tz)
    remaining = timedelta(minutes=minutes)
    while True:
        day = moment.date()
        day_open = datetime.combine(day, opens, tzinfo=tz)
        day_close = datetime.combine(day, closes, tzinfo=tz)
        if is_working_day(day) and moment < day_close:
            moment = max(moment, day_open)
            available = day_close - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        moment = datetime.combine(day + timedelta(days=1), opens, tzinfo=tz)


def add_working_days(start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not later)."""
    days, day = 0, start
    while day < end:
        day += timedelta(days=1)
        days += is_working_day(day)
    return days


def office_hours_between(start: datetime, end: datetime) -> float:
    """Office time from `start` to `end` in hours: nights, weekends and holidays do not count."""
    return OfficeClock().hours_between(start, end)


class OfficeClock:
    """Office time counted from a fixed Monday, so that the time between two moments is a subtraction.

    Dashboards ask it for tens of thousands of conversations at once: one clock reads the settings
    once and works out each day once.
    """

    ANCHOR = date(2000, 1, 3)

    def __init__(self) -> None:
        self.tz = timezone.get_current_timezone()
        self.opens, self.closes = _office_hours()
        self.office_days = frozenset(settings.OFFICE_DAYS)
        self.day_seconds = office_day_hours() * 3600
        self._days: dict[date, tuple[float, datetime | None, datetime | None]] = {}

    def hours_between(self, start: datetime, end: datetime) -> float:
        return max(0.0, self.seconds_until(end) - self.seconds_until(start)) / 3600

    def hours_between_many(self, starts: Sequence[datetime], ends: Sequence[datetime]) -> np.ndarray:
        """hours_between for each pair, at once: what the dashboards need for a whole period."""
        if not starts:
            return np.zeros(0)
        return np.maximum(0.0, self.seconds_until_many(ends) - self.seconds_until_many(starts)) / 3600

    def seconds_until_many(self, moments: Sequence[datetime]) -> np.ndarray:
        """seconds_until for many moments: each moment's day is found among the days they span."""
        stamps = np.array([moment.timestamp() for moment in moments])
        first = datetime.fromtimestamp(stamps.min(), self.tz).date()
        days = [
            first + timedelta(days=n)
            for n in range((datetime.fromtimestamp(stamps.max(), self.tz).date() - first).days + 1)
        ]
        known = [self._days.get(day) or self._day(day) for day in days]
        midnights = np.array([datetime.combine(day, time.min, self.tz).timestamp() for day in days])
        before = np.array([facts[0] for facts in known])
        opens = np.array([facts[1].timestamp() if facts[1] else 0.0 for facts in known])
        lengths = np.array([(facts[2] - facts[1]).total_seconds() if facts[1] else 0.0 for facts in known])
        which = np.searchsorted(midnights, stamps, side="right") - 1
        return before[which] + np.clip(stamps - opens[which], 0.0, lengths[which])

    def seconds_until(self, moment: datetime) -> float:
        """Office seconds from ANCHOR to `moment`."""
        local = moment.astimezone(self.tz)
        day = local.date()
        known = self._days.get(day) or self._day(day)
        before, begin, finish = known
        return before if begin is None else before + (min(max(local, begin), finish) - begin).total_seconds()

    def _day(self, day: date) -> tuple[float, datetime | None, datetime | None]:
        weeks, rest = divmod((day - self.ANCHOR).days, 7)
        weekdays = weeks * len(self.office_days) + sum(weekday in self.office_days for weekday in range(rest))
        holidays_before = _office_holidays_before_year(day.year, self.office_days) + bisect_left(
            _office_holidays(day.year, self.office_days), day
        )
        before = (weekdays - holidays_before) * self.day_seconds
        if is_working_day(day):
            known = (
                before,
                datetime.combine(day, self.opens, self.tz),
                datetime.combine(day, self.closes, self.tz),
            )
        else:
            known = (before, None, None)
        self._days[day] = known
        return known


@lru_cache(maxsize=64)
def _office_holidays(year: int, office_days: frozenset[int]) -> list[date]:
    return sorted(day for day in _dutch_holidays(year) if day.weekday() in office_days)


@lru_cache(maxsize=64)
def _office_holidays_before_year(year: int, office_days: frozenset[int]) -> int:
    return sum(
        len(_office_holidays(earlier, office_days)) for earlier in range(OfficeClock.ANCHOR.year, year)
    )


def office_day_hours() -> float:
    opens, closes = _office_hours()
    return (datetime.combine(date.min, closes) - datetime.combine(date.min, opens)).total_seconds() / 3600
