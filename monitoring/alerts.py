"""Spike alerts on live data: every hour, each topic's last complete hour against its usual rhythm
(monitoring.spikes); an alert in the app and by e-mail to the leads, with example posts."""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from monitoring import spikes
from monitoring.models import Mention, SpikeAlert
from webcare.roles import LEAD_ROLES

logger = logging.getLogger(__name__)
EXAMPLES = 3


def hourly_counts(topic_id: int, hours: list[datetime]) -> list[int]:
    """Relevant mentions of a topic per hour, for the given hour starts (oldest first)."""
    rows = (
        Mention.objects.relevant()
        .filter(topic_id=topic_id, posted_at__gte=hours[0], posted_at__lt=hours[-1] + timedelta(hours=1))
        .annotate(hour=TruncHour("posted_at"))
        .values("hour")
        .annotate(number=Count("id"))
    )
    found = {row["hour"]: row["number"] for row in rows}
    return [found.get(hour, 0) for hour in hours]


def check_last_hour(now: datetime | None = None) -> list[SpikeAlert]:
    """Raise an alert for each topic whose last complete hour is a spike (once per spike)."""
    now = timezone.localtime(now or timezone.now())
    hours = spikes.hours_back(now)
    last = hours[-1]
    topics = (
        Mention.objects.relevant()
        .filter(posted_at__gte=last, posted_at__lt=last + timedelta(hours=1), topic__isnull=False)
        .values_list("topic_id", flat=True)
        .distinct()
    )
    raised = []
    for topic_id in topics:
        counts = hourly_counts(topic_id, hours)
        hour = len(counts) - 1
        usual = spikes.expected(counts, hour)
        already = SpikeAlert.objects.filter(topic_id=topic_id, hour=last - timedelta(hours=1)).exists()
        if spikes.is_spike(counts[hour], usual) and not already:
            alert = _raise(topic_id, last, counts[hour], usual)
            if alert:
                raised.append(alert)
    for alert in raised:
        _tell_leads(alert)
    return raised


@transaction.atomic
def _raise(topic_id: int, hour: datetime, count: int, usual: float) -> SpikeAlert | None:
    try:
        with transaction.atomic():
            alert = SpikeAlert.objects.create(
                topic_id=topic_id, hour=hour, count=count, expected=round(usual, 1)
            )
    except IntegrityError:
        return None  # another worker raised it
    examples = (
        Mention.objects.relevant()
        .filter(topic_id=topic_id, posted_at__gte=hour, posted_at__lt=hour + timedelta(hours=1))
        .order_by("-needs_answer", "-posted_at")[:EXAMPLES]
    )
    alert.examples.set(examples)
    return alert


def _tell_leads(alert: SpikeAlert) -> None:
    leads = get_user_model().objects.filter(role__in=LEAD_ROLES, is_active=True).exclude(email="")
    url = settings.PUBLIC_BASE_URL.rstrip("/") + reverse("monitoring:alerts")
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Spike: %(topic)s is talked about far more than usual") % {
            "topic": alert.topic.name
        }
        body = render_to_string("monitoring/email/alert.txt", {"alert": alert, "url": url})
    try:
        for lead in leads:
            EmailMessage(subject, body, to=[lead.email]).send()
    except (smtplib.SMTPException, OSError):
        logger.exception("spike alert %s: e-mail failed; the alert is in the app", alert.pk)
        return
    SpikeAlert.objects.filter(pk=alert.pk).update(notified_at=timezone.now())
