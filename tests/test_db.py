"""Transactions the database ends as the loser of a deadlock run again instead of failing the request."""

import threading
import time
from types import SimpleNamespace

import pytest
from celery.signals import task_prerun
from django.db import OperationalError, connection, connections, transaction

from inbox.models import Team
from webcare.lib.db import commit_without_waiting, retry_transient

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_transactions_locking_in_opposite_orders_both_commit():
    """A real deadlock on PostgreSQL: each thread locks one team, then the other's. PostgreSQL ends one
    of them; run again, it commits after the winner."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two transactions never wait for each other")
    first, second = Team.objects.create(slug="a", name="A"), Team.objects.create(slug="b", name="B")
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts, errors = [], []

    def lock_in_order(one: Team, other: Team) -> None:
        def work() -> None:
            attempts.append(one.slug)
            with transaction.atomic():
                Team.objects.select_for_update().get(pk=one.pk)
                if attempts.count(one.slug) == 1:
                    both_hold_one.wait()
                Team.objects.filter(pk=other.pk).update(wip_limit=5)

        try:
            retry_transient(work)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=lock_in_order, args=(first, second)),
        threading.Thread(target=lock_in_order, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(attempts) == 3  # each once, the deadlock's loser twice
    assert set(Team.objects.filter(pk__in=[first.pk, second.pk]).values_list("wip_limit", flat=True)) == {5}


def test_other_database_errors_are_not_retried():
    calls = []

    def broken() -> None:
        calls.append(1)
        raise OperationalError("no such table")

    with pytest.raises(OperationalError):
        retry_transient(broken)
    assert calls == [1]


def test_work_the_outbox_redoes_commits_without_waiting_for_the_disk_and_only_that_transaction():
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")

    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    with transaction.atomic():
        commit_without_waiting()
        assert setting() == "off"
    assert setting() == "on"  # what a webhook stores, and every other transaction, still waits
    commit_without_waiting()  # outside a transaction it changes nothing
    assert setting() == "on"


def _task(*, eager: bool) -> type:
    """What a task's signals are sent by: a class (signal senders are hashable) with a request."""
    return type("Task", (), {"request": SimpleNamespace(is_eager=eager)})


def test_a_worker_keeps_its_database_connection_between_tasks_as_a_request_does():
    """Celery's Django fixup would close the connection around every task, and a new PostgreSQL session
    cost more than filing a message. Between tasks the connection is kept until CONN_MAX_AGE, and one
    that has broken is replaced before the next task uses it."""
    if connection.vendor != "postgresql":
        pytest.skip("Django never closes SQLite's in-memory test database, the tests' only copy of it")
    task = _task(eager=False)

    def next_task() -> None:
        task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})

    connection.ensure_connection()
    kept = connection.connection
    connection.close_at = time.monotonic() + 60
    next_task()
    assert connection.connection is kept

    kept.close()  # the server went away
    connection.errors_occurred = True
    next_task()
    assert connection.connection is None
    Team.objects.exists()
    assert connection.connection is not None  # a new one, at once

    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    next_task()
    assert connection.connection is None


def test_an_eager_task_leaves_the_callers_connection_alone():
    task = _task(eager=True)
    connection.ensure_connection()
    kept = connection.connection
    connection.close_at = time.monotonic() - 1
    task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
    assert connection.connection is kept
