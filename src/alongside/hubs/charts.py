"""Charts for the Talking Points figures, drawn as SVG on the server (no JavaScript).

Each chart is an image with a title and a description for screen readers (`role="img"`,
`<title>`, `<desc>`); the page shows its data table next to it, so nothing is only in the
picture. Series differ by line style and marker as well as colour. A missing value (hidden
because it rests on fewer than 5, or no data) leaves a gap rather than a zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 88
# GOV.UK colours with enough contrast on white.
BLUE, ORANGE, BLACK, GREEN, GREY = "#1d70b8", "#d4351c", "#0b0c0c", "#00703c", "#505a5f"


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    colour: str = BLUE
    dashed: bool = False
    marker: str = "circle"  # "circle", "square" or "triangle"


def _nice_top(value: float) -> float:
    """A round number at or above the value for the top of the scale."""
    if value <= 0:
        return 10
    step = 10 ** math.floor(math.log10(value))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * step >= value:
            return multiple * step
    return 10 * step


def _fmt(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


class _Canvas:
    def __init__(self, *, labels: list[str], top: float, unit: str) -> None:
        self.labels = labels
        self.top = top
        self.unit = unit
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM
        self.parts: list[str] = []

    def x(self, index: int) -> float:
        n = max(1, len(self.labels))
        return LEFT + self.plot_w * (index + 0.5) / n

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (1 - min(value, self.top) / self.top)

    def axes(self) -> None:
        for i in range(5):
            value = self.top * i / 4
            y = self.y(value)
            self.parts.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                f'stroke="#b1b4b6" stroke-width="1"/>'
                f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                f'fill="{BLACK}">{_fmt(value)}{escape(self.unit)}</text>'
            )
        for i, label in enumerate(self.labels):
            self.parts.append(
                f'<text x="{self.x(i):.1f}" y="{TOP + self.plot_h + 18}" text-anchor="middle" '
                f'font-size="12" fill="{BLACK}">{escape(label)}</text>'
            )

    def legend(self, entries: list[tuple[str, str, bool, str]]) -> None:
        """(name, colour, dashed, marker) in a row or two under the axis."""
        x, y = LEFT, HEIGHT - BOTTOM + 44
        for name, colour, dashed, marker in entries:
            width = 36 + 7 * len(name)
            if x + width > WIDTH - RIGHT:
                x, y = LEFT, y + 20
            dash = ' stroke-dasharray="6 4"' if dashed else ""
            self.parts.append(
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{colour}" '
                f'stroke-width="3"{dash}/>'
            )
            if marker:
                self.parts.append(_marker(marker, x + 12, y - 4, colour))
            self.parts.append(
                f'<text x="{x + 30}" y="{y}" font-size="12" fill="{BLACK}">{escape(name)}</text>'
            )
            x += width

    def svg(self, *, chart_id: str, title: str, desc: str) -> SafeString:
        body = "".join(self.parts)
        return mark_safe(  # noqa: S308 - every text in it is escaped above
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'class="hubs-chart" font-family="Arial, sans-serif" id="{chart_id}">'
            f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(desc)}</desc>{body}</svg>'
        )


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[Series],
    unit: str = "",
) -> SafeString:
    """Lines across the labels (months), one for each series, broken where a value is
    missing."""
    values = [v for s in series for v in s.values if v is not None]
    canvas = _Canvas(labels=labels, top=_nice_top(max(values, default=0)), unit=unit)
    canvas.axes()
    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        run: list[str] = []
        runs: list[list[str]] = []
        for i, value in enumerate(s.values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{canvas.x(i):.1f},{canvas.y(value):.1f}")
            canvas.parts.append(_marker(s.marker, canvas.x(i), canvas.y(value), s.colour))
        if run:
            runs.append(run)
        for points in runs:
            if len(points) > 1:
                canvas.parts.append(
                    f'<polyline points="{" ".join(points)}" fill="none" stroke="{s.colour}" '
                    f'stroke-width="2.5"{dash}/>'
                )
    canvas.legend([(s.name, s.colour, s.dashed, s.marker) for s in series])
    return canvas.svg(chart_id=chart_id, title=title, desc=desc)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: list[str],
    series: list[Series],
    unit: str = "",
    baseline: tuple[str, float] | None = None,
    top: float | None = None,
) -> SafeString:
    """Bars for each label, side by side for each series, with an optional dashed line
    across (an expected level)."""
    values = [v for s in series for v in s.values if v is not None]
    if baseline:
        values.append(baseline[1])
    canvas = _Canvas(labels=labels, top=top or _nice_top(max(values, default=0)), unit=unit)
    canvas.axes()
    n = max(1, len(labels))
    group_w = canvas.plot_w / n * 0.8
    bar_w = group_w / max(1, len(series))
    base_y = canvas.y(0)
    for si, s in enumerate(series):
        for i, value in enumerate(s.values):
            if value is None:
                continue
            x = canvas.x(i) - group_w / 2 + si * bar_w
            y = canvas.y(value)
            pattern = ' stroke="#0b0c0c" stroke-width="1"' if s.dashed else ""
            canvas.parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{max(0.0, base_y - y):.1f}" fill="{s.colour}"{pattern}/>'
            )
    entries = [(s.name, s.colour, False, "square") for s in series]
    if baseline:
        name, level = baseline
        y = canvas.y(level)
        canvas.parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{BLACK}" '
            f'stroke-width="2.5" stroke-dasharray="8 5"/>'
        )
        entries.append((name, BLACK, True, ""))
    canvas.legend(entries)
    return canvas.svg(chart_id=chart_id, title=title, desc=desc)
