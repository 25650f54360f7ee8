"""Real parts for the fault tests: a broker the test can stop, worker processes it can kill, a platform
that can hang, and one database that the test and its workers share.

With REDIS_URL set (CI) the broker is a redis-server of the test's own on a free port: stopping it
loses what it held, as a crashed Redis without persistence does. Without it (`make test`) the broker
is kombu's filesystem transport in a folder of the test's own, and stopping it takes the folder away,
so that every publish fails. On SQLite the test's in-memory database is copied into a file that the
test and its workers then share; PostgreSQL's test database is shared as it is.
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connections

from channels.standin import StandIn, make_standin_server
from tests import signing
from tests.conftest import PUBLIC_BASE_URL
from tests.faults.worker import filesystem_options
from webcare.celery import app
from webcare.lib import tasks

ROOT = Path(__file__).resolve().parent.parent.parent


def wait_for(condition, what: str, timeout: float = 30.0, logs: "list[Path] | None" = None):
    """Poll `condition` until it returns something true; fail with `what` (and the workers' logs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    tails = "".join(f"\n--- {log}\n{log.read_text()[-3000:]}" for log in logs or [] if log.exists())
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{tails}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Broker:
    """A broker that can go down and come back on the same address."""

    def __init__(self, folder: Path):
        self.kind = "redis" if os.environ.get("REDIS_URL") else "filesystem"
        self.folder = folder
        self.port = _free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0" if self.kind == "redis" else "filesystem://localhost//"

    @property
    def transport_options(self) -> dict:
        if self.kind == "redis":
            return {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
        return filesystem_options(str(self.folder / "queue"))

    def worker_environment(self) -> dict[str, str]:
        if self.kind == "redis":
            return {"REDIS_URL": self.url}
        return {"FAULTS_QUEUE_DIR": str(self.folder / "queue")}

    def start(self) -> None:
        if self.kind == "filesystem":
            down, queue = self.folder / "queue-down", self.folder / "queue"
            if down.exists():
                down.rename(queue)
            queue.mkdir(parents=True, exist_ok=True)
            (self.folder / "queue-control").mkdir(exist_ok=True)
            return
        server = shutil.which("redis-server")
        if server is None:
            pytest.fail("REDIS_URL is set but redis-server is not installed: the fault tests start their own")
        self.process = subprocess.Popen(
            [server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        wait_for(lambda: self._answers(client), "redis-server to answer", timeout=10)

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def stop(self) -> None:
        """Down, as after a crash: Redis loses what it held; the filesystem queue becomes unreachable."""
        if self.kind == "filesystem":
            (self.folder / "queue").rename(self.folder / "queue-down")
        elif self.process:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def broker(tmp_path):
    """A broker of the test's own, running; the test process publishes to it (eager mode off)."""
    broker = Broker(tmp_path / "broker")
    broker.start()
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    app.conf.update(
        broker_url=broker.url, task_always_eager=False, broker_transport_options=broker.transport_options
    )
    _forget_connections()
    tasks._broker_paused_until.clear()  # a broker that was down in an earlier test is not down in this one
    try:
        yield broker
    finally:
        if broker.process:
            broker.stop()
        app.conf.update(saved)
        _forget_connections()


def _forget_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def shared_database(transactional_db, tmp_path) -> str:
    """The DATABASE_URL under which worker processes see what this test sees."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        db = connection.settings_dict
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        yield f"postgres://{db['USER']}:{db['PASSWORD']}@{host}/{db['NAME']}"
        return
    # The in-memory test database cannot be opened by another process: copy it to a file and use that.
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=WAL")  # the workers write while the test reads
    shared = connection.__class__({**connection.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = shared
    try:
        yield f"sqlite:///{path}"
    finally:
        shared.close()
        connections["default"] = connection


@pytest.fixture
def agent(shared_database, request):
    """Eva, the agent, created in the shared database."""
    return request.getfixturevalue("eva")


class HangingPlatform:
    """The stand-in for Twilio, Meta and X, except that chosen requests hang.

    `hang(path, after=False)`: the platform never sees the request. `after=True`: the platform handles
    it (the message is sent) and then never answers. `in_flight` is set when a request hangs.
    """

    def __init__(self, standin: StandIn):
        self.standin = standin
        self.rules: list[tuple[str, bool]] = []
        self.in_flight = threading.Event()
        self.released = threading.Event()

    def hang(self, path_contains: str, *, after: bool) -> None:
        self.rules.append((path_contains, after))

    def outbox(self, to: str | None = None) -> list[dict]:
        return self.standin.outbox(to)

    def __call__(self, environ, start_response):
        rule = next(
            (r for r in self.rules if environ["REQUEST_METHOD"] == "POST" and r[0] in environ["PATH_INFO"]),
            None,
        )
        if rule is None:
            return self.standin(environ, start_response)
        if rule[1]:
            answer = self.standin(environ, lambda *args: None)  # handled; its answer is never given
        self.in_flight.set()
        self.released.wait(timeout=60)
        start_response("503 Service Unavailable", [("Content-Type", "application/json")])
        return answer if rule[1] else [b"{}"]


@pytest.fixture
def platform(settings, tmp_path):
    """A hanging-capable stand-in on its own port; the test's settings and its workers use it."""
    standin = StandIn(
        twilio_auth_token=signing.TWILIO_AUTH_TOKEN,
        meta_app_secret=signing.META_APP_SECRET,
        instagram_ids=("17841400123456789",),
    )
    hanging = HangingPlatform(standin)
    server = make_standin_server(hanging)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    settings.TWILIO_API_BASE_URL = settings.META_GRAPH_BASE_URL = settings.X_API_BASE_URL = base_url
    try:
        yield hanging
    finally:
        hanging.released.set()
        server.shutdown()
        server.server_close()


PLATFORM_SETTINGS = (
    "TWILIO_API_BASE_URL META_GRAPH_BASE_URL X_API_BASE_URL TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN "
    "TWILIO_WHATSAPP_FROM META_APP_SECRET META_VERIFY_TOKEN META_PAGE_TOKEN META_PAGE_ID META_INSTAGRAM_ID "
    "X_CONSUMER_KEY X_CONSUMER_SECRET X_ACCESS_TOKEN X_ACCESS_TOKEN_SECRET X_BEARER_TOKEN X_USER_ID"
).split()


class Workers:
    """Celery workers in processes of their own, configured like this test (database, broker, platform)."""

    def __init__(self, database_url: str, broker: Broker, folder: Path):
        self.database_url, self.broker, self.folder = database_url, broker, folder
        self.running: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self, platform_timeout: float = 10.0) -> subprocess.Popen:
        environment = {key: str(getattr(django_settings, key)) for key in PLATFORM_SETTINGS}
        environment |= {
            "DJANGO_SETTINGS_MODULE": "webcare.settings",
            "DEBUG": "true",
            "DEMO_ENABLED": "false",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": self.database_url,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "PLATFORM_TIMEOUT": str(platform_timeout),
            "MEDIA_ROOT": str(self.folder / "media"),
            "PYTHONPATH": str(ROOT),
            **self.broker.worker_environment(),
        }
        inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
        log = self.folder / f"worker-{len(self.logs) + 1}.log"
        self.logs.append(log)
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.worker", f"faults{len(self.logs)}@%h"],
            cwd=ROOT,
            env=inherited | environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """kill -9: no warm shutdown, no acknowledgement, no clean-up."""
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.running.remove(process)

    def stop_all(self) -> None:
        for process in self.running:
            process.terminate()  # warm shutdown: the current task finishes
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()


@pytest.fixture
def workers(shared_database, broker, tmp_path):
    started = Workers(shared_database, broker, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
