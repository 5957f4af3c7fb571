"""Load: concurrent participants submitting through the API while readers browse, on the real stack.

    python -m benchmarks.load --participants 8 --minutes 5 --workers 2 --readers 4
    python -m benchmarks.load --short          # about a minute; the test suite runs this

Starts its own gunicorn on 127.0.0.1 (a free port) and ``--workers`` Celery worker processes, with
PostgreSQL / Redis from ``DATABASE_URL`` / ``REDIS_URL`` when set (SQLite and the filesystem broker in a
fresh data dir otherwise). Each participant submits a pair, waits for its decision, and submits again
until the time is up; readers fetch the leaderboard and competition pages meanwhile. Then every
submission is given ``--drain-seconds`` to be decided. Prints one JSON line:

    submitted, decided, failed, lost (must be 0), decided_twice (must be 0),
    decision_latency_p50/p95 (seconds, server timestamps), page_p95 (seconds), page_errors.

All traffic goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import requests

REPO_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    submitted: list[int] = field(default_factory=list)
    refused: int = 0
    page_seconds: list[float] = field(default_factory=list)
    page_errors: int = 0


def configure(data_dir: Path) -> dict[str, str]:
    """The environment of every process (this one included) and Django set up in this process."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bounty.settings",
        BOUNTY_DATA_DIR=str(data_dir),
        BOUNTY_DEMO="1",
        BOUNTY_API_RATE_LOGIN="100000/minute",
        BOUNTY_API_RATE_SUBMIT="100000/hour",
        BOUNTY_API_RATE_USER="100000/minute",
        BOUNTY_API_RATE_ANON="100000/minute",
        BOUNTY_RATE_PRECHECK="100000/hour",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO_DIR), env.get("PYTHONPATH")])),
    )
    os.environ.update(env)
    import django

    django.setup()
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_processes(
    env: dict[str, str], data_dir: Path, port: int, workers: int, *, web: bool = True
) -> list[subprocess.Popen[bytes]]:
    """gunicorn on ``port`` (unless ``web`` is False) and ``workers`` solo Celery worker processes."""
    logs = data_dir / "logs"
    logs.mkdir(exist_ok=True)
    server = [sys.executable, "-m", "gunicorn", "bounty.wsgi", "--bind", f"{HOST}:{port}", "--workers", "2",
              "--threads", "4", "--timeout", "120"]  # fmt: skip
    commands = [("web", server)] if web else []
    for index in range(workers):
        worker = [sys.executable, "-m", "celery", "-A", "bounty", "worker",
                  "-Q", "scoring,celery,precheck,explore", "--pool=solo", "--loglevel=WARNING",
                  "--without-mingle", "--without-gossip",
                  "-n", f"load-{index}@%h"]  # fmt: skip
        commands.append((f"worker-{index}", worker))
    started = []
    for name, command in commands:
        with (logs / f"{name}.log").open("wb") as log:
            started.append(
                subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
    return started


def wait_for_web(base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError("the web server did not start")


def participant(
    base: str, token: str, pairs: list[tuple[str, bytes]], offset: int, deadline: float, tally: Tally
) -> None:
    """Submit, wait for the decision, submit again, until the deadline."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    index = offset
    while time.monotonic() < deadline:
        text, model = pairs[index % len(pairs)]
        index += 1
        response = session.post(
            f"{base}/api/v1/competitions/load/submissions",
            data={"group_text": text},
            files={"model": ("m.skops", model)},
            timeout=60,
        )
        if response.status_code != 201:
            with tally.lock:
                tally.refused += 1
            time.sleep(0.5)
            continue
        submission_id = int(response.json()["id"])
        with tally.lock:
            tally.submitted.append(submission_id)
        while time.monotonic() < deadline:
            status = session.get(f"{base}/api/v1/submissions/{submission_id}", timeout=30).json()
            if not status.get("pending", True):
                break
            time.sleep(0.5)


def reader(base: str, deadline: float, tally: Tally) -> None:
    session = requests.Session()
    paths = [
        "/competitions/load/leaderboard/",
        "/competitions/load/",
        "/api/v1/competitions/load/leaderboard",
    ]
    index = 0
    while time.monotonic() < deadline:
        path = paths[index % len(paths)]
        index += 1
        start = time.monotonic()
        try:
            ok = session.get(base + path, timeout=30).status_code == 200
        except requests.RequestException:
            ok = False
        with tally.lock:
            tally.page_seconds.append(time.monotonic() - start)
            tally.page_errors += 0 if ok else 1
        time.sleep(0.1)


def drain(ids: list[int], timeout: float) -> None:
    from bounty.models import Submission

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Submission.objects.filter(pk__in=ids, status__in=Submission.PENDING).exists():
            return
        time.sleep(1.0)


def summarize(ids: list[int], tally: Tally) -> dict[str, Any]:
    from django.db.models import Count

    from bounty.models import AuditEvent, ModelVersion, Submission

    rows = {s.pk: s for s in Submission.objects.filter(pk__in=ids)}
    decided = [s for s in rows.values() if s.status in Submission.DECIDED]
    failed = sum(s.status == Submission.Status.FAILED for s in rows.values())
    decisions = (
        AuditEvent.objects.filter(action="submission.decided", payload__submission_id__in=ids)
        .values("payload__submission_id")
        .annotate(n=Count("id"))
    )
    twice = sum(1 for row in decisions if row["n"] > 1)
    numbers = sorted(ModelVersion.objects.values_list("number", flat=True))
    twice += 0 if numbers == list(range(len(numbers))) else 1  # a version recorded twice or skipped
    latency = [(s.finished_at - s.created_at).total_seconds() for s in decided if s.finished_at]
    return {
        "submitted": len(ids),
        "decided": len(decided),
        "failed": failed,
        "lost": len(ids) - len(decided) - failed,
        "decided_twice": twice,
        "refused": tally.refused,
        "decision_latency_p50": _quantile(latency, 0.5),
        "decision_latency_p95": _quantile(latency, 0.95),
        "page_requests": len(tally.page_seconds),
        "page_p95": _quantile(tally.page_seconds, 0.95),
        "page_errors": tally.page_errors,
        "accepted": sum(s.status == Submission.Status.ACCEPTED for s in decided),
    }


def _quantile(values: list[float], q: float) -> float | None:
    return round(float(np.quantile(values, q)), 3) if values else None


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="bounty-load-")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = configure(data_dir)
    from django.core.management import call_command

    from benchmarks.load_world import build_world

    call_command("migrate", "--noinput", verbosity=0)
    world = build_world(participants=args.participants, rows=args.rows)
    port = free_port()
    base = f"http://{HOST}:{port}"
    processes = start_processes(env, data_dir, port, args.workers)
    tally = Tally()
    try:
        wait_for_web(base)
        deadline = time.monotonic() + args.minutes * 60
        threads = [
            threading.Thread(target=participant, args=(base, p.token, world.pairs, i, deadline, tally))
            for i, p in enumerate(world.participants)
        ]
        threads += [
            threading.Thread(target=reader, args=(base, deadline, tally)) for _ in range(args.readers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        drain(tally.submitted, args.drain_seconds)
        return {
            "participants": args.participants,
            "minutes": args.minutes,
            **summarize(tally.submitted, tally),
        }
    finally:
        stop(processes)


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Terminate ``processes``, killing any that take longer than 30 s to go."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=8)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--rows", type=int, default=6000, help="rows of synthetic census data")
    parser.add_argument("--drain-seconds", type=float, default=600.0)
    parser.add_argument("--data-dir", default=None, help="default: a fresh temporary folder")
    parser.add_argument("--short", action="store_true", help="2 participants, 1 worker, 20 seconds")
    args = parser.parse_args(argv)
    if args.short:
        args.participants, args.minutes, args.workers, args.readers = 2, 1 / 3, 1, 1
        args.rows, args.drain_seconds = 3000, 240.0
    return args


def main(argv: list[str] | None = None) -> int:
    print(json.dumps(run(parse(argv))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
