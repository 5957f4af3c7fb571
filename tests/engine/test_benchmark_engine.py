"""The engine benchmark runs end to end on a small world and reports what the README quotes."""

from __future__ import annotations

import json

import pytest

from benchmarks import engine

pytestmark = pytest.mark.engine


def test_the_engine_benchmark_prints_one_json_line_with_the_paired_overhead(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = engine.main(["--rows", "20000", "--depth", "3", "--repeat", "3", "--json"])
    assert json.loads(capsys.readouterr().out) == result
    assert result["nodes"] == 3
    assert result["check_seconds"] > result["sandbox_start_seconds"] > 0
    ratio = result["check_seconds"] / result["g_h_seconds"]
    assert result["ratio_of_medians"] == pytest.approx(ratio, rel=0.01)
    assert result["overhead_ratio"] > 0
    # The store is built in a process of its own; this one opens it as a worker would.
    assert result["worker_peak_rss_mb"] > 0 and result["setup_peak_rss_mb"] > 0
    assert result["state_bytes"] > 0
