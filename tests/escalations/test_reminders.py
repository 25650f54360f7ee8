"""Reminders from the real Celery beat schedule, with time frozen: the working day before a deadline,
and when it has passed, each once."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.beat import ScheduleEntry
from django.conf import settings

from escalations import services
from escalations.models import EventKind
from tests.factories import escalated
from webcare.celery import app as celery_app

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
LAST_LOOK = timedelta(minutes=1)  # beat looked a minute before


def at(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def beat(moment: datetime) -> list[str]:
    """Run what Celery beat starts at `moment`: each entry of the schedule in settings that is due,
    run by the worker's code path. Returns the names of the entries that ran."""
    celery_app.loader.import_default_modules()  # the worker's task discovery
    ran = []
    with time_machine.travel(moment, tick=False):
        for name, options in settings.CELERY_BEAT_SCHEDULE.items():
            if not options["task"].startswith("escalations."):
                continue
            entry = ScheduleEntry(
                name=name,
                task=options["task"],
                schedule=options["schedule"],
                last_run_at=moment - LAST_LOOK,
                app=celery_app,
            )
            if entry.is_due().is_due:
                celery_app.tasks[entry.task].apply()
                ran.append(name)
    return ran


@pytest.fixture
def people(eva, dirk, anna, waste_department):
    for person, address in (
        (eva, "eva@voorbeeldstad.nl"),
        (dirk, "dirk@voorbeeldstad.nl"),
        (anna, "anna@voorbeeldstad.nl"),
    ):
        person.email = address
        person.save()
    waste_department.account_manager = anna
    waste_department.service_level_days = 3
    waste_department.save()
    return eva, dirk, anna


def ask(agent, department, moment):
    with time_machine.travel(moment, tick=False):
        return escalated(agent, department)


def subjects(mailoutbox) -> list[tuple[str, list[str]]]:
    return [(mail.subject.split(":")[0], mail.to) for mail in mailoutbox]


def test_a_question_is_announced_reminded_the_day_before_and_flagged_when_overdue(
    people, waste_department, mailoutbox
):
    eva, dirk, anna = people
    question = ask(eva, waste_department, at(2026, 11, 30, 10))  # Monday: due Thursday 3 December 18:00
    assert question.due_at == at(2026, 12, 3, 18)

    assert beat(at(2026, 11, 30, 10, 15)) == ["escalation-reminders"]
    assert [mail.to for mail in mailoutbox] == [["dirk@voorbeeldstad.nl"]]  # the sweep announced it
    mailoutbox.clear()

    beat(at(2026, 12, 1, 9))  # Tuesday: two working days left
    assert mailoutbox == []
    beat(at(2026, 12, 2, 9))  # Wednesday, the working day before
    assert [mail.to for mail in mailoutbox] == [["dirk@voorbeeldstad.nl"]]
    beat(at(2026, 12, 2, 9, 15))
    beat(at(2026, 12, 3, 12))
    assert len(mailoutbox) == 1  # once
    mailoutbox.clear()

    beat(at(2026, 12, 3, 18, 15))  # the deadline has passed
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "anna@voorbeeldstad.nl",
        "dirk@voorbeeldstad.nl",
        "eva@voorbeeldstad.nl",
    ]
    beat(at(2026, 12, 4, 9))
    assert len(mailoutbox) == 3
    kinds = list(question.events.values_list("kind", flat=True))
    assert kinds.count(EventKind.REMINDED) == kinds.count(EventKind.OVERDUE) == 1


def test_the_day_before_skips_christmas(people, waste_department, mailoutbox):
    eva, _dirk, _anna = people
    question = ask(eva, waste_department, at(2026, 12, 23, 10))  # due Tuesday 29 December
    assert question.due_at == at(2026, 12, 29, 18)
    beat(at(2026, 12, 23, 10, 15))
    mailoutbox.clear()
    beat(at(2026, 12, 24, 9))  # Thursday: the next working day is Monday 28th, not yet the last
    assert mailoutbox == []
    beat(at(2026, 12, 28, 9))  # Monday: the working day before the deadline
    assert len(mailoutbox) == 1


def test_an_answered_question_gets_no_reminders(people, waste_department, mailoutbox):
    eva, dirk, _anna = people
    question = ask(eva, waste_department, at(2026, 11, 30, 10))
    with time_machine.travel(at(2026, 11, 30, 11), tick=False):
        services.answer(member=dirk, escalation_id=question.pk, text="Geregeld.")
    mailoutbox.clear()
    for moment in (at(2026, 12, 2, 9), at(2026, 12, 3, 18, 15)):
        beat(moment)
    assert mailoutbox == []


def test_the_schedule_runs_every_quarter_of_an_hour_only():
    assert beat(at(2026, 12, 2, 9, 15)) == ["escalation-reminders"]
    assert beat(at(2026, 12, 2, 9, 7)) == []
