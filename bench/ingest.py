"""Webhook ingest through gunicorn, against a bare view on the same server in the same run; memory.

Usage: python bench/ingest.py [--quick] [--workers N] [--threads N] [--concurrency N] [--rate 200]

Starts everything on loopback and stops it at the end, also on Ctrl-C: a fresh PostgreSQL database
(BENCH_DATABASE_URL, default postgres://webcare:webcare@127.0.0.1:5432/webcare_ingest, created and
dropped), its own redis-server, gunicorn (gthread, persistent database connections) and a Celery worker,
with production settings (DEBUG off) on 127.0.0.1. Logs go to var/ingest/.

The same gunicorn serves the product and `/bare/`, a bench-only view that inserts one row through the ORM
(`benchkit.bare`, installed only by the bench's settings module). WhatsApp deliveries, one message each,
are built and signed in advance as Twilio signs them (`channels.simulator.build_delivery`), then:

1. message to ready: deliveries due at `--ready-rate` (50/s), each timed from when it was due until its
   message is filed, routed and has its suggestions (the two Celery workers, below the web server's
   priority as in production);
2. the web tier alone, the workers paused (SIGSTOP), as on a desk whose workers have cores of their
   own: `--concurrency` keep-alive connections post as fast as answers come, first to `/bare/`, then
   the signed deliveries to `/webhooks/whatsapp/` (requests/s, p50/p99 of each); then deliveries due
   at `--rate` (200/s) in an open loop, each timed from when it was due, so that a slow answer cannot
   hide the ones queued behind it. The workers continue and file the burst;
3. the same open loop with the workers on, filing and working out suggestions on the same CPUs.

The load generator is one asyncio loop speaking raw HTTP/1.1 over keep-alive connections; its own CPU
time per request is measured, so the figures say how much of the machine it took. RSS of every gunicorn
worker and Celery process is sampled throughout. At the end every delivery must be stored exactly once
and filed and routed by the worker (exit code 1 otherwise); targets that miss are printed as MISS.
"""

import argparse
import asyncio
import collections
import dataclasses
import os
import re
import signal
import sys
import time

from benchkit import ROOT, protocolset, summary, web
from benchkit.load import Endless, Phase, closed_loop, measured, open_loop, percentile, raw_request
from benchkit.procs import children, cpu_seconds, machine_cpu_seconds, rss_bytes
from benchkit.services import Services, free_port, wait_until

PYTHON = sys.executable
LOG_DIR = ROOT / "var" / "ingest"
DATABASE_URL = "postgres://webcare:webcare@127.0.0.1:5432/webcare_ingest"
SETTINGS = "benchkit.bare.settings"
TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "b" * 32,
    "TWILIO_AUTH_TOKEN": "ingest-bench-token",
    "TWILIO_WHATSAPP_FROM": "whatsapp:+31850001234",
}
WEBHOOK_PATH = "/webhooks/whatsapp/"
BARE_PATH = "/bare/"
TEXT = "De container is niet geleegd en de straat ligt vol afval, wanneer komt de vuilniswagen?"
MARK = re.compile(r"\[ingest (\d+)\]")
RESIDENTS = 2000
DRAIN_SECONDS = 300
# Targets of issue 10.
SHARE_OF_BARE = 0.50
P99_AT_RATE_MS = 25.0
RSS_LIMIT_MB = 400
WORKER_NICENESS = 10
READY_P50_MS, READY_P99_MS = 200.0, 1000.0


# --- The desk -------------------------------------------------------------------------------------


