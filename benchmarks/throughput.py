"""Decisions per minute on the demo competition with 1 and with 2 Celery worker processes.

    python -m benchmarks.throughput                  # both, each in a fresh stack; one JSON line
    python -m benchmarks.throughput --workers 2      # one of them

For each worker count: the demo competition (``manage.py seed_demo``) in a fresh PostgreSQL database
with Redis as the broker (``benchmarks.stack``), that many solo worker processes, a warm-up (each
worker's sandbox zygote starts with its first job), then ``--submissions`` pairs submitted at once
(``submission_create``, as the web and API do, in one transaction so that they are queued together).
Throughput is the decisions over the time from their queueing to the last decision.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from typing import Any

from benchmarks import stack
from benchmarks.load import REPO_DIR, drain, free_port, start_processes, stop


def submit(competition: Any, user: Any, pairs: list[stack.Pair], count: int) -> tuple[list[int], Any]:
    """Create ``count`` submissions in one transaction, so that all are queued at once when it commits
    (creating them is not timed): their ids and the time just before the commit."""
    from django.db import transaction
    from django.utils import timezone

    ids = []
    with transaction.atomic():
        for index in range(count):
            pair = pairs[index % len(pairs)]
            ids.append(stack.submit(competition, user, pair.text, pair.model).pk)
        queued_at = timezone.now()
    return ids, queued_at


def one(workers: int, submissions: int) -> dict[str, Any]:
    env, data_dir = stack.prepare(f"throughput{workers}", redis_db=2 + workers)
    competition = stack.seed_demo(data_dir)
    user, _ = stack.participant(competition, "throughput")
    pairs = stack.demo_pairs(competition)
    processes = start_processes(env, data_dir, free_port(), workers, web=False)
    try:
        stack.wait_for_workers(workers)
        drain(submit(competition, user, pairs, 2 * workers)[0], timeout=300)  # warm-up
        ids, queued_at = submit(competition, user, pairs, submissions)
        drain(ids, timeout=1800)
    finally:
        stop(processes)
    from bounty.models import Submission

    rows = list(Submission.objects.filter(pk__in=ids))
    finished = [s.finished_at for s in rows if s.status in Submission.DECIDED and s.finished_at is not None]
    span = (max(finished) - queued_at).total_seconds()
    return {
        "workers": workers,
        "submissions": submissions,
        "decided": len(finished),
        "seconds": round(span, 3),
        "decisions_per_minute": round(len(finished) / span * 60, 1),
        "statuses": dict(Counter(s.status for s in rows)),
        "load_average": stack.load_average(),
    }


def both(submissions: int) -> dict[str, Any]:
    """Each worker count in its own process (a fresh database, broker and data dir each)."""
    runs = {}
    for workers in (1, 2):
        command = [sys.executable, "-m", "benchmarks.throughput", "--workers", str(workers),
                   "--submissions", str(submissions)]  # fmt: skip
        done = subprocess.run(command, cwd=REPO_DIR, capture_output=True, text=True, check=True)
        runs[workers] = json.loads(done.stdout.strip().splitlines()[-1])
    per_minute = {str(k): run["decisions_per_minute"] for k, run in runs.items()}
    return {
        "benchmark": "throughput",
        "competition": stack.DEMO_SLUG,
        "submissions": submissions,
        "decisions_per_minute": per_minute,
        "speedup": round(per_minute["2"] / per_minute["1"], 2),
        "runs": list(runs.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=None, help="one worker count (default: 1 and 2)")
    parser.add_argument("--submissions", type=int, default=120)
    args = parser.parse_args(argv)
    result = both(args.submissions) if args.workers is None else one(args.workers, args.submissions)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
