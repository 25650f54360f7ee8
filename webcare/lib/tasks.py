"""Queueing background work by task name, after the transaction commits, without ever failing it."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

from webcare.celery import app

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue `task_name(*args)` once the current transaction commits.

    By name, so that an app can queue another app's task without importing it. If the broker is
    down the work is not lost: the data is committed and the periodic sweeps pick it up.
    """
    transaction.on_commit(lambda: _publish(task_name, args))


def _publish(task_name: str, args: tuple) -> None:
    if app.conf.task_always_eager:
        app.loader.import_default_modules()
        app.tasks[task_name].apply(args=args, throw=True)
        return
    try:
        app.send_task(task_name, args=args)
    except (OperationalError, OSError):
        logger.warning("broker unavailable; %s%r left to the sweep", task_name, args)
