"""bounty.charts: every chart is well-formed SVG with a viewBox, a title and a description."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bounty.charts import BarSeries, Series, bar_chart, heatmap, line_chart
from bounty.charts.heatmap import legend_values
from bounty.charts.svg import nice_ticks

NS = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert len(root.get("viewBox", "").split()) == 4
    assert root.get("role") == "img"
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def test_line_chart_draws_one_polyline_per_series_and_a_marker_per_point() -> None:
    series = [
        Series("holdout loss", [(0, 0.2), (1, 0.18), (2, 0.17)]),
        Series("base", [(0, 0.2), (2, 0.2)], dashed=True),
    ]
    root = parsed(line_chart(series, chart_id="l", title="Loss", desc="d", x_label="v", y_label="loss"))
    assert len(root.findall(f".//{NS}polyline")) == 2
    assert len(root.findall(f".//{NS}circle")) == 5
    assert root.find(f"{NS}title").text == "Loss"  # type: ignore[union-attr]


def test_line_chart_of_a_single_point_is_still_valid() -> None:
    root = parsed(
        line_chart([Series("a", [(0, 0.3)])], chart_id="x", title="t", desc="d", x_label="", y_label="")
    )
    assert len(root.findall(f".//{NS}circle")) == 1


def test_bar_chart_draws_a_bar_per_known_value() -> None:
    svg = bar_chart(
        ["Female", "Male"],
        [BarSeries("base", [0.2, 0.1]), BarSeries("current", [0.15, None])],
        chart_id="b",
        title="Error by sex",
        desc="d",
        value_label="error",
    )
    root = parsed(svg)
    assert len(root.findall(f".//{NS}rect")) == 3
    assert "not shown" in svg


def test_bar_chart_needs_one_value_per_category() -> None:
    with pytest.raises(ValueError):
        bar_chart(["a"], [BarSeries("s", [1.0, 2.0])], chart_id="b", title="t", desc="d", value_label="")


def test_heatmap_draws_a_cell_per_count_with_its_number() -> None:
    root = parsed(heatmap(["t1", "t2"], ["sex", "age"], [[1, 0], [3, 2]], chart_id="h", title="t", desc="d"))
    cells = [r for r in root.findall(f".//{NS}rect") if r.get("class") != "legend-swatch"]
    assert len(cells) == 4
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert {"0", "1", "2", "3"} <= set(texts)


def test_heatmap_has_a_legend_from_zero_to_the_largest_count() -> None:
    root = parsed(heatmap(["t1", "t2"], ["sex"], [[0], [3]], chart_id="h", title="t", desc="d"))
    swatches = root.findall(f".//{NS}rect[@class='legend-swatch']")
    assert [s.find(f"{NS}title").text for s in swatches] == [  # type: ignore[union-attr]
        f"{n} accepted groups" for n in (0, 1, 2, 3)
    ]
    cell_for_3 = next(r for r in root.findall(f".//{NS}rect") if r.find(f"{NS}title").text == "t2, sex: 3")  # type: ignore[union-attr]
    assert swatches[-1].get("fill") == cell_for_3.get("fill")
    assert legend_values(40) == [0, 10, 20, 30, 40]


def test_every_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & "quotes"'
    for svg in (
        line_chart(
            [Series(evil, [(0, 1.0)])],
            chart_id=evil,
            title=evil,
            desc=evil,
            x_label=evil,
            y_label=evil,
        ),
        bar_chart([evil], [BarSeries(evil, [0.5])], chart_id="b", title=evil, desc=evil, value_label=evil),
        heatmap([evil], [evil], [[1]], chart_id="h", title=evil, desc=evil),
    ):
        assert "<script>" not in svg
        root = parsed(svg)
        assert root.find(f"{NS}title").text == evil  # type: ignore[union-attr]


def test_charts_use_no_style_attributes_or_scripts() -> None:
    svg = bar_chart(["a"], [BarSeries("s", [0.5])], chart_id="b", title="t", desc="d", value_label="")
    svg += heatmap(["r"], ["c"], [[2]], chart_id="h", title="t", desc="d")
    assert "style=" not in svg and "<script" not in svg and "<style" not in svg


def test_nice_ticks_cover_the_range() -> None:
    ticks = nice_ticks(0.1234, 0.2345)
    assert ticks[0] <= 0.1234 and ticks[-1] >= 0.2345
    assert nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(5, 5)[0] <= 5 <= nice_ticks(5, 5)[-1]
