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
    return max(0.0, _office_seconds_until(end) - _office_seconds_until(start)) / 3600


# Office time is counted from a fixed Monday, so that the time between two moments is a subtraction:
# dashboards compute it for tens of thousands of conversations at once.
ANCHOR = date(2000, 1, 3)


def _office_seconds_until(moment: datetime) -> float:
    """Office seconds from ANCHOR to `moment`."""
    tz = timezone.get_current_timezone()
    opens, closes = _office_hours()
    local = timezone.localtime(moment, tz)
    day = local.date()
    seconds = _working_days_before(day) * office_day_hours() * 3600
    if is_working_day(day):
        begin, finish = datetime.combine(day, opens, tzinfo=tz), datetime.combine(day, closes, tzinfo=tz)
        seconds += (min(max(local, begin), finish) - begin).total_seconds()
    return seconds


def _working_days_before(day: date) -> int:
    """Working days from ANCHOR up to, not including, `day`."""
    office_days = settings.OFFICE_DAYS
    weeks, rest = divmod((day - ANCHOR).days, 7)
    weekdays = weeks * len(office_days) + sum(weekday in office_days for weekday in range(rest))
    holidays_this_year = sum(1 for holiday in _office_holidays(day.year) if holiday < day)
    return weekdays - _office_holidays_before_year(day.year, frozenset(office_days)) - holidays_this_year


def _office_holidays(year: int) -> list[date]:
    return [day for day in _dutch_holidays(year) if day.weekday() in settings.OFFICE_DAYS]


@lru_cache(maxsize=64)
def _office_holidays_before_year(year: int, _office_days: frozenset[int]) -> int:
    return sum(len(_office_holidays(earlier)) for earlier in range(ANCHOR.year, year))


def office_day_hours() -> float:
    opens, closes = _office_hours()
    return (datetime.combine(date.min, closes) - datetime.combine(date.min, opens)).total_seconds() / 3600
