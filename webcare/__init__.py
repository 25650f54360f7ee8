import os

# One BLAS thread: the suggestion engine's embedding model runs its own threads, and both pools
# spinning on two cores made a suggestion 4x slower at p95 (measured with bench/suggest.py).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from webcare.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
