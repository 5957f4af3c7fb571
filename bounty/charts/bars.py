"""A horizontal bar chart: one row per category, one bar per series in each row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bounty.charts.svg import PALETTE, document, esc, label, legend, nice_ticks, num, text

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 180, 40, 12, 44
LEGEND_ROW = 18
BAR, GAP = 14, 10
MAX_LABEL = 26
Scale = Callable[[float], float]


@dataclass(frozen=True)
class BarSeries:
    name: str
    values: Sequence[float | None]  # one per category; None draws no bar ("not shown")


def bar_chart(
    categories: Sequence[str],
    series: Sequence[BarSeries],
    *,
    chart_id: str,
    title: str,
    desc: str,
    value_label: str,
    max_value: float | None = None,
) -> str:
    """An SVG chart of horizontal bars; values start at zero."""
    if any(len(s.values) != len(categories) for s in series):
        raise ValueError("every series needs one value per category")
    known = [v for s in series for v in s.values if v is not None]
    highest = max_value if max_value is not None else max(known, default=1.0)
    ticks = nice_ticks(0.0, highest or 1.0, 5)
    row_h = BAR * max(len(series), 1) + GAP
    top = TOP + (LEGEND_ROW * len(series) if len(series) > 1 else 0)
    height = top + row_h * max(len(categories), 1) + BOTTOM
    plot_w = WIDTH - LEFT - RIGHT

    def px(value: float) -> float:
        return LEFT + value / ticks[-1] * plot_w

    body = [_grid(ticks, px, top, height, value_label)]
    for row, category in enumerate(categories):
        y = top + row * row_h
        short = category if len(category) <= MAX_LABEL else category[: MAX_LABEL - 1] + "…"
        body.append(text(LEFT - 8, y + row_h / 2, short, anchor="end", extra='fill="#1f2933"'))
        for i, s in enumerate(series):
            body.append(_bar(s.name, category, s.values[row], y + i * BAR, PALETTE[i % len(PALETTE)], px))
    if len(series) > 1:
        body.append(legend([s.name for s in series], x=LEFT, y=TOP + 6))
    return document(chart_id=chart_id, width=WIDTH, height=height, title=title, desc=desc, body=body)


def _bar(name: str, category: str, value: float | None, y: float, colour: str, px: Scale) -> str:
    if value is None:
        return text(px(0) + 4, y + BAR - 3, "not shown", anchor="start", extra='fill="#5b6470"')
    width = max(px(value) - px(0), 0.5)
    return (
        f'<rect x="{num(px(0))}" y="{num(y)}" width="{num(width)}" height="{BAR - 2}" fill="{colour}">'
        f"<title>{esc(f'{category}, {name}: {label(value)}')}</title></rect>"
    )


def _grid(ticks: list[float], px: Scale, top: int, height: int, value_label: str) -> str:
    bottom = height - BOTTOM
    parts = ['<g class="grid" stroke="#c9ced6">']
    parts += [f'<line x1="{num(px(t))}" x2="{num(px(t))}" y1="{top}" y2="{bottom}"/>' for t in ticks]
    parts.append('</g><g class="ticks" fill="#5b6470">')
    parts += [text(px(t), bottom + 16, label(t)) for t in ticks]
    parts.append(text(LEFT + (WIDTH - LEFT - RIGHT) / 2, height - 6, value_label))
    return "".join(parts) + "</g>"
