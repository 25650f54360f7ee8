"""Office time: deadlines that count only office hours on working days, skipping Dutch holidays."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
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
    tz = timezone.get_current_timezone()
    opens, closes = _office_hours()
    start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    seconds, day = 0.0, start.date()
    while day <= end.date():
        if is_working_day(day):
            begin = max(start, datetime.combine(day, opens, tzinfo=tz))
            finish = min(end, datetime.combine(day, closes, tzinfo=tz))
            seconds += max(0.0, (finish - begin).total_seconds())
        day += timedelta(days=1)
    return seconds / 3600


def office_day_hours() -> float:
    opens, closes = _office_hours()
    return (datetime.combine(date.min, closes) - datetime.combine(date.min, opens)).total_seconds() / 3600
