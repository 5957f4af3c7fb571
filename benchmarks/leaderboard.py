"""Leaderboard reads against a trivial view on the same server: requests per second and p95 with 50
concurrent readers, and their ratio.

    python -m benchmarks.leaderboard --readers 50 --seconds 20

The demo competition (``manage.py seed_demo``) in a fresh PostgreSQL database (``benchmarks.stack``),
with ``--teams`` more teams of three decided submissions each, served by gunicorn exactly as the
Makefile's ``WEB_CMD`` runs it (only the address differs). ``--readers`` concurrent readers (threads
spread over ``--processes`` client processes, one new connection per request, as gunicorn's sync workers
close each) fetch one URL for ``--seconds``: ``/healthz`` (answers ``ok``), the leaderboard page and
the API's leaderboard, in turn. ``ratio`` is leaderboard requests/s over ``/healthz`` requests/s. The
clients run on the same machine as the server. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import shlex
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from benchmarks import stack
from benchmarks.load import HOST, REPO_DIR, _quantile, free_port, stop, wait_for_web

PATHS = {
    "healthz": "/healthz",
    "leaderboard": f"/competitions/{stack.DEMO_SLUG}/leaderboard/",
    "api_leaderboard": f"/api/v1/competitions/{stack.DEMO_SLUG}/leaderboard",
}


def web_command(port: int) -> list[str]:
    """The Makefile's ``WEB_CMD``, bound to ``HOST:port``."""
    found = re.search(r"^WEB_CMD\s*[:?]?=\s*(.+)$", (REPO_DIR / "Makefile").read_text(), re.MULTILINE)
    assert found, "no WEB_CMD in the Makefile"
    words = shlex.split(found.group(1))
    words[words.index("--bind") + 1] = f"{HOST}:{port}"
    return [sys.executable, "-m", *words]


def populate(competition: Any, teams: int) -> None:
    """``teams`` more teams, each with three submissions decided here (in this process)."""
    from bounty.lifecycle import submission_score

    pairs = stack.demo_pairs(competition)
    for team in range(teams):
        user, _ = stack.participant(competition, f"reader-team-{team}")
        for index in range(3):
            pair = pairs[(3 * team + index) % len(pairs)]
            submission_score(submission_id=stack.submit(competition, user, pair.text, pair.model).pk)


def read_for(port: int, path: str, seconds: float, threads: int) -> tuple[list[float], int]:
    """One client process: ``threads`` readers fetching ``path`` for ``seconds``; latencies and errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def reader() -> None:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                conn.close()
                ok = response.status == 200
            except OSError:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - start)
                errors[0] += 0 if ok else 1

    pool = [threading.Thread(target=reader) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, errors[0]


def measure(port: int, path: str, args: argparse.Namespace) -> dict[str, Any]:
    base, extra = divmod(args.readers, args.processes)
    share = [base + (i < extra) for i in range(args.processes)]
    with ProcessPoolExecutor(max_workers=args.processes) as pool:
        read_for_path = [pool.submit(read_for, port, path, args.seconds, n) for n in share if n]
        results = [future.result() for future in read_for_path]
    latencies = [x for lat, _ in results for x in lat]
    return {
        "requests": len(latencies),
        "errors": sum(err for _, err in results),
        "rps": round(len(latencies) / args.seconds, 1),
        "p50_seconds": _quantile(latencies, 0.5),
        "p95_seconds": _quantile(latencies, 0.95),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    env, data_dir = stack.prepare("leaderboard", redis_db=6)
    from django.db import connections

    competition = stack.seed_demo(data_dir)
    populate(competition, args.teams)
    port = free_port()
    with (data_dir / "web.log").open("wb") as log:
        command = web_command(port)
        server = subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    connections.close_all()  # the client processes are forked from this one
    try:
        wait_for_web(f"http://{HOST}:{port}")
        figures = {}
        for name, path in PATHS.items():
            read_for(port, path, 2.0, 4)  # warm up
            figures[name] = measure(port, path, args)
    finally:
        stop([server])
    healthz = figures["healthz"]["rps"]
    return {
        "benchmark": "leaderboard",
        "readers": args.readers,
        "seconds": args.seconds,
        "web": " ".join(web_command(port)[2:]),
        "teams": competition.teams.count(),
        "submissions": competition.submissions.count(),
        **{f"{name}_{key}": value for name, row in figures.items() for key, value in row.items()},
        "ratio": round(figures["leaderboard"]["rps"] / healthz, 3) if healthz else None,
        "api_ratio": round(figures["api_leaderboard"]["rps"] / healthz, 3) if healthz else None,
        "load_average": stack.load_average(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--processes", type=int, default=5, help="client processes the readers share")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--teams", type=int, default=12)
    print(json.dumps(run(parser.parse_args(argv))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
