"""Soak: signed webhooks at a steady rate on every channel, agents answering through the API, for minutes.

Usage: python bench/soak.py [--minutes 10] [--rate 20] [--agents 4] [--web-workers 3]
(`--minutes` defaults to SOAK_MINUTES, else 10; `make bench` runs it for SOAK_MINUTES=1.)

It starts everything on loopback itself and stops it at the end, also on Ctrl-C: a fresh PostgreSQL
database (BENCH_DATABASE_URL, default postgres://webcare:webcare@127.0.0.1:5432/webcare_soak, created
and dropped; with no server there, and not as root, a private cluster from initdb), its own redis-server,
gunicorn, a Celery worker with beat, and the platforms' stand-in (`manage.py run_standin`) that the
real Twilio, Meta and X clients send the replies to. Logs go to var/soak/.

The residents write WhatsApp, Messenger and Instagram messages, Facebook and Instagram comments, X
direct messages and mentions, as the resident simulator builds and signs them; some deliveries are
sent twice, as platforms retry. Agents take new conversations from the API, reply and close. Each
message and each reply carries a marker, so the end can tell what arrived and what was sent twice.

Prints messages sent (unique), stored, processed by the worker, answered (replies the stand-in
received), lost and duplicated (both must be 0: the exit code is 1 otherwise), webhook latency, and
errors. Replies to X direct messages beyond X's limit (15 in 15 minutes) wait for their turn: they
are counted as scheduled, not lost.
"""

import argparse
import collections
import itertools
import os
import random
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from benchkit import ROOT, setup_django, summary
from benchkit.services import DEFAULT_DATABASE_URL, Services, free_port, wait_until

PYTHON = sys.executable
LOG_DIR = ROOT / "var" / "soak"
DRAIN_SECONDS = 180
REDELIVERED_SHARE = 0.05  # platforms retry a delivery they think failed: the same bytes again
RESIDENTS = 400
TEXTS = [
    "De lantaarnpaal bij ons in de straat is al een week kapot.",
    "Wanneer wordt het grofvuil opgehaald in de Bloemenbuurt?",
    "Mijn parkeervergunning is verlopen, hoe verleng ik die?",
    "Er ligt al dagen zwerfafval bij het speeltuintje.",
    "Hoe vraag ik een nieuw paspoort aan?",
    "De container is niet geleegd, klantnummer 4471.",
    "Waarom staat er een boom midden op het fietspad?",
]
SENT_MARK, REPLY_MARK = re.compile(r"\[soak (\d+)\]"), re.compile(r"\[soak-reply (\d+)\]")


class Tally:
    """What the load threads saw, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: set[int] = set()
        self.redelivered = 0
        self.latencies_ms: list[float] = []
        self.errors: collections.Counter = collections.Counter()
        self.replies: dict[int, int] = {}  # reply marker -> message id
        self.conflicts = 0

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] += 1


def environment(database_url: str, redis_url: str, web_url: str, standin_url: str) -> dict[str, str]:
    """What every process of the run gets: production settings on loopback, the demo's platform secrets."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SECRET_KEY": "soak-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
        "DEMO_ENABLED": "true",  # the stand-in and the demo's made-up platform credentials
        "STANDIN_URL": standin_url,
        "PUBLIC_BASE_URL": web_url,
        "PYTHONUNBUFFERED": "1",
    }


