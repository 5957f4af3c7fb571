"""Submission-to-decision latency on the demo competition with one worker process.

    python -m benchmarks.latency            # 50 submissions, one after another

Seeds the demo competition (``manage.py seed_demo``: UCI Adult, 48,842 rows) in a fresh PostgreSQL
database with Redis as the broker (``benchmarks.stack``), starts gunicorn and one Celery worker process,
and submits through the API, one at a time, waiting for each decision before the next. Latency is the
server's ``finished_at - created_at`` of each submission (``client_*``: from the POST to the client
seeing the decision, polling every 20 ms). A few warm-up submissions (the worker's sandbox zygote
starts with its first job) are not counted. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from typing import Any

import requests

from benchmarks import stack
from benchmarks.load import HOST, _quantile, free_port, start_processes, stop, wait_for_web

POLL_SECONDS = 0.02


def submit_and_wait(session: requests.Session, base: str, pair: stack.Pair) -> tuple[int, float]:
    """Submit one pair through the API and wait for its decision: (id, seconds the client waited)."""
    start = time.perf_counter()
    response = session.post(
        f"{base}/api/v1/competitions/{stack.DEMO_SLUG}/submissions",
        data={"group_text": pair.text},
        files={"model": ("m.skops", pair.model)},
        timeout=60,
    )
    response.raise_for_status()
    submission_id = int(response.json()["id"])
    while session.get(f"{base}/api/v1/submissions/{submission_id}", timeout=30).json().get("pending", True):
        if time.perf_counter() - start > 300:
            raise RuntimeError(f"submission {submission_id} was not decided in 5 minutes")
        time.sleep(POLL_SECONDS)
    return submission_id, time.perf_counter() - start


def run(args: argparse.Namespace) -> dict[str, Any]:
    env, data_dir = stack.prepare("latency", redis_db=2)
    competition = stack.seed_demo(data_dir)
    _, token = stack.participant(competition, "latency")
    pairs = stack.demo_pairs(competition)
    port = free_port()
    base = f"http://{HOST}:{port}"
    processes = start_processes(env, data_dir, port, workers=1)
    try:
        wait_for_web(base)
        stack.wait_for_workers(1)
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        for index in range(args.warmup):
            submit_and_wait(session, base, pairs[-1 - index % len(pairs)])
        chosen = [pairs[i % len(pairs)] for i in range(args.submissions)]
        measured = [submit_and_wait(session, base, pair) for pair in chosen]
    finally:
        stop(processes)
    from bounty.models import Submission

    rows = Submission.objects.in_bulk([pk for pk, _ in measured])
    server = {pk: (s.finished_at - s.created_at).total_seconds() for pk, s in rows.items() if s.finished_at}
    client = [seconds for _, seconds in measured]
    by_kind: dict[str, list[float]] = {}
    for (pk, _), pair in zip(measured, chosen, strict=True):
        by_kind.setdefault(pair.kind, []).append(server[pk])
    return {
        "benchmark": "latency",
        "competition": stack.DEMO_SLUG,
        "holdout_rows": competition.data_card["rows"]["holdout"],
        "workers": 1,
        "submissions": len(measured),
        "p50_seconds": _quantile(list(server.values()), 0.5),
        "p95_seconds": _quantile(list(server.values()), 0.95),
        "max_seconds": round(max(server.values()), 3),
        "client_p50_seconds": _quantile(client, 0.5),
        "client_p95_seconds": _quantile(client, 0.95),
        "p50_seconds_by_model": {kind: _quantile(values, 0.5) for kind, values in by_kind.items()},
        "statuses": dict(Counter(s.status for s in rows.values())),
        "load_average": stack.load_average(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    print(json.dumps(run(parser.parse_args(argv))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
