"""The desk's web server for a bench: production settings on loopback, served by gunicorn (gthread).

    env = environment(database_url, redis_url, web_url)
    use_in_process(env)  # this process: Django on the same settings and database (migrations, data, checks)
    gunicorn = start_gunicorn(services, env, web_url, workers=4, threads=4)

DEBUG is off, persistent database connections are on (CONN_MAX_AGE=60) and the secret key is the
bench's own, so that sessions made in this process are valid in gunicorn's workers.
"""

import os
import subprocess
import sys

from benchkit import ROOT, setup_django
from benchkit.services import Services

SETTINGS = "webcare.settings"


def environment(
    database_url: str, redis_url: str, web_url: str, *, settings: str = SETTINGS, **extra: str
) -> dict[str, str]:
    """The variables of a production desk on loopback (no integration keys unless `extra` gives them)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "DEMO_ENABLED": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "60",
        "PUBLIC_BASE_URL": web_url,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def use_in_process(env: dict[str, str]) -> None:
    """Start Django in this process with `env`'s settings; the test client's host is allowed too.

    Production settings serve the static files' manifest: collectstatic writes it (a fresh clone has
    none), before this process or gunicorn renders a page."""
    os.environ.update({**env, "BENCH_DATABASE_URL": env["DATABASE_URL"]})
    setup_django(
        "unused.sqlite3",
        DEBUG=env["DEBUG"],
        ALLOWED_HOSTS=env["ALLOWED_HOSTS"] + ",testserver",
        DJANGO_SETTINGS_MODULE=env["DJANGO_SETTINGS_MODULE"],
    )
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def start_gunicorn(
    services: Services, env: dict[str, str], web_url: str, *, workers: int, threads: int
) -> subprocess.Popen:
    """gunicorn as in production (gunicorn.conf.py) with `workers` workers of `threads` threads on
    `web_url`, ready when /healthz/ is."""
    return services.process(
        "gunicorn",
        [sys.executable, "-m", "gunicorn", "webcare.wsgi", "--bind", web_url.removeprefix("http://")]
        + ["--workers", str(workers), "--threads", str(threads)],  # the rest: gunicorn.conf.py
        env=env,
        cwd=ROOT,
        ready_url=web_url + "/healthz/",
    )