def start_desk(services: Services, args) -> tuple[str, str]:
    """Database, Redis, migrations, stand-in, gunicorn and a Celery worker; the desk's and stand-in's URLs."""
    database_url = services.postgres_database(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    redis_url = services.redis()
    web_url, standin_url = f"http://127.0.0.1:{free_port()}", f"http://127.0.0.1:{free_port()}"
    env = environment(database_url, redis_url, web_url, standin_url)
    os.environ.update({**env, "BENCH_DATABASE_URL": database_url})
    setup_django("unused.sqlite3", DEBUG="false")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production serves the manifest's files
    manage = [PYTHON, str(ROOT / "manage.py")]
    port = standin_url.rsplit(":", 1)[1]
    services.process(
        "standin", [*manage, "run_standin", "--port", port], env=env, ready_url=standin_url + "/_outbox"
    )
    services.process(
        "gunicorn",
        [PYTHON, "-m", "gunicorn", "webcare.wsgi", "--bind", web_url.removeprefix("http://")]
        + ["--workers", str(args.web_workers)],  # the rest: gunicorn.conf.py, as in production
        env=env,
        cwd=ROOT,
        ready_url=web_url + "/healthz/",
    )
    services.process(
        "celery",
        [PYTHON, "-m", "celery", "-A", "webcare", "worker", "--beat", "--loglevel=warning"]
        + ["--concurrency", "4", "--schedule", str(LOG_DIR / "celerybeat-schedule")],
        env=env,
        cwd=ROOT,
    )
    from webcare.celery import app

    wait_until(lambda: app.control.ping(timeout=1), "celery worker", 90)
    return web_url, standin_url


def make_agents(count: int) -> list[str]:
    """Agents in both teams, each with an API token."""
    from accounts.services import api_token_for, provision_user

    teams = ["webcare", "social"]
    return [
        api_token_for(provision_user(username=f"soak-agent-{n}", role="agent", team_slug=teams[n % 2]))
        for n in range(count)
    ]


def introduce_residents(standin_url: str, names: list[str]) -> None:
    """Meta's DM webhooks carry no name: the desk asks the profile API, so the stand-in must know them."""
    from channels.simulator import KINDS, Kind, handle, resident_id

    for name in names:
        for kind in (Kind.MESSENGER, Kind.INSTAGRAM_DM):
            first, _, last = name.partition(" ")
            profile = {
                "user_id": resident_id(KINDS[kind].channel, name),
                "first_name": first,
                "last_name": last,
            }
            requests.post(
                f"{standin_url}/_seed/meta_profile",
                json={**profile, "name": name, "username": handle(name)},
                timeout=5,
            )


def post_delivery(delivery, tally: Tally) -> None:
    """POST as the platform does, retrying what failed (as platforms do); the first try is timed."""
    for attempt in range(3):
        begin = time.perf_counter()
        try:
            response = requests.post(
                delivery.url,
                data=delivery.body,
                headers=delivery.headers,
                timeout=(2, 20),
                allow_redirects=False,
            )
            status = response.status_code
        except requests.RequestException as error:
            status = type(error).__name__
        if attempt == 0:
            with tally.lock:
                tally.latencies_ms.append((time.perf_counter() - begin) * 1000)
        if status == 200:
            return
        tally.error(f"webhook answered {status}")
        time.sleep(1 + attempt)
    tally.error("webhook given up after 3 tries")


def send_webhooks(args, tally: Tally, stop_at: float, names: list[str]) -> None:
    """Deliveries at a steady rate: the n-th is due at start + n / rate, whatever the previous took."""
    from channels.simulator import Kind, build_delivery

    kinds = list(Kind.values)
    recent = collections.deque(maxlen=200)
    rng = random.Random(1)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=48, thread_name_prefix="platform") as pool:
        for number in itertools.count():
            due = started + number / args.rate
            if due >= stop_at:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            if recent and rng.random() < REDELIVERED_SHARE:
                delivery = rng.choice(recent)
                with tally.lock:
                    tally.redelivered += 1
            else:
                text = f"{rng.choice(TEXTS)} [soak {number}]"
                delivery = build_delivery(kinds[number % len(kinds)], rng.choice(names), text)
                recent.append(delivery)
                with tally.lock:
                    tally.sent.add(number)
            pool.submit(post_delivery, delivery, tally)


