"""Queueing background work by task name, after the transaction commits, without ever failing it."""

import logging

from celery.exceptions import Retry
from django.db import transaction
from kombu.exceptions import OperationalError

from webcare.celery import app

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args, countdown: int = 0) -> None:
    """Queue `task_name(*args)` once the current transaction commits, to run `countdown` seconds later.

    By name, so that an app can queue another app's task without importing it. If the broker is
    down the work is not lost: the data is committed and the periodic sweeps pick it up.
    """
    transaction.on_commit(lambda: _publish(task_name, args, countdown))


def _publish(task_name: str, args: tuple, countdown: int = 0) -> None:
    if app.conf.task_always_eager:
        app.loader.import_default_modules()
        _run_eagerly(app.tasks[task_name].signature(args))
        return
    try:
        app.send_task(task_name, args=args, countdown=countdown or None)
    except (OperationalError, OSError):
        logger.warning("broker unavailable; %s%r left to the sweep", task_name, args)


def _run_eagerly(signature) -> None:
    """Run a task inline, its retries too (at once), letting any other error through to the test."""
    while signature is not None:
        try:
            signature.apply(throw=True)
            signature = None
        except Retry as retry:
            signature = retry.sig
