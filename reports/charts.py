"""Charts drawn on the server as SVG: no script, no CDN, readable by a screen reader through the data
table that always comes with them, and the same rows as their CSV download.

A Chart is a table (a category per row, one number per series); `svg()` draws it as columns over
time (`kind="columns"`) or as horizontal bars per category (`kind="bars"`), stacked or side by side.
Every shape carries its category, series and value as data attributes, so a test can hold the drawing
against the table.
"""

import csv
import io
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

# Dark enough for 3:1 against white (WCAG 1.4.11); segments are also parted by a white line.
PALETTE = ("#1d4ed8", "#c2410c", "#15803d", "#7e22ce", "#4b5563", "#b91c1c")
WIDTH = 720
COLUMNS_HEIGHT = 260
BAR_HEIGHT = 18
BAR_GAP = 8
LABEL_WIDTH = 200
MARGIN = 40
TICKS = 4


@dataclass(frozen=True)
class Chart:
    slug: str
    title: str
    description: str
    category: str  # the header of the first column
    series: tuple[str, ...]  # the headers of the number columns
    rows: tuple[tuple, ...]  # (category, number per series)
    kind: str = "bars"
    stacked: bool = False
    unit: str = ""
    colours: tuple[int, ...] = ()  # a PALETTE index per series where the colour means something

    def colour(self, index: int) -> int:
        return self.colours[index] if self.colours else index % len(PALETTE)

    @property
    def legend(self) -> list[tuple[str, int]]:
        return [(name, self.colour(index)) for index, name in enumerate(self.series)]

    @property
    def is_empty(self) -> bool:
        return not any(value for row in self.rows for value in row[1:])

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([capfirst(name) for name in (self.category, *self.series)])
        for row in self.rows:
            writer.writerow(["" if value is None else value for value in row])
        return out.getvalue()

    def svg(self) -> SafeString:
        # Every text in the drawing goes through escape() on its way in.
        return mark_safe(_columns(self) if self.kind == "columns" else _bars(self))  # noqa: S308


def _number(value) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _scale_top(highest: float) -> float:
    """A round number at or above `highest`, so the grid lines fall on round values."""
    if highest <= 0:
        return 1.0
    step = 10 ** len(str(int(highest / TICKS))) / 10 if highest >= TICKS else highest / TICKS
    for factor in (1, 2, 2.5, 5, 10):
        if step * factor * TICKS >= highest:
            return step * factor * TICKS
    return highest


def _open(chart: Chart, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="chart" role="img" '
        f'aria-labelledby="{chart.slug}-title {chart.slug}-desc" data-chart="{chart.slug}">',
        f'<title id="{chart.slug}-title">{escape(chart.title)}</title>',
        f'<desc id="{chart.slug}-desc">{escape(chart.description)}</desc>',
    ]


def _shape(chart: Chart, row: tuple, index: int, x: float, y: float, width: float, height: float) -> str:
    name, value = chart.series[index], row[index + 1]
    label = f"{row[0]} – {name}: {_number(value)}{chart.unit}"
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{max(height, 0):.1f}" '
        f'fill="{PALETTE[chart.colour(index)]}" stroke="#fff" stroke-width="1" '
        f'data-category="{escape(str(row[0]))}" data-series="{escape(name)}" data-value="{_number(value)}">'
        f"<title>{escape(label)}</title></rect>"
    )


def _columns(chart: Chart) -> str:
    """Columns over an ordered category (days, weeks), series stacked or side by side."""
    plot_left, plot_top, plot_bottom = MARGIN + 10, 10, COLUMNS_HEIGHT - MARGIN
    plot_width, plot_height = WIDTH - plot_left - 10, plot_bottom - plot_top
    totals = [
        sum(v or 0 for v in row[1:]) if chart.stacked else max([v or 0 for v in row[1:]] or [0])
        for row in chart.rows
    ]
    top = _scale_top(max(totals or [0]))
    parts = _open(chart, COLUMNS_HEIGHT)
    parts += _grid(plot_left, plot_bottom, plot_width, plot_height, top, chart.unit)
    slot = plot_width / max(len(chart.rows), 1)
    width = slot * 0.8 / (1 if chart.stacked else len(chart.series))
    every = max(1, round(len(chart.rows) / 12))  # at most about twelve labels along the axis
    for position, row in enumerate(chart.rows):
        x = plot_left + position * slot + slot * 0.1
        base = plot_bottom
        for index in range(len(chart.series)):
            height = (row[index + 1] or 0) / top * plot_height
            if chart.stacked:
                base -= height
                parts.append(_shape(chart, row, index, x, base, width, height))
            else:
                parts.append(
                    _shape(chart, row, index, x + index * width, plot_bottom - height, width, height)
                )
        if position % every == 0:
            parts.append(
                f'<text x="{x + slot * 0.4:.1f}" y="{plot_bottom + 16}" text-anchor="middle" class="axis">'
                f"{escape(_short(row[0]))}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _grid(left: float, bottom: float, width: float, height: float, top: float, unit: str) -> list[str]:
    lines = []
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = bottom - height * tick / TICKS
        lines.append(f'<line x1="{left}" x2="{left + width}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        label = f"{_number(round(value, 1))}{escape(unit)}"
        lines.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" class="axis">{label}</text>')
    return lines


def _short(category) -> str:
    """Days as "28-11", anything else as it is."""
    text = str(category)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:]}-{text[5:7]}"
    return text


def _bars(chart: Chart) -> str:
    """Horizontal bars, a row per category, series stacked or side by side, the value at the end."""
    per_row = BAR_HEIGHT if chart.stacked else BAR_HEIGHT * len(chart.series)
    height = max(len(chart.rows), 1) * (per_row + BAR_GAP) + BAR_GAP
    plot_left, plot_width = LABEL_WIDTH, WIDTH - LABEL_WIDTH - 70
    totals = [
        sum(v or 0 for v in row[1:]) if chart.stacked else max([v or 0 for v in row[1:]] or [0])
        for row in chart.rows
    ]
    top = max(totals or [0]) or 1
    parts = _open(chart, height)
    for position, row in enumerate(chart.rows):
        y = BAR_GAP + position * (per_row + BAR_GAP)
        parts.append(
            f'<text x="{plot_left - 8}" y="{y + per_row / 2 + 4:.1f}" text-anchor="end" class="label">'
            f"{escape(str(row[0]))}</text>"
        )
        x = plot_left
        for index in range(len(chart.series)):
            width = (row[index + 1] or 0) / top * plot_width
            if chart.stacked:
                parts.append(_shape(chart, row, index, x, y, width, BAR_HEIGHT))
                x += width
            else:
                bar_y = y + index * BAR_HEIGHT
                parts.append(_shape(chart, row, index, plot_left, bar_y, width, BAR_HEIGHT - 2))
                value_y = bar_y + BAR_HEIGHT / 2 + 3
                parts.append(
                    f'<text x="{plot_left + width + 4:.1f}" y="{value_y:.1f}" class="value">'
                    f"{_number(row[index + 1])}{escape(chart.unit)}</text>"
                )
        if chart.stacked:
            parts.append(
                f'<text x="{x + 4:.1f}" y="{y + BAR_HEIGHT / 2 + 4:.1f}" class="value">'
                f"{_number(round(sum(v or 0 for v in row[1:]), 1))}{escape(chart.unit)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