def start_desk(services: Services, args) -> tuple[str, int, int, int]:
    """Database, Redis, migrations, gunicorn and the Celery workers; the desk's URL and the master pids."""
    database_url = services.postgres_database(os.environ.get("BENCH_DATABASE_URL", DATABASE_URL))
    redis_url = services.redis()
    web_url = f"http://127.0.0.1:{free_port()}"
    # A made-up Twilio account, whose token signs the deliveries.
    env = web.environment(database_url, redis_url, web_url, settings=SETTINGS, **TWILIO)
    web.use_in_process(env)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    protocolset.import_set()  # the city's protocols: suggestions cost what they cost at a desk
    gunicorn = web.start_gunicorn(services, env, web_url, workers=args.workers, threads=args.threads)
    # Below the web server's priority, as in production (README): a burst is answered at once and
    # filed right after. Suggestions (their own queue and worker, as in docker-compose.yml) take only
    # CPU nobody else wants (SCHED_IDLE): a message is routed first; its suggestions catch up, and an
    # agent who opens it before they do has them worked out by the panel.
    priority = {"celery": ["nice", "-n", str(WORKER_NICENESS)], "suggestions": ["chrt", "--idle", "0"]}
    celery, suggestions = (
        services.process(
            name,
            [*priority[name], PYTHON, "-m", "celery", "-A", "webcare", "worker", "-Q", name]
            + ["-n", f"{name}@%h", "--concurrency", str(concurrency), "--loglevel=warning"]
            + ["--without-gossip", "--without-mingle"],
            env=env,
            cwd=ROOT,
        )
        for name, concurrency in (("celery", args.celery_concurrency), ("suggestions", 1))
    )
    from webcare.celery import app

    wait_until(lambda: len(app.control.ping(timeout=1)) == 2, "celery workers", 90, celery)
    return web_url, gunicorn.pid, celery.pid, suggestions.pid


def sign_deliveries(count: int, port: int) -> list[bytes]:
    """`count` WhatsApp deliveries (unique MessageSid, marker `[ingest n]`), as raw HTTP/1.1 requests."""
    from channels.simulator import Kind, build_delivery

    requests = []
    for number in range(count):
        delivery = build_delivery(
            Kind.WHATSAPP, f"Inwoner {number % RESIDENTS:04d}", f"{TEXT} [ingest {number}]"
        )
        assert delivery.path == WEBHOOK_PATH, delivery.path
        requests.append(raw_request(delivery.path, port, delivery.body, delivery.headers))
    return requests


class Sampler:
    """RSS of gunicorn's workers and the Celery workers' processes, every quarter second, in the loop."""

    def __init__(self, gunicorn: int, celery: int, suggestions: int) -> None:
        self.masters = {"web": gunicorn, "celery": celery, "suggestions": suggestions}
        self.peak: dict[int, int] = collections.defaultdict(int)
        self.role: dict[int, str] = {}

    def refresh(self) -> None:
        self.role = {}
        for role, master in self.masters.items():
            for pid in children(master):
                self.role[pid] = role
        for role in ("celery", "suggestions"):
            self.role[self.masters[role]] = role  # a worker's main process counts too

    def sample(self) -> None:
        for pid in self.role:
            self.peak[pid] = max(self.peak[pid], rss_bytes(pid))

    async def run(self, stop: asyncio.Event) -> None:
        ticks = 0
        while not stop.is_set():
            if ticks % 8 == 0:
                self.refresh()
            self.sample()
            ticks += 1
            await asyncio.sleep(0.25)

    def peaks(self, role: str) -> list[int]:
        return sorted((self.peak[pid] for pid, r in self.role.items() if r == role), reverse=True)

    def cpu(self) -> dict[str, float]:
        """CPU seconds so far: web workers, each Celery worker's processes, this generator, the machine."""
        totals = {"web": 0.0, "celery": 0.0, "suggestions": 0.0}
        for pid, role in self.role.items():
            totals[role] += cpu_seconds(pid)
        totals["generator"] = time.process_time()
        totals["machine"] = machine_cpu_seconds()
        return totals


def bare_request(port: int) -> bytes:
    body = b"Body=" + TEXT.replace(" ", "+").encode()
    return raw_request(BARE_PATH, port, body, {"Content-Type": "application/x-www-form-urlencoded"})


async def warm_up(args, port: int, webhooks) -> Phase:
    """Every worker thread opens its database connection and imports what a first request needs."""
    warm = Phase("warm-up")
    await closed_loop(warm, port, webhooks, args.concurrency, args.warmup)
    await closed_loop(warm, port, Endless((-1, bare_request(port))), args.concurrency, args.warmup)
    return warm


