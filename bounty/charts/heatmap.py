"""A heatmap: a grid of counts, darker for larger, each cell labelled with its number, and a legend
below it that shows which colour stands for which count."""

from __future__ import annotations

from collections.abc import Sequence

from bounty.charts.svg import document, esc, num, text

CELL_W, CELL_H = 96, 28
LEFT, TOP = 170, 90
MAX_LABEL = 24
LEGEND_H = 46
SWATCH_W, SWATCH_H = 40, 16


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[int]],
    *,
    chart_id: str,
    title: str,
    desc: str,
) -> str:
    """An SVG heatmap of ``values[row][column]`` (non-negative counts)."""
    if len(values) != len(rows) or any(len(v) != len(columns) for v in values):
        raise ValueError("values must have one row per row label and one value per column")
    top = max((v for row in values for v in row), default=0) or 1
    width = LEFT + CELL_W * max(len(columns), 1) + 90  # room for the last slanted label
    grid_bottom = TOP + CELL_H * max(len(rows), 1)
    height = grid_bottom + 16 + LEGEND_H
    body = ['<g class="column-labels" fill="#1f2933">']
    for j, column in enumerate(columns):
        x = LEFT + j * CELL_W + CELL_W / 2
        body.append(text(x, TOP - 10, _short(column), anchor="start",
                         extra=f'transform="rotate(-30 {num(x)} {TOP - 10})"'))  # fmt: skip
    body.append("</g>")
    for i, row in enumerate(rows):
        y = TOP + i * CELL_H
        body.append(text(LEFT - 8, y + CELL_H / 2 + 4, _short(row), anchor="end", extra='fill="#1f2933"'))
        for j, column in enumerate(columns):
            body.append(_cell(row, column, values[i][j], top, LEFT + j * CELL_W, y))
    body.append(_legend(top, grid_bottom + 16))
    return document(chart_id=chart_id, width=width, height=height, title=title, desc=desc, body=body)


def _fill(value: int, top: int) -> tuple[str, str]:
    """The cell colour of ``value`` (from near white to a saturated blue) and the ink to write on it."""
    strength = value / top
    lightness = 96 - 58 * strength
    return f"hsl(205, 70%, {lightness:.0f}%)", "#ffffff" if strength > 0.55 else "#1f2933"


def legend_values(top: int) -> list[int]:
    """The counts the legend shows: each from 0 to ``top`` when few, else five spread over the range."""
    if top <= 5:
        return list(range(top + 1))
    return sorted({round(top * i / 4) for i in range(5)})


def _legend(top: int, y: float) -> str:
    parts = [
        '<g class="legend">',
        text(LEFT - 8, y + SWATCH_H / 2 + 4, "Count:", anchor="end", extra='fill="#1f2933"'),
    ]
    for i, value in enumerate(legend_values(top)):
        x = LEFT + i * (SWATCH_W + 6)
        fill, _ = _fill(value, top)
        parts.append(
            f'<rect class="legend-swatch" x="{num(x)}" y="{num(y)}" width="{SWATCH_W}" height="{SWATCH_H}" '
            f'fill="{fill}" stroke="#9aa5b1"><title>{esc(f"{value} accepted groups")}</title></rect>'
        )
        parts.append(text(x + SWATCH_W / 2, y + SWATCH_H + 14, value, extra='fill="#1f2933"'))
    parts.append("</g>")
    return "".join(parts)


def _cell(row: str, column: str, value: int, top: int, x: float, y: float) -> str:
    fill, ink = _fill(value, top)
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{CELL_W - 2}" height="{CELL_H - 2}" fill="{fill}">'
        f"<title>{esc(f'{row}, {column}: {value}')}</title></rect>"
        + text(x + CELL_W / 2 - 1, y + CELL_H / 2 + 3, value, extra=f'fill="{ink}"')
    )


def _short(name: str) -> str:
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"
