"""Figures as rows (figure, measured, target, verdict), printed as a table and written as JSON for
`bench/all.py`, which merges every bench's rows into one table."""

import json
from pathlib import Path

Row = tuple[str, str, str, bool | None]  # None: a figure without a target


def verdict(ok: bool | None) -> str:
    return "" if ok is None else "PASS" if ok else "MISS"


def as_dicts(rows: list[Row]) -> list[dict]:
    return [
        {"figure": figure, "measured": measured, "target": target, "verdict": verdict(ok)}
        for figure, measured, target, ok in rows
    ]


def write(path: str | Path, rows: list[Row]) -> None:
    Path(path).write_text(json.dumps(as_dicts(rows), ensure_ascii=False, indent=1), encoding="utf-8")


def table(rows: list[dict], indent: str = "  ") -> str:
    """Rows (as written by `write`) as an aligned text table."""
    columns = ("figure", "measured", "target")
    header = {"figure": "figure", "measured": "measured", "target": "target", "verdict": ""}
    widths = {name: max(len(row[name]) for row in [header, *rows]) for name in columns}
    lines = [
        indent + "  ".join(row[name].ljust(widths[name]) for name in columns) + "  " + row["verdict"]
        for row in [header, *rows]
    ]
    return "\n".join(line.rstrip() for line in lines)