async def web_alone(args, port: int, webhooks, sampler: Sampler) -> list[Phase]:
    """Bare view and webhook in the closed loop, then the webhook in the open loop, with the workers
    paused: what the web tier takes by itself, as on a desk whose workers have cores of their own."""
    bare = Endless((-1, bare_request(port)))
    return [
        await sampled(
            sampler,
            phase := Phase("bare view, closed loop"),
            closed_loop(phase, port, bare, args.concurrency, args.seconds),
        ),
        await sampled(
            sampler,
            phase := Phase("webhook, closed loop"),
            closed_loop(phase, port, webhooks, args.concurrency, args.seconds),
        ),
        await sampled(
            sampler,
            phase := Phase(f"webhook, {args.rate:g}/s"),
            open_loop(phase, port, webhooks, args.rate, args.open_seconds, args.pool),
        ),
    ]


async def open_load(sampler: Sampler, name: str, port: int, webhooks, rate: float, args) -> Phase:
    """Webhooks due at `rate` for `--open-seconds`, each timed from when it was due."""
    phase = Phase(name)
    return await sampled(sampler, phase, open_loop(phase, port, webhooks, rate, args.open_seconds, args.pool))


async def sampled(sampler: Sampler, phase: Phase, load) -> Phase:
    """Run `load` as `phase`, sampling memory meanwhile."""
    stop = asyncio.Event()
    sampler.refresh()
    sampling = asyncio.create_task(sampler.run(stop))
    await measured(phase, sampler, load)
    stop.set()
    await sampling
    return phase


def pause_workers(sampler: Sampler, paused: bool) -> None:
    """Stop (SIGSTOP) or continue (SIGCONT) every process of both Celery workers."""
    sampler.refresh()
    for pid, role in sampler.role.items():
        if role != "web":
            os.kill(pid, signal.SIGSTOP if paused else signal.SIGCONT)


def rest(cpu: dict[str, float]) -> float:
    """What the machine spent besides the processes the bench knows: PostgreSQL, Redis, the kernel."""
    return cpu["machine"] - cpu["web"] - cpu["celery"] - cpu["suggestions"] - cpu["generator"]


def rate_kept(phase: Phase, rate: float) -> bool:
    """The generator sent at the rate due, on time: the open loop measured what it says."""
    return phase.rate >= 0.98 * rate and percentile(sorted(phase.send_lag_ms), 0.99) < 5


# --- After the load -------------------------------------------------------------------------------


def drain(sampler: Sampler, *, suggestions: bool = True) -> float | None:
    """Seconds until the workers have filed and routed every message and, with `suggestions`, worked
    out every message's suggestions (None: not within DRAIN_SECONDS)."""
    from channels.models import RawEvent, RawEventState
    from inbox.models import Direction, Message
    from protocols.models import MessageSuggestions

    incoming = Message.objects.filter(direction=Direction.INBOUND)
    began = time.monotonic()

    def drained() -> bool:
        sampler.sample()
        return not (
            RawEvent.objects.filter(state=RawEventState.PENDING).exists()
            or incoming.filter(processed_at__isnull=True).exists()
            or (suggestions and incoming.count() != MessageSuggestions.objects.count())
        )

    try:
        wait_until(drained, "the queue", DRAIN_SECONDS)
    except RuntimeError:
        return None
    return time.monotonic() - began


@dataclasses.dataclass
class Burst:
    """The workers filing what the web tier took while they were paused, and what that cost."""

    messages: int
    seconds: float | None
    cpu: dict[str, float]
    suggested: int  # suggestions worked out meanwhile


def file_burst(sampler: Sampler, messages: int) -> Burst:
    from protocols.models import MessageSuggestions

    before, suggested = sampler.cpu(), MessageSuggestions.objects.count()
    seconds = drain(sampler, suggestions=False)
    after = sampler.cpu()
    return Burst(
        messages,
        seconds,
        {key: after[key] - before[key] for key in after},
        MessageSuggestions.objects.count() - suggested,
    )


def readiness(phase: Phase) -> tuple[list[float], list[float]]:
    """Milliseconds from when each delivery of `phase` was due to its message being routed (topic and
    team set), and to its suggestions being kept: 'ready' for an agent."""
    from inbox.models import Direction, Message
    from protocols.models import MessageSuggestions

    suggested = dict(MessageSuggestions.objects.values_list("message_id", "computed_at"))
    routed, ready = [], []
    for pk, text, processed_at in Message.objects.filter(direction=Direction.INBOUND).values_list(
        "pk", "text", "processed_at"
    ):
        match = MARK.search(text)
        due = phase.due_at.get(int(match.group(1))) if match else None
        if due is None or processed_at is None or pk not in suggested:
            continue
        routed.append((processed_at.timestamp() - due) * 1000)
        ready.append((suggested[pk].timestamp() - due) * 1000)
    return sorted(routed), sorted(ready)


