"""The agents' read paths through gunicorn on a year of a city's desk: inbox, conversation, suggest, reports.

Usage: python bench/desk.py [--quick] [--summary PATH] [--workers N] [--threads N] [--connections 2]

Starts on loopback and stops at the end, also on Ctrl-C: its own redis-server (the cache and broker of
production settings) and gunicorn (gthread, `--workers` one per core by default, 4 threads each,
persistent database connections) with production settings (DEBUG off) on 127.0.0.1. No Celery worker:
these read paths queue no work (what a worker would have stored beforehand is stored by this process).
Logs go to var/desk/.

The PostgreSQL database (BENCH_DATABASE_URL, default postgres://webcare:webcare@127.0.0.1:5432/webcare_desk)
is kept between runs: bench/benchkit/citydata.py writes a year of the city's desk into it (1,000,000
messages in 200,000 conversations, about 100 s) once, and again only when its arguments or the day
change. On top of it, each run makes sure of (and adds what is missing):

- the protocols of bench/data/protocols.yaml plus fillers, 1,000 published (benchkit.protocolset);
- one open WhatsApp conversation in team "webcare" with exactly 50 messages, whose latest message from
  the resident is answered by 3 protocols (the first labelled message that is), with the suggestions a
  worker keeps for each message as it comes in (protocols.services.suggest_for_message, run here); made
  anew each run and deleted before citydata looks at the database, which knows its dataset by its counts;
- sessions made in the database as a log-in makes them: four agents of team "webcare", and a lead
  whose session passed two-factor (a confirmed TOTP device put in the session by django_otp.login);
- the suggestion index, built in this process first (to count queries and to choose the question): the
  first process after a change of the protocols' texts embeds them and keeps the vectors in the database
  (minutes), so that gunicorn's workers only read them.

Then, for each figure, the requests go through gunicorn as raw HTTP/1.1 on keep-alive connections
(benchkit.load), the agents' on `--connections` (2) connections, the lead's on 1: a warm-up, then a
fixed number of requests (or `--max-seconds`, whichever comes first). A connection stays with the
gunicorn worker that accepted it; when all of a figure's connections landed on one worker (it then did
more than 80% of the work, on one core), the figure is measured again, at most twice:

- inbox list: GET /api/v1/conversations/?team=webcare&status=open and the queue page /inbox/?... (50 rows);
- conversation: the page of 50 messages, with the 3 suggestions a worker worked out for the latest and
  the panels to ask a department and to record a resident's idea, all in the one answer;
- suggest: POST /api/v1/protocols/suggest/ (session and CSRF token) with the labelled messages in turn,
  after every gunicorn worker has built its index of the 1,000 protocols (warmed up until every worker
  has loaded the model; how long the first answers took is printed);
- dashboard as the lead: GET /api/v1/metrics/ and the /reports/ page for the last 90 days.

Before and after each figure's load one response is fetched through gunicorn and its content checked
(status 200, not a redirect to the log-in; 50 rows, 50 messages, 3 suggestions, the dashboard's figures);
every response of the load must be 200. The SQL queries of each request are counted in this process
with the Django test client on the same database (the inbox list also on a filter with few rows, to show
the count does not grow with the data).

Prints p50/p95/p99, requests/s, queries and where the CPU went per figure, how long each part took, and
a table of figure, measured, target and PASS/MISS; `--summary PATH` writes the table as JSON rows
[{"figure", "measured", "target", "verdict"}]. Exit code 1 when a check fails, not on a MISS. The
machine is shared: the figures vary from run to run.

How long: about 2.5 minutes (`--quick`: 1 minute), plus about 2 minutes for the dataset on the first run
of a day and about 1.5 minutes to embed the protocols when their vectors are not in the database yet.
"""

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import requests
from benchkit import ROOT, summary
from benchkit.load import Connection, Phase, closed_loop, measured, raw_request
from benchkit.procs import children, cpu_seconds, machine_cpu_seconds, rss_bytes
from benchkit.services import Services, free_port, wait_until
from benchkit.web import environment, start_gunicorn, use_in_process

