import os

# One BLAS thread: the suggestion engine's embedding model runs its own threads, and both pools
# spinning on two cores made a suggestion 4x slower at p95 (measured with bench/suggest.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# One OpenMP thread for the embedding model too: every web thread and worker process embeds on its
# own, and OpenMP's threads spin while they wait for a core. With gunicorn, Celery and PostgreSQL
# busy on two cores one message took 720 ms of CPU instead of 33 ms (bench/ingest.py, desk.py).
os.environ.setdefault("OMP_NUM_THREADS", "1")

from webcare.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