def agent(web_url: str, token: str, tally: Tally, stop: threading.Event, replies: itertools.count) -> None:
    """Take new conversations from the queue, reply, close; another agent may be quicker (409)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    api = web_url + "/api/v1"
    while not stop.is_set():
        worked = False
        try:
            queue = session.get(f"{api}/conversations/", params={"status": "new", "limit": 5}, timeout=20)
            if queue.status_code != 200:
                tally.error(f"queue answered {queue.status_code}")
            waiting = queue.json().get("results", []) if queue.status_code == 200 else []
            # Agents press "next" at the same moment: each takes one of the first few, as people would.
            for conversation in random.sample(waiting, len(waiting)):
                number = next(replies)
                text = f"Dank voor uw bericht, we zoeken het voor u uit. [soak-reply {number}]"
                url = f"{api}/conversations/{conversation['id']}"
                answer = session.post(f"{url}/reply/", json={"text": text}, timeout=20)
                if answer.status_code in (400, 409):
                    with tally.lock:
                        tally.conflicts += 1
                    continue
                if answer.status_code != 201:
                    tally.error(f"reply answered {answer.status_code}")
                    continue
                with tally.lock:
                    tally.replies[number] = answer.json()["id"]
                closed = session.post(f"{url}/close/", timeout=20)
                if closed.status_code not in (200, 409):
                    tally.error(f"close answered {closed.status_code}")
                worked = True
        except requests.RequestException as error:
            tally.error(f"agent: {type(error).__name__}")
        stop.wait(0.2 if worked else 1.0)


def drained() -> bool:
    """Every delivery filed, every incoming message processed, every reply that is due sent or failed."""
    from django.db.models import Q
    from django.utils import timezone

    from channels.models import RawEvent, RawEventState
    from inbox.models import DeliveryStatus, Direction, Message

    if RawEvent.objects.filter(state=RawEventState.PENDING).exists():
        return False
    unprocessed = Message.objects.filter(direction=Direction.INBOUND, processed_at__isnull=True)
    due = Q(scheduled_for__isnull=True) | Q(scheduled_for__lte=timezone.now())
    unsent = Message.objects.filter(due, direction=Direction.OUTBOUND).filter(
        delivery_status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    )
    return not unprocessed.exists() and not unsent.exists()


def report(args, tally: Tally, standin_url: str, elapsed: float, drain_seconds: float | None) -> int:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from inbox.models import Conversation, DeliveryStatus, Direction, Message
    from inbox.workflow import Status

    incoming = Message.objects.filter(direction=Direction.INBOUND)
    stored = collections.Counter(
        int(match.group(1))
        for text in incoming.values_list("text", flat=True)
        if (match := SENT_MARK.search(text))
    )
    processed = incoming.filter(processed_at__isnull=False).count()
    outbox = requests.get(f"{standin_url}/_outbox", timeout=30).json()
    answered = collections.Counter(
        int(match.group(1)) for item in outbox if (match := REPLY_MARK.search(item.get("text") or ""))
    )
    now = timezone.now()
    made = Message.objects.filter(pk__in=tally.replies.values()).values_list(
        "pk", "delivery_status", "scheduled_for"
    )
    later = {pk for pk, status, due in made if due and due > now and status == DeliveryStatus.PENDING}
    failed = {pk for pk, status, _ in made if status == DeliveryStatus.FAILED}
    lost_messages = len(tally.sent - set(stored))
    lost_replies = sum(
        1 for number, pk in tally.replies.items() if number not in answered and pk not in later | failed
    )
    duplicated_messages = sum(count - 1 for count in stored.values() if count > 1)
    threads_opened_twice = (
        Conversation.objects.exclude(status=Status.CLOSED)
        .values("identity", "thread_key")
        .annotate(open=Count("id"))
        .filter(open__gt=1)
        .count()
    )
    duplicated_replies = sum(count - 1 for count in answered.values() if count > 1)
    latencies = sorted(tally.latencies_ms)
    logged_errors = sum(
        log.read_text(errors="replace").count("ERROR") + log.read_text(errors="replace").count("Traceback")
        for log in LOG_DIR.glob("*.log")
    )

    def pct(share: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * share))] if latencies else 0.0

    print(
        f"soak ({connection.vendor}, Redis, gunicorn {args.web_workers}x4 threads, Celery worker with beat, "
        f"stand-in), {elapsed / 60:.1f} min at {args.rate}/s on 7 kinds of thread, {args.agents} agents"
    )
    print(f"  messages sent        {len(tally.sent):7d}  (unique; plus {tally.redelivered} re-deliveries)")
    print(f"  stored               {len(stored):7d}")
    print(f"  processed by worker  {processed:7d}")
    print(
        f"  answered             {len(answered):7d}  (replies the stand-in received, of {len(tally.replies)} "
        f"made; {len(later)} X DMs scheduled later, {len(failed)} failed; "
        f"{tally.conflicts} refused: taken by another agent)"
    )
    print(f"  lost                 {lost_messages:7d}  messages, {lost_replies} replies")
    print(
        f"  duplicated           {duplicated_messages:7d}  messages, {duplicated_replies} replies sent twice,"
        f" {threads_opened_twice} threads with two open conversations"
    )
    print(
        f"  webhook latency      p50 {pct(0.50):.0f} ms   p95 {pct(0.95):.0f} ms   p99 {pct(0.99):.0f} ms   "
        f"max {latencies[-1] if latencies else 0:.0f} ms"
    )
    drain = (
        f"drained in {drain_seconds:.0f} s"
        if drain_seconds is not None
        else f"NOT drained in {DRAIN_SECONDS} s"
    )
    print(f"  errors               {sum(tally.errors.values()):7d}  {dict(tally.errors) or ''}")
    print(f"  queue                {drain}; {logged_errors} ERROR/Traceback lines in {LOG_DIR}/*.log")
    print(f"  machine              load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared)")
    duplicated = duplicated_messages + duplicated_replies + threads_opened_twice
    if args.summary:
        minutes = f"{elapsed / 60:.0f} min at {args.rate:g}/s, {args.agents} agents"
        summary.write(
            args.summary,
            [
                (
                    f"soak ({minutes}): lost",
                    f"{lost_messages} messages, {lost_replies} replies",
                    "0",
                    not (lost_messages or lost_replies),
                ),
                (
                    "soak: duplicated",
                    f"{duplicated_messages} messages, {duplicated_replies} replies",
                    "0",
                    not duplicated,
                ),
                ("soak: webhook latency", f"p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms", "", None),
                (
                    "soak: errors",
                    f"{sum(tally.errors.values())} answers, {logged_errors} log lines",
                    "0",
                    not (tally.errors or logged_errors),
                ),
            ],
        )
    return 1 if lost_messages or lost_replies or duplicated else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 10)))
    parser.add_argument("--rate", type=float, default=20, help="webhooks per second, over all channels")
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--summary", help="also write the figures as JSON rows to this file (bench/all.py)")
    args = parser.parse_args()
    with Services(LOG_DIR) as services:
        print(f"== soak: starting PostgreSQL, Redis, gunicorn, Celery and the stand-in (logs: {LOG_DIR})")
        web_url, standin_url = start_desk(services, args)
        tokens = make_agents(args.agents)
        names = [f"Inwoner {number:04d}" for number in range(RESIDENTS)]
        introduce_residents(standin_url, names)
        tally, stop, replies = Tally(), threading.Event(), itertools.count()
        agents = [
            threading.Thread(target=agent, args=(web_url, token, tally, stop, replies), daemon=True)
            for token in tokens
        ]
        for thread in agents:
            thread.start()
        started = time.monotonic()
        print(f"== {args.minutes:g} min of load")
        try:
            send_webhooks(args, tally, started + args.minutes * 60, names)
            # The agents answer what is still new, then stop.
            stop.wait(10)
        finally:
            stop.set()
            for thread in agents:
                thread.join(30)
        elapsed = time.monotonic() - started
        drain_began = time.monotonic()
        try:
            wait_until(drained, "the queue", DRAIN_SECONDS)
            drain_seconds = time.monotonic() - drain_began
        except RuntimeError:
            drain_seconds = None
        return report(args, tally, standin_url, elapsed, drain_seconds)


if __name__ == "__main__":
    sys.exit(main())