LOG_DIR = ROOT / "var" / "desk"
DATABASE_URL = "postgres://webcare:webcare@127.0.0.1:5432/webcare_desk"
MESSAGES_FILE = ROOT / "bench" / "data" / "suggest_messages.jsonl"
PROTOCOLS = 1000
TEAM = "webcare"
AGENTS = 4  # sessions made; the load uses CONNECTIONS of them
# Agents clicking without a pause, one per core: the machine busy, not oversubscribed. A person reads
# between clicks, so this stands for a desk of dozens. `--connections 4` queues requests behind each other.
CONNECTIONS = 2
PAGE_ROWS = 50
THREAD_MESSAGES = 50
SUGGESTIONS = 3
PERIOD_DAYS = 90
# The conversation of the conversation figures, known by its resident's (made-up) WhatsApp identity.
THREAD_IDENTITY = "bench-desk-thread"
SLOW_FIRST_ANSWER_MS = 1000  # a suggest answer this slow in the warm-up: the worker was building its index
BUILDING_BYTES = 50 * 2**20  # a worker whose memory grew this much is loading the model and building
WARM_CONNECTIONS = 64
LOPSIDED = 0.8  # a load one worker served more than this share of (all connections landed on it)
LOPSIDED_RETRIES = 2
# Targets of the performance issue, in milliseconds.
INBOX_P95_MS = 50
CONVERSATION_P95_MS = 80
SUGGEST_P95_MS = 30
DASHBOARD_P95_MS = 1000

QUEUE_ROW = re.compile(r'<tr class="')
MESSAGE_ITEM = re.compile(r'<li class="msg msg-')
SUGGESTION_ITEM = re.compile(r"data-suggestion=")
PANELS = ('id="escalate-form"', 'id="feedback-record-form"')  # asking a department, recording an idea
CHART_CARD = re.compile(r'class="chart-card"')


# --- Time per part -------------------------------------------------------------------------------


