"""Webhook ingest: signed WhatsApp deliveries through the real endpoint into the database, in-process.

Usage: python bench/webhook_ingest.py [--requests N]
Uses BENCH_DATABASE_URL (default: a SQLite file under var/) and BENCH_REDIS_URL (default: none, as in
a Redis outage). It measures what a platform waits for: signature check, parse, the one transaction
that stores the delivery and the message, and queueing the work (topic, routing) for Celery.
Prints requests per second and p50/p95/p99 per request. (Issue 10 adds the run through gunicorn.)
"""

import argparse
import base64
import hashlib
import hmac
import os
import statistics
import time
from urllib.parse import urlencode

from benchkit import setup_django

ROOT = setup_django(
    "bench.sqlite3",
    # With BENCH_REDIS_URL the queued work goes to that Redis (and is purged afterwards); without it to
    # a port where nothing listens, as in a Redis outage: publishing fails at once, the outbox keeps the work.
    REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:1/0"),
    TWILIO_AUTH_TOKEN="bench-token",  # noqa: S106 (a made-up key for the bench)
    PUBLIC_BASE_URL="https://webcare.example.nl",
)

import logging  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from inbox.models import Message  # noqa: E402

PATH = "/webhooks/whatsapp/"


def signed(params: dict) -> str:
    payload = "https://webcare.example.nl" + PATH + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(b"bench-token", payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def delivery(number: int) -> dict:
    return {
        "MessageSid": f"SMbench{time.time_ns()}{number:08d}"[:34],
        "AccountSid": "ACbench",
        "From": f"whatsapp:+316{number % 5000:08d}",
        "To": "whatsapp:+31850001234",
        "Body": "Wanneer wordt het grofvuil opgehaald in de Bloemenbuurt?",
        "ProfileName": f"Inwoner {number}",
        "NumMedia": "0",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    logging.disable(logging.WARNING)  # one "broker unavailable" line per request otherwise
    client = Client()
    timings = []
    started = time.perf_counter()
    for number in range(args.requests):
        params = delivery(number)
        begin = time.perf_counter()
        response = client.post(
            PATH,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signed(params),
        )
        timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, response.status_code
    elapsed = time.perf_counter() - started
    timings.sort()
    vendor = connection.vendor
    broker = "Redis" if "BENCH_REDIS_URL" in os.environ else "Redis down"
    if "BENCH_REDIS_URL" in os.environ:
        from webcare.celery import app

        app.control.purge()  # no worker ran: drop the queued work
    print(f"webhook ingest ({vendor}, {broker}, {args.requests} signed WhatsApp deliveries, one process)")
    print(f"  {args.requests / elapsed:8.0f} requests/s")
    print(
        f"  p50 {statistics.median(timings):6.1f} ms   p95 {timings[int(len(timings) * 0.95)]:6.1f} ms   "
        f"p99 {timings[int(len(timings) * 0.99)]:6.1f} ms"
    )
    print(f"  {Message.objects.count()} messages stored in total")


if __name__ == "__main__":
    main()
