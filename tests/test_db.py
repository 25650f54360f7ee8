"""Transactions the database ends as the loser of a deadlock run again instead of failing the request."""

import threading

import pytest
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
