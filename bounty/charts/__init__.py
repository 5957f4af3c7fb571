"""Server-rendered SVG charts (no JavaScript, no external libraries): line, bar and heatmap.

Each function returns one ``<svg>`` string with a ``<title>``, a ``<desc>`` and a ``viewBox``; every
text it contains is escaped, so a view may mark the string safe. Pages show the same figures in a table.
"""

from bounty.charts.bars import BarSeries, bar_chart
from bounty.charts.heatmap import heatmap
from bounty.charts.line import Series, line_chart

__all__ = ["BarSeries", "Series", "bar_chart", "heatmap", "line_chart"]
