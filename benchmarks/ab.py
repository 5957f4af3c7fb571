"""An earlier commit against this checkout: the same benchmarks run alternately, in one sitting.

    python -m benchmarks.ab --base <commit>             # latency and throughput, 5 runs of each side
    python -m benchmarks.ab --base HEAD~3 --runs 3 --only latency

The base commit is checked out as a git worktree under ``var/ab/<commit>`` (made once, kept). Each run is
a fresh ``python -m benchmarks.<name>`` in one side's checkout with this virtualenv's Python; the sides
alternate (base, head, base, head...) so that a slow spell of the machine falls on both. Prints one JSON
line: for each benchmark's figures, every run and the median of each side, and head / base.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
# benchmark -> figure -> how to read it from the benchmark's JSON line
FIGURES: dict[str, dict[str, Callable[[dict[str, Any]], float]]] = {
    "latency": {
        "p50_seconds": lambda r: float(r["p50_seconds"]),
        "p95_seconds": lambda r: float(r["p95_seconds"]),
    },
    "throughput": {
        "decisions_per_minute_1": lambda r: float(r["decisions_per_minute"]["1"]),
        "decisions_per_minute_2": lambda r: float(r["decisions_per_minute"]["2"]),
    },
}


def checkout(commit: str) -> Path:
    """A worktree of ``commit`` (resolved to its full hash), made on first use."""
    full = subprocess.run(
        ["git", "rev-parse", "--verify", f"{commit}^{{commit}}"],
        cwd=REPO_DIR,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    where = REPO_DIR / "var" / "ab" / full[:12]
    if not where.exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(where), full],
            cwd=REPO_DIR,
            check=True,
            capture_output=True,
        )
    return where


def run_once(directory: Path, name: str) -> dict[str, Any]:
    """One benchmark run in ``directory``; its last line of output, parsed."""
    done = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}"],
        cwd=directory,
        env={**os.environ, "PYTHONPATH": str(directory)},  # its own code, in every process it starts
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def compare(base: Path, runs: int, names: list[str]) -> dict[str, Any]:
    sides = {"base": base, "head": REPO_DIR}
    seen: dict[str, dict[str, dict[str, list[float]]]] = {
        n: {f: {"base": [], "head": []} for f in FIGURES[n]} for n in names
    }
    for _ in range(runs):
        for name in names:
            for side, directory in sides.items():
                result = run_once(directory, name)
                for figure, read in FIGURES[name].items():
                    seen[name][figure][side].append(read(result))
    out: dict[str, Any] = {}
    for name, figures in seen.items():
        for figure, values in figures.items():
            base_median = statistics.median(values["base"])
            head_median = statistics.median(values["head"])
            out[f"{name}.{figure}"] = {
                "base": values["base"],
                "head": values["head"],
                "base_median": round(base_median, 4),
                "head_median": round(head_median, 4),
                "head_over_base": round(head_median / base_median, 3) if base_median else None,
            }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", required=True, help="the commit to compare this checkout with")
    parser.add_argument("--runs", type=int, default=5, help="runs of each benchmark on each side")
    parser.add_argument("--only", choices=sorted(FIGURES), action="append", help="one benchmark only")
    args = parser.parse_args(argv)
    names = args.only or sorted(FIGURES)
    result = {"base": args.base, "runs": args.runs, **compare(checkout(args.base), args.runs, names)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
