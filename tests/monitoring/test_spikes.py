"""Spike alerts: the detector on synthetic series, and the hourly job on stored mentions."""

import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from inbox.models import Topic
from monitoring import alerts, spikes
from monitoring.models import Mention, SpikeAlert

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "data"))
import monitoring_series  # noqa: E402

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize("kind", ["normal", "slow_rise", "evening_peak_heavy"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_alert_in_an_ordinary_month(kind, seed):
    assert spikes.detect(monitoring_series.series(kind, seed)["counts"]) == []


@pytest.mark.parametrize("kind", ["burst", "night_burst"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_burst_raises_one_alert_inside_it(kind, seed):
    series = monitoring_series.series(kind, seed)
    ((start, end),) = series["bursts"]
    raised = spikes.detect(series["counts"])
    assert len(raised) == 1 and start <= raised[0] < end


def test_the_evening_peak_is_expected_not_alarming():
    week = [1] * 19 + [8, 9, 9, 8] + [1]  # an evening peak every day
    counts = week * 14
    assert spikes.detect(counts) == []
    counts[-4] = 40  # but forty at 20:00 is news
    assert spikes.detect(counts) == [len(counts) - 4]


def test_a_handful_in_an_empty_hour_is_not_a_spike():
    assert not spikes.is_spike(4, 0.2)
    assert spikes.is_spike(8, 0.2)


@pytest.mark.django_db
def test_the_hourly_job_raises_one_alert_with_examples_and_tells_the_leads(lotte, mailoutbox):
    lotte.email = "lotte@voorbeeldstad.nl"
    lotte.save()
    topic = Topic.objects.get(slug="waste_collection")
    now = datetime(2026, 12, 9, 21, 5, tzinfo=AMSTERDAM)
    last_hour = datetime(2026, 12, 9, 20, 0, tzinfo=AMSTERDAM)
    posts = [(last_hour - timedelta(days=day, minutes=-10), 1) for day in range(1, 22)] + [
        (last_hour + timedelta(minutes=m), 1) for m in range(0, 60, 2)
    ]  # thirty in the last hour
    for number, (when, _count) in enumerate(posts):
        Mention.objects.create(
            channel="x",
            external_id=str(number),
            text=f"container niet geleegd {number}",
            posted_at=when,
            expires_at=when + timedelta(days=30),
            topic=topic,
            needs_answer=number % 2 == 0,
        )
    (alert,) = alerts.check_last_hour(now)
    assert (alert.topic, alert.hour, alert.count) == (topic, last_hour, 30)
    assert alert.examples.count() == 3
    (mail,) = mailoutbox
    assert mail.to == ["lotte@voorbeeldstad.nl"] and "30" in mail.body
    assert alerts.check_last_hour(now) == []  # once
    assert SpikeAlert.objects.count() == 1
