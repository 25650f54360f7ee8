from datetime import date, datetime, timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from webcare.lib.dates import (
    OfficeClock,
    add_office_minutes,
    add_working_days,
    is_working_day,
    office_hours_between,
)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())


def test_kings_day_and_christmas_are_no_working_days():
    assert not is_working_day(date(2026, 4, 27))
    assert not is_working_day(date(2026, 12, 25))
    assert is_working_day(date(2026, 12, 24))


def test_minutes_within_one_office_day():
    assert add_office_minutes(at(2026, 11, 30, 9, 0), 60) == at(2026, 11, 30, 10, 0)


def test_minutes_carry_over_the_night():
    assert add_office_minutes(at(2026, 11, 30, 17, 30), 60) == at(2026, 12, 1, 8, 30)


def test_a_message_before_opening_counts_from_opening():
    assert add_office_minutes(at(2026, 11, 30, 6, 0), 30) == at(2026, 11, 30, 8, 30)


def test_christmas_is_skipped():
    assert add_office_minutes(at(2026, 12, 24, 17, 0), 120) == at(2026, 12, 28, 9, 0)


def test_working_days_skip_weekend_and_holidays():
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)


def _office_hours_day_by_day(start: datetime, end: datetime) -> float:
    """The plain definition: each day's office hours that fall between the two moments."""
    tz = timezone.get_current_timezone()
    start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    office = (django_settings.OFFICE_HOURS_START, django_settings.OFFICE_HOURS_END)
    seconds, day = 0.0, start.date()
    while day <= end.date():
        if is_working_day(day):
            opens, closes = (datetime.fromisoformat(f"{day}T{hour}").replace(tzinfo=tz) for hour in office)
            begin, finish = max(start, opens), min(end, closes)
            seconds += max(0.0, (finish - begin).total_seconds())
        day += timedelta(days=1)
    return seconds / 3600


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31)),  # noqa: DTZ001
    length=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
)
def test_office_hours_between_counts_each_days_office_hours(start, length):
    start = timezone.make_aware(start)
    assert office_hours_between(start, start + length) == pytest.approx(
        _office_hours_day_by_day(start, start + length), abs=1e-6
    )
    assert office_hours_between(start + length, start) == 0


@settings(max_examples=50, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(
            st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31)),  # noqa: DTZ001
            st.timedeltas(min_value=timedelta(hours=-30), max_value=timedelta(days=30)),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_many_pairs_at_once_give_what_each_pair_gives(pairs):
    clock = OfficeClock()
    starts = [timezone.make_aware(start) for start, _length in pairs]
    ends = [start + length for start, (_start, length) in zip(starts, pairs, strict=True)]
    at_once = clock.hours_between_many(starts, ends)
    assert list(at_once) == pytest.approx(
        [office_hours_between(a, b) for a, b in zip(starts, ends, strict=True)]
    )