def verify(posted: list[int], sampler: Sampler) -> tuple[int, int, int, int, float | None]:
    """Kept (every delivery), filed exactly once and routed; waits for the workers to file and route
    the rest, sampling memory meanwhile. Lost means not even kept: one the worker has yet to file is not
    lost. Suggestions still queued then are not waited for: the panel works out any it lacks."""
    from urllib.parse import unquote_plus

    from channels.models import RawEvent
    from inbox.models import Direction, Message

    incoming = Message.objects.filter(direction=Direction.INBOUND)
    drain_seconds = drain(sampler, suggestions=False)
    kept = {
        int(match.group(1))
        for body in RawEvent.objects.values_list("body", flat=True)
        if (match := MARK.search(unquote_plus(body)))
    }
    stored = collections.Counter(
        int(match.group(1))
        for text in incoming.values_list("text", flat=True)
        if (match := MARK.search(text))
    )
    processed = {
        int(match.group(1))
        for text in incoming.filter(processed_at__isnull=False).values_list("text", flat=True)
        if (match := MARK.search(text))
    }
    want = set(posted)
    duplicated = sum(count - 1 for count in stored.values() if count > 1)
    return len(want), len(want - kept), duplicated, len(want & processed), drain_seconds


def report(args, phases: list[Phase], sampler: Sampler, verdict, readied, burst, elapsed: float) -> list:
    """Print what the run saw; the figures as summary rows."""
    from benchkit.bare.models import BareRow
    from django.db import connection

    from inbox.models import Direction, Message
    from protocols.models import MessageSuggestions

    _ready, bare, webhook, steady, busy = phases
    routed_ms, ready_ms = readied
    posted, lost, duplicated, processed, drain_seconds = verdict
    bare_rows = BareRow.objects.count()
    suggested = MessageSuggestions.objects.count()
    incoming = Message.objects.filter(direction=Direction.INBOUND).count()
    errors = {
        phase.name: {status: n for status, n in phase.statuses.items() if status != 200}
        for phase in phases
        if any(status != 200 for status in phase.statuses)
    }

    share = webhook.rate / bare.rate if bare.rate else 0.0
    web_peaks, celery_peaks = sampler.peaks("web"), sampler.peaks("celery")
    web_mb = web_peaks[0] / 2**20 if web_peaks else 0.0
    celery_mb = celery_peaks[0] / 2**20 if celery_peaks else 0.0
    suggestion_peaks = sampler.peaks("suggestions")
    suggestions_mb = suggestion_peaks[0] / 2**20 if suggestion_peaks else 0.0
    cores = os.cpu_count() or 1
    print(
        f"webhook ingest ({connection.vendor}, Redis, gunicorn {args.workers} gthread workers x "
        f"{args.threads} threads, Celery prefork x{args.celery_concurrency}; {args.concurrency} keep-alive "
        "connections; "
        f"{cores} CPUs, load average {os.getloadavg()[0]:.1f}; {elapsed:.0f} s)"
    )
    print(f"  {'phase':<28} {'requests/s':>10} {'p50':>8} {'p95':>8} {'p99':>8} {'requests':>9}")
    for phase in phases:
        print(
            f"  {phase.name:<28} {phase.rate:10.0f} {phase.pct(0.5):6.1f}ms {phase.pct(0.95):6.1f}ms "
            f"{phase.pct(0.99):6.1f}ms {phase.count:9d}"
        )
    print("  where the CPU went (share of all CPUs over the phase):")
    for phase in phases:
        capacity = phase.seconds * cores
        parts = {key: phase.cpu[key] / capacity for key in phase.cpu}
        print(
            f"    {phase.name:<28} busy {parts['machine']:4.0%}: gunicorn {parts['web']:4.0%}, filing and "
            f"routing {parts['celery']:4.0%}, suggestions {parts['suggestions']:4.0%}, generator "
            f"{parts['generator']:4.0%}, PostgreSQL/Redis/other {rest(parts):4.0%}"
        )
    per_request_us = bare.generator_cpu / bare.count * 1e6 if bare.count else 0.0
    print(
        f"  generator: {per_request_us:.0f} us CPU a request against the bare view, so one core drives "
        f"~{1e6 / per_request_us if per_request_us else 0:,.0f} requests/s; it used "
        f"{bare.generator_cpu / bare.seconds:.0%} of one core at {bare.rate:.0f} requests/s"
    )
    for phase in (steady, busy):
        lags = sorted(phase.send_lag_ms)
        kept = "kept" if rate_kept(phase, args.rate) else "NOT kept"
        print(
            f"  {phase.name}: {phase.rate:.1f} requests/s sent of {args.rate:g} due; requests left late by "
            f"p50 {percentile(lags, 0.5):.2f} ms, p99 {percentile(lags, 0.99):.2f} ms, "
            f"max {lags[-1] if lags else 0:.1f} ms -> rate {kept}"
        )
    print(
        "  memory: peak RSS of each gunicorn worker "
        + ", ".join(f"{peak / 2**20:.0f}" for peak in web_peaks)
        + " MB; of each Celery process "
        + ", ".join(f"{peak / 2**20:.0f}" for peak in celery_peaks)
        + " MB; of the suggestions' worker "
        + ", ".join(f"{peak / 2**20:.0f}" for peak in suggestion_peaks)
        + " MB"
    )
    drained = (
        f"drained in {drain_seconds:.0f} s"
        if drain_seconds is not None
        else f"NOT drained in {DRAIN_SECONDS} s"
    )
    print(
        f"  correctness: {posted} webhooks posted, {lost} lost, {duplicated} stored twice, {processed} "
        f"filed and routed by the workers ({drained}); {bare_rows} bare rows; non-200 answers: "
        f"{errors or 'none'}; suggestions worked out for {suggested} of {incoming} messages by the end"
    )
    filed = f"in {burst.seconds:.0f} s" if burst.seconds is not None else f"NOT in {DRAIN_SECONDS} s"
    print(f"  after the pause: the {burst.messages} messages taken meanwhile filed and routed {filed}")
    # CPU per message, each part where it is measured alone: the webhook with the workers paused, the
    # workers while nothing else runs (PostgreSQL and Redis then serve them).
    per = {
        "webhook": (webhook.cpu["web"] + rest(webhook.cpu)) / max(webhook.count, 1),
        "filing and routing": (burst.cpu["celery"] + rest(burst.cpu)) / max(burst.messages, 1),
        "suggestions": burst.cpu["suggestions"] / max(burst.suggested, 1),
    }
    total_ms = sum(per.values()) * 1000
    print(
        "  CPU a message costs: "
        + ", ".join(f"{name} {seconds * 1000:.1f} ms" for name, seconds in per.items())
        + f" (with PostgreSQL's and Redis's share): {total_ms:.0f} ms, so {cores} CPUs make at most "
        f"{cores * 1000 / total_ms:.0f} messages/s ready"
    )
    print(
        f"  message to ready at {args.ready_rate:g}/s ({len(ready_ms)} messages): routed, topic set p50 "
        f"{percentile(routed_ms, 0.5):.0f} ms, p99 {percentile(routed_ms, 0.99):.0f} ms; with suggestions "
        f"p50 {percentile(ready_ms, 0.5):.0f} ms, p99 {percentile(ready_ms, 0.99):.0f} ms"
    )
    print()
    ready_p50, ready_p99 = percentile(ready_ms, 0.5), percentile(ready_ms, 0.99)
    routed_p50 = percentile(routed_ms, 0.5)
    rows = [
        (
            "webhook vs bare view requests/s, workers paused",
            f"{share:.0%} ({webhook.rate:.0f} / {bare.rate:.0f})",
            "≥ 50%",
            share >= SHARE_OF_BARE,
        ),
        (
            f"webhook p99 at {args.rate:g}/s, workers paused",
            f"{steady.pct(0.99):.1f} ms",
            "≤ 25 ms",
            steady.pct(0.99) <= P99_AT_RATE_MS and rate_kept(steady, args.rate),
        ),
        (
            f"webhook p99 at {args.rate:g}/s, workers on",
            f"{busy.pct(0.99):.1f} ms",
            "≤ 25 ms",
            busy.pct(0.99) <= P99_AT_RATE_MS and rate_kept(busy, args.rate),
        ),
        (
            f"message to ready at {args.ready_rate:g}/s",
            f"p50 {ready_p50:.0f} ms, p99 {ready_p99:.0f} ms (routed p50 {routed_p50:.0f} ms)",
            "p50 ≤ 200 ms, p99 ≤ 1 s",
            bool(ready_ms) and ready_p50 <= READY_P50_MS and ready_p99 <= READY_P99_MS,
        ),
        ("peak RSS, one web worker", f"{web_mb:.0f} MB", "≤ 400 MB", web_mb <= RSS_LIMIT_MB),
        ("peak RSS, one Celery worker", f"{celery_mb:.0f} MB", "≤ 400 MB", celery_mb <= RSS_LIMIT_MB),
        (
            "peak RSS, the suggestions' worker",
            f"{suggestions_mb:.0f} MB",
            "≤ 400 MB",
            suggestions_mb <= RSS_LIMIT_MB,
        ),
        (
            "kept, filed once, routed",
            f"{lost} lost, {duplicated} twice, {processed}/{posted}",
            "all",
            not (lost or duplicated) and processed == posted,
        ),
    ]
    print(summary.table(summary.as_dicts(rows)))
    return rows


