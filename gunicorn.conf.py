"""gunicorn's settings for the desk, read from the working directory (docker-compose, the benches).

Threads for the agents' many short requests and the platforms' webhooks, and keep-alive for both;
`--workers` and `--bind` come from the command line.
"""

import gc

worker_class = "gthread"
threads = 4
keepalive = 75
backlog = 2048
timeout = 60
graceful_timeout = 10


def post_worker_init(worker) -> None:
    """What the app loaded lives as long as the worker: freeze it, so that Python's collector no
    longer walks it. Its full collections paused a worker for 60-140 ms under load, 1% of webhooks
    at 200/s (p99 51 ms; with the freeze 11 ms, bench/ingest.py)."""
    gc.freeze()
