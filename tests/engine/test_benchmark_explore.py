"""The slice-discovery benchmark runs end to end on a small table and reports what the README quotes;
its planted slices come first and its exhaustive enumeration agrees with the search."""

from __future__ import annotations

import json

import pytest

from benchmarks import explore

pytestmark = pytest.mark.engine


def test_the_explore_benchmark_finds_the_exhaustive_top_ten(capsys: pytest.CaptureFixture[str]) -> None:
    result = explore.main(["--rows", "20000", "--json"])
    assert json.loads(capsys.readouterr().out) == result
    assert result["columns"] == 40 and result["recall_top10"] == 1.0
    assert result["seconds"] > 0 and result["peak_bytes"] > 0
    assert result["top"][0] == 'c3 == "k2" and c11 == "k0"'  # the strongest planted slice
