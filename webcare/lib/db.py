"""Database helpers shared by the apps."""

from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError, connection

T = TypeVar("T")

# PostgreSQL ends one of two transactions that wait for each other (deadlock_detected) or that can't
# both be serialised (serialization_failure): the other one commits, and running the loser again works.
TRANSIENT_PGCODES = frozenset({"40P01", "40001"})


def retry_transient(transaction: Callable[[], T], *, attempts: int = 3) -> T:
    """Run `transaction` (a whole `atomic` unit of work) again when the database ended it as the loser
    of a deadlock or a serialization conflict, instead of failing the request."""
    for attempt in range(1, attempts + 1):
        try:
            return transaction()
        except OperationalError as error:
            if attempt == attempts or getattr(error.__cause__, "pgcode", None) not in TRANSIENT_PGCODES:
                raise
    raise AssertionError("unreachable")


def commit_without_waiting() -> None:
    """Let the current transaction commit without waiting for the disk (PostgreSQL only).

    Only for work the outbox owes and redoes: filing a stored delivery, reading a message, working out
    suggestions, and the outbox's own bookkeeping. A crash of the database server may lose the last
    fraction of a second of such commits; their outbox rows come back with them and the work runs
    again. What a webhook stores and what is sent to a platform always waits. See docs/adr/0013.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
