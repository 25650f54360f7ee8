"""A conversation keeps its office minutes to the first reply and to closing with the moments themselves,
so that the dashboards can take percentiles in the database (reports/aggregates.py)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from inbox import services
from inbox.models import Conversation
from tests.factories import conversation

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=AMSTERDAM)


def arrived(moment: datetime, **kwargs) -> Conversation:
    with time_machine.travel(moment, tick=False):
        return conversation("Hallo", sent_at=moment, **kwargs)


def test_first_reply_and_closing_store_office_minutes_over_a_weekend(eva):
    found = arrived(at(27, 17, 30), channel="x")  # Friday, half an hour before closing; X has no window
    with time_machine.travel(at(30, 8, 30), tick=False):  # Monday morning
        services.reply(agent=eva, conversation_id=found.pk, text="Goedemorgen!")
    with time_machine.travel(at(30, 10, 0), tick=False):
        services.close_conversation(actor=eva, conversation_id=found.pk)

    found.refresh_from_db()
    assert found.first_response_minutes == pytest.approx(60)  # 30 on Friday, 30 on Monday
    assert found.resolution_minutes == pytest.approx(150)


def test_reopening_forgets_the_resolution_and_closing_again_counts_to_the_last_close(eva):
    found = arrived(at(30, 9, 0))
    with time_machine.travel(at(30, 9, 10), tick=False):
        services.reply(agent=eva, conversation_id=found.pk, text="Dag!")
        services.close_conversation(actor=eva, conversation_id=found.pk)
    services.reopen_conversation(actor=eva, conversation_id=found.pk)
    found.refresh_from_db()
    assert found.resolution_minutes is None and found.first_response_minutes == pytest.approx(10)

    with time_machine.travel(at(30, 11, 0), tick=False):
        services.close_conversation(actor=eva, conversation_id=found.pk)
    found.refresh_from_db()
    assert found.resolution_minutes == pytest.approx(120)


def test_saving_only_the_moment_saves_its_minutes_too(eva):
    found = arrived(at(30, 9, 0))
    found.first_response_at = at(30, 9, 45)
    found.save(update_fields=["first_response_at"])

    assert Conversation.objects.get(pk=found.pk).first_response_minutes == pytest.approx(45)
