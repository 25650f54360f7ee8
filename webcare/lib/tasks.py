"""Background work by task name, kept in the database until a worker has done it (the outbox).

`enqueue_on_commit` writes a `PendingTask` row in the caller's transaction and hands it to Celery
once that transaction commits; the worker deletes the row when the task is done (`outbox.worker`).
What fell through, because the broker was down, the web process died before publishing or a worker
died in the middle of the task, the relay hands over again. So every task runs at least once, and
every task must be safe to run twice. See docs/adr/0010-outbox.md.
"""

import logging
import time
from datetime import datetime, timedelta

from celery import states
from celery.exceptions import Retry
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from outbox.models import PendingTask
from webcare.celery import app
from webcare.lib.db import commit_without_waiting

logger = logging.getLogger(__name__)

# A task handed to Celery and not done after this long is handed over again: longer than a task
# waits in the queue and runs on a normal day, so a duplicate is the exception.
LEASE = timedelta(minutes=5)
# After this many hand-overs or failed runs the relay leaves a row to a person (Django admin).
MAX_ATTEMPTS = 8
# After a failed publish, requests leave their work to the relay for this long instead of each
# waiting for a broker that is down (a connect timeout per webhook otherwise).
BROKER_PAUSE_SECONDS = 10.0
TASK_ID_PREFIX = "outbox-"

_broker_paused_until: dict[str, float] = {}


def enqueue_on_commit(task_name: str, *args, countdown: int = 0) -> None:
    """Owe `task_name(*args)`, to run `countdown` seconds after the current transaction commits.

    By name, so that an app can queue another app's task without importing it. Costs one INSERT in
    the caller's transaction; a rolled-back transaction owes nothing. Never fails on the broker.
    """
    now = timezone.now()
    due = now + timedelta(seconds=countdown)
    publish = app.conf.task_always_eager or not _broker_paused()
    row = PendingTask.objects.create(
        task=task_name, args=list(args), created_at=now, available_at=due + LEASE if publish else due
    )
    if publish:
        transaction.on_commit(lambda: _hand_over(row.pk, task_name, args, countdown))


def _hand_over(pk: int, task_name: str, args: tuple, countdown: int) -> None:
    if app.conf.task_always_eager:
        if not countdown:  # work for later stays owed: a test hands it over with `relay`
            _run_here(pk, task_name, args)
        return
    try:
        app.send_task(task_name, args=args, countdown=countdown or None, task_id=TASK_ID_PREFIX + str(pk))
    except (OperationalError, OSError):
        _pause_broker()
        # The relay hands it over as soon as it runs, instead of after the lease.
        PendingTask.objects.filter(pk=pk).update(available_at=timezone.now() + timedelta(seconds=countdown))
        logger.warning("broker unavailable; %s%r left to the relay", task_name, args)


def _broker_paused() -> bool:
    return _broker_paused_until.get(app.conf.broker_url, 0.0) > time.monotonic()


def _pause_broker() -> None:
    _broker_paused_until[app.conf.broker_url] = time.monotonic() + BROKER_PAUSE_SECONDS


def _run_here(pk: int, task_name: str, args) -> None:
    """Eager mode (tests): run the task inline, its retries too (at once), letting any other error
    through to the test."""
    app.loader.import_default_modules()
    signature = app.tasks[task_name].signature(tuple(args))
    while signature is not None:
        try:
            signature.apply(throw=True)
            signature = None
        except Retry as retry:
            signature = retry.sig
    PendingTask.objects.filter(pk=pk).delete()


def relay(now: datetime | None = None, limit: int = 500) -> int:
    """Hand to Celery the work that is owed and in nobody's hands; returns how many tasks.

    That is work whose publish failed or never happened, and work a worker took and never finished
    (it died, or Redis lost its queue). Each row is claimed with a conditional update first, so two
    relays never hand over the same row. Stops at the first broker error: the next run goes on.
    """
    now = now or timezone.now()
    due = PendingTask.objects.filter(available_at__lte=now, attempts__lt=MAX_ATTEMPTS)
    handed = 0
    for row in due.order_by("available_at").only("pk", "task", "args", "available_at", "attempts")[:limit]:
        claimed = PendingTask.objects.filter(pk=row.pk, available_at=row.available_at).update(
            available_at=now + _lease(row.attempts), attempts=F("attempts") + 1
        )
        if not claimed:
            continue  # done meanwhile, or another relay has it
        if app.conf.task_always_eager:
            _run_here(row.pk, row.task, row.args)
            handed += 1
            continue
        try:
            app.send_task(row.task, args=row.args, task_id=TASK_ID_PREFIX + str(row.pk))
        except (OperationalError, OSError) as error:
            PendingTask.objects.filter(pk=row.pk).update(
                available_at=row.available_at, attempts=row.attempts, last_error=_describe(error)
            )
            logger.warning("broker unavailable; the relay hands over the rest at its next run")
            break
        handed += 1
    if handed:
        logger.info("relay handed %d owed tasks to Celery", handed)
    return handed


def _lease(attempts: int) -> timedelta:
    """Longer after each hand-over: a queue that is behind gets a few duplicates, not a flood."""
    return LEASE * 2 ** min(attempts, 6)


def settle(task_id: str | None, state: str, retval: object) -> None:
    """A worker's bookkeeping after running a task: done means the row goes; a retry moves it to
    after the retry's time; an error is recorded and the relay tries again later."""
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return  # not owed through the outbox (beat's periodic tasks)
    pk = int(task_id.removeprefix(TASK_ID_PREFIX))
    now = timezone.now()
    if state == states.SUCCESS:
        with transaction.atomic():
            commit_without_waiting()  # a lost delete only runs the task once more, which is safe
            PendingTask.objects.filter(pk=pk).delete()
    elif state == states.RETRY:
        when = getattr(retval, "when", None)
        at = when if isinstance(when, datetime) else now + timedelta(seconds=float(when or 0))
        PendingTask.objects.filter(pk=pk).update(available_at=at + LEASE)
    elif state == states.FAILURE:
        rows = PendingTask.objects.filter(pk=pk)
        attempts = rows.values_list("attempts", flat=True).first() or 0
        rows.update(
            attempts=F("attempts") + 1, last_error=_describe(retval), available_at=now + _lease(attempts)
        )


def _describe(error: object) -> str:
    return f"{type(error).__name__}: {error}"[:300]
