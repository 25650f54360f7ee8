from datetime import date, datetime

from django.utils import timezone

from webcare.lib.dates import add_office_minutes, add_working_days, is_working_day


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
