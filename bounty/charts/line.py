"""A line chart: one or more series of (x, y) points on shared axes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bounty.charts.svg import PALETTE, document, esc, label, legend, nice_ticks, num, text

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 190, 20, 48
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

Scale = Callable[[float], float]


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float]]
    dashed: bool = False


def line_chart(
    series: Sequence[Series], *, chart_id: str, title: str, desc: str, x_label: str, y_label: str
) -> str:
    """An SVG line chart with whole-number x values (versions), markers and a legend."""
    xs = [x for s in series for x, _ in s.points] or [0.0, 1.0]
    ys = [y for s in series for _, y in s.points] or [0.0, 1.0]
    x_ticks = nice_ticks(min(xs), max(xs), 6, integer=True)
    y_ticks = nice_ticks(min(ys), max(ys), 5)  # zoomed to the data: loss steps are small
    x0, x1, y0, y1 = x_ticks[0], x_ticks[-1], y_ticks[0], y_ticks[-1]

    def px(x: float) -> float:
        return LEFT + (x - x0) / (x1 - x0) * PLOT_W

    def py(y: float) -> float:
        return TOP + PLOT_H - (y - y0) / (y1 - y0) * PLOT_H

    body = [_axes(x_ticks, y_ticks, px, py, x_label, y_label)]
    for i, s in enumerate(series):
        body.append(_series(s, PALETTE[i % len(PALETTE)], px, py))
    names, dashes = [s.name for s in series], [s.dashed for s in series]
    body.append(legend(names, x=WIDTH - RIGHT + 16, y=TOP + 10, dashed=dashes))
    return document(chart_id=chart_id, width=WIDTH, height=HEIGHT, title=title, desc=desc, body=body)


def _series(s: Series, colour: str, px: Scale, py: Scale) -> str:
    parts = ['<g class="series">']
    if len(s.points) > 1:
        coords = " ".join(f"{num(px(x))},{num(py(y))}" for x, y in s.points)
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
    for x, y in s.points:
        parts.append(
            f'<circle cx="{num(px(x))}" cy="{num(py(y))}" r="3" fill="{colour}">'
            f"<title>{esc(f'{s.name}: version {label(x)}, {label(y)}')}</title></circle>"
        )
    return "".join(parts) + "</g>"


def _axes(x_ticks: list[float], y_ticks: list[float], px: Scale, py: Scale, xl: str, yl: str) -> str:
    parts = ['<g class="grid" stroke="#c9ced6">']
    for y in y_ticks:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{num(py(y))}" y2="{num(py(y))}"/>')
    parts.append('</g><g class="ticks" fill="#5b6470">')
    parts += [text(LEFT - 8, py(y) + 4, label(y), anchor="end") for y in y_ticks]
    parts += [text(px(x), HEIGHT - BOTTOM + 18, label(x)) for x in x_ticks]
    parts.append(text(LEFT + PLOT_W / 2, HEIGHT - 8, xl))
    middle = TOP + PLOT_H / 2
    parts.append(text(16, middle, yl, extra=f'transform="rotate(-90 16 {num(middle)})"'))
    return "".join(parts) + "</g>"
