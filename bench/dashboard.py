"""Dashboard speed on a year of a city's desk in PostgreSQL, measured in-process.

Usage: BENCH_DATABASE_URL=postgres://webcare:webcare@127.0.0.1:5432/webcare_bench \\
       python bench/dashboard.py [--runs 20]

Migrates, fills the database with bench/benchkit/citydata.py (once: the data stays until its
arguments or the day change) and prints what it holds. Then, after one warm-up each, p50/p95 over
`--runs` of the metrics (reports.metrics.report) and of every chart (reports.dashboard.build) for the
last 90 days, and of the metrics API and the reports page for the same period as a lead, with the
number of queries each takes.
"""

import argparse
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta

from benchkit import setup_django

NEEDS_POSTGRESQL = (
    "The dashboard benchmark needs PostgreSQL (its data is written with COPY). Set BENCH_DATABASE_URL, "
    "e.g.\n  BENCH_DATABASE_URL=postgres://webcare:webcare@127.0.0.1:5432/webcare_bench "
    "python bench/dashboard.py\nand create that database first: "
    "su postgres -c \"psql -c 'CREATE DATABASE webcare_bench OWNER webcare'\""
)

if not os.environ.get("BENCH_DATABASE_URL", "").startswith(("postgres://", "postgresql://", "pgsql://")):
    print(NEEDS_POSTGRESQL)  # not a failure: `make bench` goes on with the other benchmarks
    sys.exit(0)

setup_django("bench_dashboard.sqlite3")

from benchkit import citydata  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F, Max, Min, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from escalations.models import Escalation  # noqa: E402
from inbox.models import ChannelIdentity, Contact, Conversation, Message  # noqa: E402
from reports import dashboard, metrics  # noqa: E402

PERIOD_DAYS = 90


def describe(counts: dict, seconds: float) -> None:
    """What the database holds, and a few figures that show the data has the intended shape."""
    print(f"citydata ready in {seconds:.1f} s (a stored dataset is reused at once)")
    print("  " + ", ".join(f"{name} {number:,}" for name, number in counts.items()))
    whatsapp = ChannelIdentity.objects.filter(channel="whatsapp")
    foreign = whatsapp.exclude(external_id__startswith="+31").count()
    answered = Conversation.objects.filter(first_response_at__isnull=False).aggregate(
        all=Count("id"), within=Count("id", filter=Q(first_response_at__lte=F("first_response_due")))
    )
    two_identities = Contact.objects.annotate(n=Count("identities")).filter(n__gt=1).count()
    late = Message.objects.filter(processed_at__gt=F("created_at") + timedelta(days=1))
    statuses = dict(Conversation.objects.values_list("status").annotate(Count("id")).order_by("-id__count"))
    period = Conversation.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    print(f"  conversations from {period['first']:%Y-%m-%d %H:%M} to {period['last']:%Y-%m-%d %H:%M} (UTC)")
    within_due = 100 * answered["within"] / max(answered["all"], 1)
    print(f"  foreign WhatsApp residents: {100 * foreign / max(whatsapp.count(), 1):.1f}%")
    print(f"  first responses within their due time: {within_due:.1f}%")
    print(f"  residents with two identities: {two_identities:,}")
    print(f"  late messages (stored a day or more after they were written): {late.count():,}")
    print(f"  conversations by status: {statuses}")
    print(f"  escalations open and overdue now: {Escalation.objects.overdue().count():,}")


def measure(call: Callable[[], object], runs: int) -> tuple[float, float, int]:
    """p50 and p95 in milliseconds after one warm-up, and the queries of one more call."""
    call()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    timings.sort()
    return statistics.median(timings), timings[math.ceil(0.95 * len(timings)) - 1], len(queries)


def report(label: str, call: Callable[[], object], runs: int) -> None:
    p50, p95, queries = measure(call, runs)
    print(f"{label}: p50 {p50:.0f} ms  p95 {p95:.0f} ms  (queries {queries})")


def get(client: Client, url: str) -> Callable[[], object]:
    def call():
        response = client.get(url)
        assert response.status_code == 200, f"GET {url} answered {response.status_code}"
        return response

    return call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit(NEEDS_POSTGRESQL)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    counts = citydata.generate()
    describe(counts, time.perf_counter() - started)

    end = timezone.localdate() - timedelta(days=1)  # the data stops at midnight: yesterday is the last day
    start = end - timedelta(days=PERIOD_DAYS - 1)
    scope = metrics.Scope(start=start, end=end)
    lead = User.objects.get(username=citydata.LEADS[0])
    report(f"metrics {PERIOD_DAYS} days (the API's figures)", lambda: metrics.report(scope), args.runs)
    report(f"dashboard {PERIOD_DAYS} days (every chart)", lambda: dashboard.build(lead, scope), args.runs)

    client = Client()
    client.force_login(lead)
    for path in ("/api/v1/metrics/", "/reports/"):
        url = f"{path}?start={start}&end={end}"
        report(f"GET {url}", get(client, url), args.runs)


if __name__ == "__main__":
    main()
