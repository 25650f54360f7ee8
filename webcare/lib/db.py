"""Database helpers shared by the apps."""

from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError

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