def main() -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short phases (about a minute in all)")
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers (default 2 x cores)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--celery-concurrency", type=int, default=cores)
    parser.add_argument("--concurrency", type=int, default=16, help="connections in the closed loop")
    parser.add_argument("--rate", type=float, default=200, help="webhooks per second in the open loop")
    parser.add_argument("--pool", type=int, default=64, help="connections the open loop may use")
    parser.add_argument("--ready-rate", type=float, default=50, help="webhooks per second, message to ready")
    parser.add_argument("--summary", help="also write the figures as JSON rows to this file (bench/all.py)")
    args = parser.parse_args()
    args.warmup, args.seconds, args.open_seconds = (1.0, 3.0, 5.0) if args.quick else (2.0, 5.0, 10.0)
    started = time.monotonic()
    with Services(LOG_DIR) as services:
        print(f"== ingest: starting PostgreSQL, Redis, gunicorn and Celery (logs: {LOG_DIR})")
        web_url, *masters = start_desk(services, args)
        port = int(web_url.rsplit(":", 1)[1])
        # Enough for the closed loop at up to 1,000/s, the open loops, and the warm-up.
        count = int(
            1000 * (args.seconds + args.warmup) + (2 * args.rate + args.ready_rate) * args.open_seconds
        )
        deliveries = sign_deliveries(count, port)
        print(
            f"== {count} deliveries signed; load: {args.open_seconds:g} s at {args.ready_rate:g}/s; workers "
            f"paused: {args.seconds:g} s + {args.seconds:g} s closed, {args.open_seconds:g} s at "
            f"{args.rate:g}/s; workers on: {args.open_seconds:g} s at {args.rate:g}/s"
        )
        sampler = Sampler(*masters)
        sampler.refresh()
        webhooks = collections.deque(enumerate(deliveries))
        warm = asyncio.run(warm_up(args, port, webhooks))
        drain(sampler)
        # On a quiet desk: how soon a message is ready for an agent.
        ready = asyncio.run(
            open_load(sampler, f"webhook, {args.ready_rate:g}/s", port, webhooks, args.ready_rate, args)
        )
        drain(sampler)
        readied = readiness(ready)
        pause_workers(sampler, True)
        try:
            alone = asyncio.run(web_alone(args, port, webhooks, sampler))
        finally:
            pause_workers(sampler, False)
        burst = file_burst(sampler, sum(phase.count for phase in alone[1:]))
        busy = asyncio.run(
            open_load(sampler, f"webhook, {args.rate:g}/s, workers on", port, webhooks, args.rate, args)
        )
        phases = [ready, *alone, busy]
        posted = [number for phase in (warm, *phases) for number in phase.sent if number >= 0]
        verdict = verify(posted, sampler)
        rows = report(args, phases, sampler, verdict, readied, burst, time.monotonic() - started)
        if args.summary:
            summary.write(args.summary, rows)
        return 1 if verdict[1] or verdict[2] or verdict[3] != verdict[0] else 0


if __name__ == "__main__":
    sys.exit(main())
