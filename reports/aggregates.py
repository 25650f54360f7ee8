"""Percentiles taken where the rows are: PostgreSQL's percentile_cont, and the same sum for SQLite.

Taking them in the database spares the dashboards fetching a period's tens of thousands of values.
"""

from django.db.models import Aggregate, FloatField


def percentile(values: list[float], share: float) -> float | None:
    """Linear interpolation between the closest ranks (PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


class Percentile(Aggregate):
    """The value `share` of the way through the ordered non-null values, like percentile(); None when
    there are none."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    output_field = FloatField()
    template = "%(function)s(%(share)r) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, share: float, **extra):
        super().__init__(expression, share=float(share), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        sqlite = self.copy()
        sqlite.function, sqlite.template = SQLITE_PERCENTILE, "%(function)s(%(expressions)s, %(share)r)"
        return sqlite.as_sql(compiler, connection, **extra_context)


SQLITE_PERCENTILE = "webcare_percentile"


class _SQLitePercentile:
    """The aggregate behind SQLITE_PERCENTILE: SQLite calls step() for each row, then finalize()."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.share = 0.5

    def step(self, value: float | None, share: float) -> None:
        self.share = share
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return percentile(self.values, self.share)


def add_to_sqlite(sender, connection, **kwargs) -> None:
    """On each new SQLite connection (Django's connection_created signal)."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_PERCENTILE, 2, _SQLitePercentile)