class Parts:
    """How long each part of the run took, printed as it ends and again at the end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def __call__(self, name: str):
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - started
        print(f"   ({self.seconds[name]:.1f} s)", flush=True)


# --- The data --------------------------------------------------------------------------------------


@dataclass
class Desk:
    """What the figures need from the database: who asks, what about, and what the answers hold."""

    conversation_id: int
    question: str  # the resident's latest message: 3 protocols answer it
    agents: list[str]  # session keys of agents of team "webcare"
    lead: str  # session key of a lead whose session passed two-factor
    csrf_secret: str
    csrf_token: str
    few_rows_filter: str  # a filter of the queue with few rows
    few_rows: int
    start: str
    end: str
    texts: list[str] = field(default_factory=list)  # the labelled messages, for suggest
    expected: dict[str, object] = field(default_factory=dict)


def prepare(parts: Parts) -> Desk:
    """The dataset (written once), the protocols, the 50-message conversation and the sessions."""
    from benchkit import citydata, protocolset
    from django.core.management import call_command
    from django.utils import timezone

    from protocols.models import Protocol

    with parts("migrations"):
        call_command("migrate", verbosity=0)
    with parts("a year of the city's desk (citydata: about 100 s when written, at once when stored)"):
        remove_thread()  # citydata knows its dataset by the number of conversations and messages
        counts = citydata.generate()
        print("   " + ", ".join(f"{name} {number:,}" for name, number in counts.items()))
    with parts(f"protocols: the labelled set and fillers, {PROTOCOLS:,} published"):
        protocolset.import_set()
        protocolset.add_fillers(PROTOCOLS)
        published = Protocol.objects.published().count()
        print(f"   {published:,} published protocols")
        if published != PROTOCOLS:
            raise SystemExit(f"FAILED: {published} published protocols, not {PROTOCOLS}")
    with parts(f"suggestion index of the {PROTOCOLS:,} protocols in this process"):
        print(
            f"   built in {suggestion_index():.1f} s (minutes when the protocols' vectors are not kept yet)"
        )
    texts = [
        json.loads(line)["text"] for line in MESSAGES_FILE.read_text(encoding="utf-8").splitlines() if line
    ]
    with parts(f"the conversation of {THREAD_MESSAGES} messages, and sessions"):
        conversation_id, question = thread(texts)
        print(f"   conversation {conversation_id}; the resident's latest message: {question!r}")
        agents, lead = sessions()
        secret, token = csrf_pair()
        few_filter, few = few_rows_filter()
    end = timezone.localdate() - timedelta(days=1)  # the data stops at midnight: yesterday is the last day
    start = end - timedelta(days=PERIOD_DAYS - 1)
    return Desk(
        conversation_id=conversation_id,
        question=question,
        agents=agents,
        lead=lead,
        csrf_secret=secret,
        csrf_token=token,
        few_rows_filter=few_filter,
        few_rows=few,
        start=start.isoformat(),
        end=end.isoformat(),
        texts=texts,
    )


def suggestion_index() -> float:
    """Build the suggestion index in this process (to count queries and to choose the question); seconds.

    The protocols' vectors are kept in the database: the first process after a change of their texts
    embeds them (minutes), every later one reads them. Built here first, gunicorn's workers read them.
    """
    from protocols import suggest

    started = time.perf_counter()
    suggest._current_index()
    return time.perf_counter() - started


def remove_thread() -> None:
    """Delete the conversation an earlier run added (with its messages), so that citydata finds its own
    counts and does not write the dataset again."""
    from inbox.models import Conversation

    Conversation.objects.filter(identity__channel="whatsapp", identity__external_id=THREAD_IDENTITY).delete()


def thread(texts: list[str]) -> tuple[int, str]:
    """An open WhatsApp conversation of team "webcare" with 50 messages, the last one a question that 3
    protocols answer (the first labelled message that is); made anew in each run, after citydata."""
    from django.utils import timezone

    from accounts.models import User
    from inbox.models import ChannelIdentity, Contact, Conversation, DeliveryStatus, Direction, Message, Team
    from inbox.workflow import Status
    from protocols.services import suggest_for_message
    from protocols.suggest import suggest

    def answered_by_three(text: str) -> bool:
        return len(suggest(text, first_name="Sanne", channel="whatsapp").results) == SUGGESTIONS

    question = next((text for text in texts if answered_by_three(text)), None)
    if question is None:
        raise SystemExit("FAILED: no labelled message is answered by 3 protocols")
    team = Team.objects.get(slug=TEAM)
    agent = User.objects.filter(role="agent", team=team).order_by("username").first()
    now = timezone.now()
    begin = now - timedelta(minutes=2 * THREAD_MESSAGES)
    identity = ChannelIdentity.objects.filter(channel="whatsapp", external_id=THREAD_IDENTITY).first()
    if identity is None:  # citydata empties the residents when it writes a new dataset
        contact = Contact.objects.create(name="Sanne Bench", created_at=begin)
        identity = ChannelIdentity.objects.create(
            contact=contact, channel="whatsapp", external_id=THREAD_IDENTITY, handle="Sanne Bench"
        )
    conversation = Conversation.objects.create(
        contact=identity.contact,
        identity=identity,
        channel="whatsapp",
        team=team,
        status=Status.OPEN,
        created_at=begin,
        last_message_at=now,
        last_inbound_at=now,
        first_response_due=begin + timedelta(hours=1),
        first_response_at=begin + timedelta(minutes=2),
        response_due=now + timedelta(hours=1),
        resolution_due=begin + timedelta(days=2),
    )
    others = [text for text in texts if text != question]
    messages = []
    for n in range(THREAD_MESSAGES):
        inbound = n % 2 == 0 or n == THREAD_MESSAGES - 1
        text = question if n == THREAD_MESSAGES - 1 else others[n % len(others)]
        messages.append(
            Message(
                conversation=conversation,
                channel="whatsapp",
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                text=text if inbound else f"Hoi Sanne, dank voor je bericht. {text[:60]}",
                provider_id=f"{THREAD_IDENTITY}-{n}",
                delivery_status=DeliveryStatus.RECEIVED if inbound else DeliveryStatus.DELIVERED,
                author=None if inbound else agent,
                language="nl",
                created_at=begin + timedelta(minutes=2 * n),
                processed_at=begin + timedelta(minutes=2 * n),
            )
        )
    Message.objects.bulk_create(messages)
    for message in messages:  # what the worker keeps for each message as it comes in
        if message.direction == Direction.INBOUND:
            suggest_for_message(message.pk)
    return conversation.pk, question


def sessions() -> tuple[list[str], str]:
    """Session keys, made in the database as a log-in makes them: agents of team "webcare", and a lead
    whose session passed two-factor as django_otp records it (its device's persistent id)."""
    import django_otp
    from benchkit import citydata
    from django.conf import settings
    from django.http import HttpRequest
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    def logged_in(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    agents = User.objects.filter(role="agent", team__slug=TEAM, is_active=True).order_by("username")[:AGENTS]
    if len(agents) < AGENTS:
        raise SystemExit(f"FAILED: {len(agents)} agents in team {TEAM}, not {AGENTS}")
    keys = [logged_in(agent).cookies[settings.SESSION_COOKIE_NAME].value for agent in agents]
    lead = User.objects.get(username=citydata.LEADS[0])
    device = TOTPDevice.objects.filter(user=lead, confirmed=True).first() or TOTPDevice.objects.create(
        user=lead, name="app", confirmed=True
    )
    client = logged_in(lead)
    request = HttpRequest()
    request.user, request.session = lead, client.session
    django_otp.login(request, device)
    request.session.save()
    return keys, request.session.session_key


def csrf_pair() -> tuple[str, str]:
    """A CSRF cookie's secret and a token for the X-CSRFToken header, as a page would hand them out."""
    from django.http import HttpRequest
    from django.middleware.csrf import get_token

    request = HttpRequest()
    token = get_token(request)
    return request.META["CSRF_COOKIE"], token


def few_rows_filter() -> tuple[str, int]:
    """The queue filtered by the channel with the fewest open conversations of the team (at least 1)."""
    from django.db.models import Count

    from inbox.models import Conversation

    per_channel = (
        Conversation.objects.filter(team__slug=TEAM, status="open")
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by("n")
    )
    channel, rows = next((channel, n) for channel, n in per_channel if n >= 1)
    return f"&channel={channel}", min(rows, PAGE_ROWS)


# --- The figures -----------------------------------------------------------------------------------


@dataclass
class Figure:
    """One kind of request: how to make it per session, what its answer must hold, its target."""

    name: str
    method: str
    path: str
    check: Callable[[requests.Response], str | None]  # None: right; otherwise what is wrong
    target_ms: float | None
    sessions: list[str]
    connections: int
    count: int  # requests measured
    warmup: int  # requests before
    bodies: list[bytes] = field(default_factory=lambda: [b""])  # the first one is checked
    load_bodies: list[bytes] = field(default_factory=list)  # taken in turn under load (default: bodies)
    phase: Phase | None = None
    queries: int | None = None
    problems: list[str] = field(default_factory=list)
    slow_first_ms: list[float] = field(default_factory=list)

    def headers(self, desk: Desk, session: str, body: bytes) -> dict[str, str]:
        from django.conf import settings

        cookies = {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: desk.csrf_secret}
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}
        headers["Accept"] = "application/json" if self.path.startswith("/api/") else "text/html"
        if self.method == "POST":
            headers |= {"Content-Type": "application/json", "X-CSRFToken": desk.csrf_token}
        return headers

    def raw(self, desk: Desk, port: int, count: int) -> collections.deque:
        """`count` raw requests, taking the sessions (and bodies) in turn."""
        bodies = self.load_bodies or self.bodies
        pairs = zip(itertools.cycle(self.sessions), itertools.cycle(bodies), strict=False)
        return collections.deque(
            (number, raw_request(self.path, port, body, self.headers(desk, session, body), self.method))
            for number, (session, body) in zip(range(count), pairs, strict=False)
        )


def json_body(text: str) -> bytes:
    return json.dumps({"text": text}).encode()


def expect_json(check: Callable[[dict], str | None]) -> Callable[[requests.Response], str | None]:
    def checked(response: requests.Response) -> str | None:
        try:
            data = response.json()
        except ValueError:
            return f"not JSON: {response.text[:80]!r}"
        return check(data)

    return checked


def expect_count(pattern: re.Pattern, count: int, what: str) -> Callable[[requests.Response], str | None]:
    def checked(response: requests.Response) -> str | None:
        found = len(pattern.findall(response.text))
        return None if found == count else f"{found} {what}, not {count}"

    return checked


def figures(desk: Desk, args) -> dict[str, Figure]:
    queue = f"?team={TEAM}&status=open"
    period = f"?start={desk.start}&end={desk.end}"
    conversation = desk.conversation_id

    def rows(data: dict) -> str | None:
        return None if len(data.get("results", [])) == PAGE_ROWS else f"{len(data.get('results', []))} rows"

    def three(data: dict) -> str | None:
        return (
            None if len(data.get("results", [])) == SUGGESTIONS else f"{len(data.get('results', []))} results"
        )

    def metrics(data: dict) -> str | None:
        want = desk.expected.get("metrics")
        return (
            None
            if data.get("conversations") == want
            else f"{data.get('conversations')} conversations, not {want}"
        )

    def whole_conversation(response: requests.Response) -> str | None:
        """50 messages, the 3 suggestions a worker worked out, and both panels, in the one answer."""
        return (
            expect_count(MESSAGE_ITEM, THREAD_MESSAGES, "messages")(response)
            or expect_count(SUGGESTION_ITEM, SUGGESTIONS, "suggestions")(response)
            or next((f"no {panel}" for panel in PANELS if panel not in response.text), None)
        )

    def charts(response: requests.Response) -> str | None:
        found, want = len(CHART_CARD.findall(response.text)), desk.expected.get("charts")
        return (
            None
            if found == want and 'data-metric="conversations"' in response.text
            else f"{found} charts, not {want}"
        )

    agent = {
        "sessions": desk.agents,
        "connections": args.connections,
        "count": args.requests,
        "warmup": args.warmup,
    }
    lead = {
        "sessions": [desk.lead],
        "connections": args.lead_connections,
        "count": args.lead_requests,
        "warmup": args.lead_warmup,
    }
    found = [
        Figure(
            "inbox list, API",
            "GET",
            f"/api/v1/conversations/{queue}",
            expect_json(rows),
            INBOX_P95_MS,
            **agent,
        ),
        Figure(
            "inbox list, queue page",
            "GET",
            f"/inbox/{queue}",
            expect_count(QUEUE_ROW, PAGE_ROWS, "rows"),
            INBOX_P95_MS,
            **agent,
        ),
        Figure(
            "conversation page",
            "GET",
            f"/inbox/conversations/{conversation}/",
            whole_conversation,
            CONVERSATION_P95_MS,
            **agent,
        ),
        Figure(
            "suggest API",
            "POST",
            "/api/v1/protocols/suggest/",
            expect_json(three),
            SUGGEST_P95_MS,
            bodies=[json_body(desk.question)],
            load_bodies=[json_body(text) for text in desk.texts],
            **agent,
        ),
        Figure(
            "metrics API, 90 days",
            "GET",
            f"/api/v1/metrics/{period}",
            expect_json(metrics),
            DASHBOARD_P95_MS,
            **lead,
        ),
        Figure("reports page, 90 days", "GET", f"/reports/{period}", charts, DASHBOARD_P95_MS, **lead),
    ]
    return {figure.name: figure for figure in found}


# --- Queries, counted in this process -------------------------------------------------------------


def count_queries(desk: Desk, all_figures: dict[str, Figure]) -> dict[str, int]:
    """SQL queries of one request of each figure (after one to warm up), with the test client; and the
    inbox list on the filter with few rows. Notes what the dashboard's answers must hold."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def client(session: str) -> Client:
        made = Client()
        made.cookies[settings.SESSION_COOKIE_NAME] = session
        made.cookies[settings.CSRF_COOKIE_NAME] = desk.csrf_secret
        return made

    def call(figure: Figure, path: str = ""):
        made = client(figure.sessions[0])
        if figure.method == "POST":
            return made.post(
                figure.path,
                figure.bodies[0],
                content_type="application/json",
                HTTP_X_CSRFTOKEN=desk.csrf_token,
            )
        return made.get(path or figure.path)

    def queries(figure: Figure, path: str = "") -> tuple[int, object]:
        call(figure, path)
        with CaptureQueriesContext(connection) as captured:
            response = call(figure, path)
        if response.status_code != 200:
            raise SystemExit(f"FAILED: {figure.name} in this process answered {response.status_code}")
        return len(captured), response

    counted = {}
    for name, figure in all_figures.items():
        counted[name], response = queries(figure)
        figure.queries = counted[name]
        if name.startswith("metrics"):
            desk.expected["metrics"] = json.loads(response.content)["conversations"]
        if name.startswith("reports"):
            desk.expected["charts"] = len(CHART_CARD.findall(response.content.decode()))
    few = {}
    for name in ("inbox list, API", "inbox list, queue page"):
        figure = all_figures[name]
        counted[f"{name}, few rows"], few[name] = queries(figure, figure.path + desk.few_rows_filter)
    rows = len(json.loads(few["inbox list, API"].content)["results"])
    if rows != desk.few_rows:
        raise SystemExit(
            f"FAILED: the inbox list with {desk.few_rows_filter} has {rows} rows, not {desk.few_rows}"
        )
    return counted


# --- Through gunicorn ------------------------------------------------------------------------------


class Cpu:
    """CPU seconds so far of gunicorn's workers (in all, and each), this process (the load generator)
    and the machine."""

    def __init__(self, master: int) -> None:
        self.pids = sorted(children(master))

    def workers(self) -> list[int]:
        return self.pids

    def cpu(self) -> dict[str, float]:
        each = {f"worker {pid}": cpu_seconds(pid) for pid in self.pids}
        return {
            "web": sum(each.values()),
            **each,
            "generator": time.process_time(),
            "machine": machine_cpu_seconds(),
        }


def check_through_gunicorn(figure: Figure, desk: Desk, web_url: str) -> None:
    """One request of the figure through gunicorn, its answer checked; a problem is noted on the figure."""
    session, body = figure.sessions[0], figure.bodies[0]
    try:
        response = requests.request(
            figure.method,
            web_url + figure.path,
            data=body or None,
            headers=figure.headers(desk, session, body),
            allow_redirects=False,
            timeout=30,
        )
    except requests.RequestException as error:
        figure.problems.append(f"no answer: {error}")
        return
    if response.status_code != 200:
        where = response.headers.get("Location", "")
        figure.problems.append(f"answered {response.status_code}{' to ' + where if where else ''}")
        return
    problem = figure.check(response)
    if problem:
        figure.problems.append(problem)


async def load(figure: Figure, desk: Desk, port: int, cpu: Cpu, args) -> None:
    """A warm-up, then the figure's requests in a closed loop on its connections.

    A keep-alive connection stays with the gunicorn worker that accepted it, and with few connections
    all of them may land on one worker, whose GIL then serves them on one core: that measures where
    the connections landed, not the desk, so a load that one worker served alone is measured again
    (at most LOPSIDED_RETRIES times; the table shows each worker's share)."""
    warm = Phase(f"{figure.name}, warm-up")
    queued = figure.raw(desk, port, figure.warmup)
    await closed_loop(warm, port, queued, figure.connections, args.max_seconds)
    statuses = warm.statuses
    for attempt in range(LOPSIDED_RETRIES + 1):
        phase = Phase(figure.name)
        queued = figure.raw(desk, port, figure.count)
        await measured(phase, cpu, closed_loop(phase, port, queued, figure.connections, args.max_seconds))
        statuses += phase.statuses
        if figure.connections < 2 or attempt == LOPSIDED_RETRIES or not served_by_one(phase):
            break
    figure.phase = phase
    bad = {status: n for status, n in statuses.items() if status != 200}
    if bad:
        figure.problems.append(f"answers other than 200: {bad}")


def served_by_one(phase: Phase) -> bool:
    """Whether one gunicorn worker did nearly all the phase's work (said so: it is measured again)."""
    shares = worker_shares(phase)
    if len(shares) < 2 or max(shares) <= LOPSIDED:
        return False
    print(f"   one worker served {max(shares):.0%} of the load: its connections all landed there; again")
    return True


def worker_shares(phase: Phase) -> list[float]:
    """Each gunicorn worker's share of the CPU gunicorn used in the phase."""
    each = [seconds for key, seconds in phase.cpu.items() if key.startswith("worker ")]
    return [seconds / max(sum(each), 1e-9) for seconds in each]


async def warm_suggestions(figure: Figure, desk: Desk, port: int, cpu: Cpu, args) -> None:
    """Until every gunicorn worker has loaded the model and built its index of the protocols.

    A connection lands on whichever worker accepts it first, so one request on a new connection goes out
    every quarter second, without waiting for the answers, until every worker's memory has grown (it is
    building: they build at once, not one after the other) or WARM_CONNECTIONS have gone out; then the
    answers are awaited. Then rounds of requests on new connections, until one has no slow answer.
    """
    workers = cpu.workers()
    before = {pid: rss_bytes(pid) for pid in workers}
    queued = figure.raw(desk, port, WARM_CONNECTIONS)
    first = Phase("suggest, first answers")

    async def one(request: bytes) -> None:
        connection = Connection(port)
        begin = time.perf_counter()
        status = await connection.send(request)
        first.latencies_ms.append((time.perf_counter() - begin) * 1000)
        first.statuses[status] += 1
        connection.close()

    sent = []
    while queued and not all(rss_bytes(pid) - before[pid] > BUILDING_BYTES for pid in workers):
        sent.append(asyncio.create_task(one(queued.popleft()[1])))
        await asyncio.sleep(0.25)
    await asyncio.gather(*sent)
    figure.slow_first_ms = [ms for ms in first.latencies_ms if ms > SLOW_FIRST_ANSWER_MS]
    grown = ", ".join(f"{(rss_bytes(pid) - before[pid]) / 2**20:.0f}" for pid in workers)
    print(
        f"   {len(sent)} requests on new connections until every worker was building; the slowest answer "
        f"took {max(first.latencies_ms, default=0) / 1000:.1f} s; the workers' memory grew by {grown} MB",
        flush=True,
    )
    for round_number in range(1, args.warm_rounds + 1):
        phase = Phase("suggest, warm-up")
        connections = len(workers) * args.threads
        await closed_loop(phase, port, figure.raw(desk, port, connections * 2), connections, 120)
        bad = {status: n for status, n in (phase.statuses + first.statuses).items() if status != 200}
        if bad:
            figure.problems.append(f"warm-up answers other than 200: {bad}")
            return
        slow = [ms for ms in phase.latencies_ms if ms > SLOW_FIRST_ANSWER_MS]
        figure.slow_first_ms += slow
        print(
            f"   round {round_number}: {phase.count} requests on {connections} new connections, {len(slow)} "
            f"slower than {SLOW_FIRST_ANSWER_MS} ms",
            flush=True,
        )
        if not slow:
            return
    figure.problems.append(f"not every worker had built its suggestion index after {args.warm_rounds} rounds")


# --- The report ------------------------------------------------------------------------------------


def line(phase: Phase, queries: str, cores: int) -> str:
    capacity = phase.seconds * cores if phase.seconds else 1
    busy = phase.cpu.get("machine", 0) / capacity
    web = phase.cpu.get("web", 0) / capacity
    generator = phase.cpu.get("generator", 0) / capacity
    web_ms = phase.cpu.get("web", 0) / phase.count * 1000 if phase.count else 0.0
    # The keep-alive connections stay with the worker that accepted them: how the work was shared.
    split = "/".join(f"{100 * share:.0f}" for share in worker_shares(phase))
    return (
        f"  {phase.name:<40} {phase.count:6d} {phase.rate:7.1f} {phase.pct(0.5):8.1f} {phase.pct(0.95):8.1f} "
        f"{phase.pct(0.99):8.1f} {queries:>8} {web_ms:9.1f}   {busy:4.0%} {web:4.0%} {generator:4.0%} "
        f"{busy - web - generator:4.0%}  {split}"
    )


def report(
    args,
    desk: Desk,
    all_figures: dict[str, Figure],
    counted: dict[str, int],
    parts: Parts,
    memory_mb: list[float],
) -> list[summary.Row]:
    cores = os.cpu_count() or 1
    print()
    print(
        f"desk read paths through gunicorn ({args.workers} gthread workers x {args.threads} threads, "
        f"persistent connections; PostgreSQL, Redis; agents on {args.connections} keep-alive connections, "
        f"the lead on {args.lead_connections}; {cores} CPUs, load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"  {'request':<40} {'count':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'queries':>8} {'CPU ms':>9}   busy guni load rest  workers %"
    )
    for figure in all_figures.values():
        if figure.phase is not None:
            print(line(figure.phase, str(figure.queries), cores))
    print(
        "  (CPU ms: gunicorn's CPU time per request. busy: the share of all CPUs in use on the machine; of\n"
        "  them gunicorn's workers, this load generator, and the rest: PostgreSQL, Redis, anything else.\n"
        "  workers %: each worker's share of gunicorn's CPU; a connection stays with the worker that took it)"
    )
    few = desk.few_rows_filter.lstrip("&")
    print(
        f"  queries of the inbox list with {PAGE_ROWS} rows and with {desk.few_rows} ({few}): API "
        f"{counted['inbox list, API']} and {counted['inbox list, API, few rows']}, queue page "
        f"{counted['inbox list, queue page']} and {counted['inbox list, queue page, few rows']}"
    )
    suggest = all_figures["suggest API"]
    if suggest.slow_first_ms:
        print(
            f"  suggestion index in gunicorn: {len(suggest.slow_first_ms)} warm-up answers took longer than "
            f"{SLOW_FIRST_ANSWER_MS} ms while the workers loaded the model and built the index at once: "
            f"{min(suggest.slow_first_ms) / 1000:.1f}-{max(suggest.slow_first_ms) / 1000:.1f} s"
        )
    print(
        "  time per part: "
        + "; ".join(f"{name.split(' (')[0].split(':')[0]} {s:.0f} s" for name, s in parts.seconds.items())
    )
    problems = [f"{figure.name}: {problem}" for figure in all_figures.values() for problem in figure.problems]
    print(f"  checks: {'; '.join(problems) if problems else 'every answer 200 and as expected'}")
    print()

    def timed(name: str, phase: Phase | None, target_ms: float, queries: int | None) -> summary.Row:
        if phase is None or not phase.count:
            return (name, "not measured", f"p95 ≤ {target_ms:g} ms", False)
        p95 = phase.pct(0.95)
        measured_text = f"p95 {p95:.1f} ms (p50 {phase.pct(0.5):.1f}; {queries} queries)"
        return (name, measured_text, f"p95 ≤ {target_ms:g} ms", p95 <= target_ms)

    def figure_row(name: str) -> summary.Row:
        figure = all_figures[name]
        return timed(name, figure.phase, figure.target_ms, figure.queries)

    same = counted["inbox list, API"] == counted["inbox list, API, few rows"] and (
        counted["inbox list, queue page"] == counted["inbox list, queue page, few rows"]
    )
    first_answer = (
        f"{max(suggest.slow_first_ms) / 1000:.0f} s ({args.workers} workers building at once)"
        if suggest.slow_first_ms
        else f"under {SLOW_FIRST_ANSWER_MS} ms"
    )
    rows: list[summary.Row] = [
        figure_row("inbox list, API"),
        figure_row("inbox list, queue page"),
        (
            f"inbox list queries, {PAGE_ROWS} rows vs {desk.few_rows}",
            f"API {counted['inbox list, API']} vs {counted['inbox list, API, few rows']}, page "
            f"{counted['inbox list, queue page']} vs {counted['inbox list, queue page, few rows']}",
            "the same",
            same,
        ),
        figure_row("conversation page"),
        figure_row("suggest API"),
        ("suggestion index, a worker's first answer", first_answer, "", None),
        figure_row("metrics API, 90 days"),
        figure_row("reports page, 90 days"),
        ("memory of a web worker, at the end", f"{max(memory_mb, default=0):.0f} MB", "", None),
    ]
    print(summary.table(summary.as_dicts(rows)))
    return rows


def main() -> int:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests, for development")
    parser.add_argument("--summary", type=Path, help="also write the table as JSON rows to this file")
    # One worker per core: each builds its own suggestion index (minutes of CPU) and holds it in memory.
    parser.add_argument("--workers", type=int, default=cores, help="gunicorn workers (default: one per core)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--connections", type=int, default=CONNECTIONS, help="agents' keep-alive connections")
    parser.add_argument("--lead-connections", type=int, default=1, help="the lead's connections (dashboard)")
    parser.add_argument("--max-seconds", type=float, default=30, help="at most this long per figure")
    parser.add_argument("--warm-rounds", type=int, default=4, help="at most this many suggest warm-up rounds")
    args = parser.parse_args()
    args.requests, args.warmup = (60, 8) if args.quick else (400, 24)
    args.lead_requests, args.lead_warmup = (4, 1) if args.quick else (20, 2)
    parts = Parts()
    with Services(LOG_DIR) as services:
        with parts(f"PostgreSQL database (kept between runs) and Redis (logs: {LOG_DIR})"):
            database_url = services.postgres_database(
                os.environ.get("BENCH_DATABASE_URL", DATABASE_URL), keep=True
            )
            web_url = f"http://127.0.0.1:{free_port()}"
            env = environment(database_url, services.redis(), web_url)
            use_in_process(env)
            # This process embeds the protocols when their vectors are not kept yet, with every core
            # (OpenMP reads this when the model loads); gunicorn's `env` keeps the product's one thread.
            os.environ["OMP_NUM_THREADS"] = str(cores)
            from django.db import connection

            if connection.vendor != "postgresql":
                raise SystemExit(
                    f"The desk bench needs PostgreSQL, and BENCH_DATABASE_URL is {connection.vendor}."
                )
        desk = prepare(parts)
        all_figures = figures(desk, args)
        with parts("queries per request, counted in this process"):
            counted = count_queries(desk, all_figures)
        with parts(f"gunicorn, {args.workers} workers x {args.threads} threads"):
            gunicorn = start_gunicorn(services, env, web_url, workers=args.workers, threads=args.threads)
        port = int(web_url.rsplit(":", 1)[1])
        wait_until(lambda: len(children(gunicorn.pid)) == args.workers, "gunicorn's workers", 30, gunicorn)
        cpu = Cpu(gunicorn.pid)
        suggest = all_figures["suggest API"]
        with parts("suggest warm-up: every worker loads the model and builds its index of 1,000 protocols"):
            asyncio.run(warm_suggestions(suggest, desk, port, cpu, args))
        for name in all_figures:
            figure = all_figures[name]
            with parts(f"{name} ({figure.connections} connections)"):
                check_through_gunicorn(figure, desk, web_url)
                asyncio.run(load(figure, desk, port, cpu, args))
                check_through_gunicorn(figure, desk, web_url)
        memory = [rss_bytes(pid) / 2**20 for pid in cpu.workers()]
        print(f"   gunicorn workers' memory now: {', '.join(f'{mb:.0f}' for mb in sorted(memory))} MB")
        rows = report(args, desk, all_figures, counted, parts, memory)
    if args.summary:
        summary.write(args.summary, rows)
    failed = any(figure.problems for figure in all_figures.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
