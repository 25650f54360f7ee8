"""Starting the desk's services on loopback for a benchmark, and stopping exactly what was started.

    with Services(log_dir) as services:
        database_url = services.postgres_database(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
        redis_url = services.redis()
        services.process("gunicorn", [...], env=..., ready_url=...)

Everything runs on 127.0.0.1 and free ports. Each process gets its own process group, so that stopping
it also stops its children (gunicorn's and Celery's workers); stopping is SIGTERM, then SIGKILL after
a grace period. `Services` stops everything in the reverse order, also after an exception or Ctrl-C,
and drops the database it created (unless asked to keep it: `postgres_database(url, keep=True)`).
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

DEFAULT_DATABASE_URL = "postgres://webcare:webcare@127.0.0.1:5432/webcare_soak"
STOP_GRACE_SECONDS = 15


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(ready, what: str, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode} before it was ready")
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} was not ready after {timeout:.0f} s")


def http_ok(url: str) -> bool:
    return requests.get(url, timeout=2).status_code < 500


class Services(contextlib.ExitStack):
    """The processes and databases of one run; leaving the block stops and drops them."""

    def __init__(self, log_dir: Path) -> None:
        super().__init__()
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)

    def __enter__(self) -> "Services":
        super().__enter__()
        # A SIGTERM (a CI runner giving up, `kill`) unwinds like Ctrl-C, so the cleanup still runs.
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        self.callback(signal.signal, signal.SIGTERM, previous)
        return self

    def process(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str],
        ready_url: str = "",
        cwd: Path | None = None,
        timeout: float = 60,
    ) -> subprocess.Popen:
        """Start `argv` with its output in `<log_dir>/<name>.log`; wait for `ready_url` to answer."""
        log = open(self.log_dir / f"{name}.log", "wb")  # noqa: SIM115 (closed by the exit stack)
        self.callback(log.close)
        started = subprocess.Popen(  # noqa: S603 (our own commands)
            argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.callback(stop, started, name)
        if ready_url:
            wait_until(lambda: http_ok(ready_url), name, timeout, started)
        return started

    def redis(self) -> str:
        """A redis-server of our own on a free port, keeping nothing on disk; its URL."""
        port = free_port()
        argv = [_binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        argv += ["--appendonly", "no", "--dir", tempfile.gettempdir()]
        started = self.process("redis", argv, env=dict(os.environ))
        url = f"redis://127.0.0.1:{port}/0"
        import redis

        wait_until(lambda: redis.Redis.from_url(url).ping(), "redis-server", 15, started)
        return url

    def postgres_database(self, url: str, *, keep: bool = False) -> str:
        """A fresh, empty database named as in `url` on that server, dropped at the end; its URL.

        With `keep`, the database is created only when it is missing, used as it is otherwise (with the
        data of earlier runs) and left in place at the end: for a bench whose data takes long to write.

        When no server answers at `url` and we are not root, a private cluster (initdb) on a free port
        in a temporary folder holds it instead, stopped and removed at the end (so nothing is kept).
        """
        import psycopg2

        parts = urlsplit(url)
        name = parts.path.lstrip("/")
        try:
            psycopg2.connect(_with_database(url, "postgres"), connect_timeout=3).close()
        except psycopg2.OperationalError as error:
            url = self._private_cluster(parts, error)
        admin = psycopg2.connect(_with_database(url, "postgres"))
        admin.autocommit = True
        self.callback(admin.close)
        with admin.cursor() as cursor:
            if keep:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(f'CREATE DATABASE "{name}"')
                return url
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        self.callback(_drop_database, admin, name)
        return url

    def _private_cluster(self, parts, error: Exception) -> str:
        initdb = shutil.which("initdb") or next(
            iter(sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))), None
        )
        if initdb is None or os.geteuid() == 0:
            raise RuntimeError(
                f"No PostgreSQL server answers at {parts.hostname}:{parts.port} ({error}). Start one, or set "
                "BENCH_DATABASE_URL; without a server (and not as root) the bench starts its own with initdb."
            ) from error
        folder = Path(tempfile.mkdtemp(prefix="bench-postgres-"))
        self.callback(shutil.rmtree, folder, True)
        user = parts.username or "webcare"
        bin_dir = Path(initdb).parent
        subprocess.run(  # noqa: S603
            [str(initdb), "-D", str(folder / "data"), "-U", user, "--auth=trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.process(
            "postgres",
            [str(bin_dir / "postgres"), "-D", str(folder / "data"), *options.split()],
            env=dict(os.environ),
        )
        import psycopg2

        netloc = f"{user}@127.0.0.1:{port}"
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        wait_until(lambda: psycopg2.connect(_with_database(url, "postgres")).close() is None, "postgres", 30)
        return url


def stop(process: subprocess.Popen, name: str = "") -> None:
    """SIGTERM to the process group, SIGKILL if it is still there after the grace period."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        print(f"  {name or process.args[0]} did not stop in {STOP_GRACE_SECONDS} s: killed", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _drop_database(admin, name: str) -> None:
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (apt-get install {name.split('-')[0]})")
    return found


def _raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
