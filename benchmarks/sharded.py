"""Sharded against whole scoring of the same pairs on a large holdout, the real stack, 1 and 2 workers.

    python -m benchmarks.sharded --rows 10000000

For each worker count of ``--workers`` (default 1, then 2), two fresh competitions on the same synthetic
census data (``benchmarks.census``; holdout ``--rows`` rows, confirmation a quarter of that) in a fresh
PostgreSQL database with Redis (``benchmarks.stack``): one scored whole, one in shards of
``--shard-rows`` rows (the ``BOUNTY_SHARD_ROWS`` default), with that many solo worker processes. After a
warm-up, the same pairs go to each competition in turn, one at a time: a gradient-boosting h on the
group of ``benchmarks.engine`` (accepted the first time, rejected after; its predict is multi-threaded)
and a depth-5 tree on another group (single-threaded). Prints, per worker count, the median
submission-to-decision time (server timestamps) of each pair, whole and sharded, and whether every
decision, figure, version and prediction on the hidden splits is equal; and whether the decisions
with each worker count are the same.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.ensemble import HistGradientBoostingClassifier

from benchmarks import stack
from benchmarks.census import SCHEMA, census_frame
from benchmarks.engine import CHECK_GROUP, base_model, group_model
from benchmarks.load import drain, free_port, start_processes, stop
from scoring import groups

OTHER_GROUP = 'education in ["Bachelors", "Masters"] and hours_per_week > 45'


def pair(train: Any, text: str, kind: str) -> tuple[str, bytes]:
    coerced = SCHEMA.coerce(train)
    mask = groups.evaluate(groups.parse_text(text, SCHEMA), coerced, SCHEMA)
    model = HistGradientBoostingClassifier(random_state=0) if kind == "boosting" else group_model(seed=0)
    return text, bytes(sio.dumps(model.fit(coerced[mask], train["income"][mask])))


def competitions(rows: int, shard_rows: int, runs: list[int]) -> tuple[dict[int, tuple[Any, Any]], Any]:
    """A whole and a sharded competition on the same splits for each run (worker count), all fresh."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from bounty.models import Competition
    from bounty.services.competitions import competition_create

    train = census_frame(min(rows, 50_000), 0)
    splits = {"train": train, "holdout": census_frame(rows, 1), "confirmation": census_frame(rows // 4, 2)}
    organizer = User.objects.create_user("organizer", password=None)
    base = base_model(train)

    def create(slug: str, limit: int) -> Any:
        return competition_create(
            slug=slug,
            title=slug,
            schema=SCHEMA,
            loss="zero_one",
            alpha=1e-5,
            mu_min=1e-4,
            z=1.0,
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=30),
            splits=splits,
            base_model=base,
            organizers=[organizer],
            status=Competition.Status.OPEN,
            daily_quota=1000,
            total_quota=1000,
            shard_rows=limit,
        )

    made = {n: (create(f"whole-{n}", 4 * rows), create(f"sharded-{n}", shard_rows)) for n in runs}
    return made, train


def decide(competition: Any, user: Any, text: str, model: bytes) -> Any:
    from bounty.models import Submission

    made = stack.submit(competition, user, text, model)
    drain([made.pk], timeout=600)
    return Submission.objects.get(pk=made.pk)


def same_model(whole: Any, sharded: Any) -> bool:
    from bounty.engine_adapter import competition_store
    from bounty.models import ModelVersion

    whole.refresh_from_db()
    sharded.refresh_from_db()
    fields = ("number", "kind", "gain", "holdout_loss", "confirmation_loss")
    versions = [list(ModelVersion.objects.filter(competition=c).order_by("number").values_list(*fields))
                for c in (whole, sharded)]  # fmt: skip
    lists = [competition_store(c).decision_list(c.head_version) for c in (whole, sharded)]
    predictions = all(
        np.array_equal(lists[0].predictions(s), lists[1].predictions(s)) for s in ("holdout", "confirmation")
    )
    return versions[0] == versions[1] and whole.head_version == sharded.head_version and predictions


def run(args: argparse.Namespace) -> dict[str, Any]:
    env, data_dir = stack.prepare("sharded", redis_db=7)
    from bounty.lifecycle.shards import shard_count as submission_shard_count

    runs = [int(n) for n in str(args.workers).split(",")]
    made, train = competitions(args.rows, args.shard_rows, runs)
    pairs = {"boosting": pair(train, CHECK_GROUP, "boosting"), "tree": pair(train, OTHER_GROUP, "tree")}
    warmup = pair(train, 'sex == "Female" and age >= 60', "tree")
    by_workers = {n: measure(env, data_dir, n, made[n], pairs, warmup, args.repeat) for n in runs}
    outcomes = [r.pop("outcomes") for r in by_workers.values()]
    sharded = made[runs[0]][1]
    return {
        "benchmark": "sharded",
        "rows": args.rows,
        "confirmation_rows": args.rows // 4,
        "shard_rows": args.shard_rows,
        "shards": submission_shard_count(sharded.submissions.order_by("-seq").first()),
        "repeat": args.repeat,
        "by_workers": by_workers,
        "decisions_equal_across_workers": all(o == outcomes[0] for o in outcomes),
        "load_average": stack.load_average(),
    }


def measure(
    env: dict[str, str],
    data_dir: Any,
    workers: int,
    pair_of: tuple[Any, Any],
    pairs: dict[str, tuple[str, bytes]],
    warmup: tuple[str, bytes],
    repeat: int,
) -> dict[str, Any]:
    """The same pairs to the whole and the sharded competition in turn, with ``workers`` workers."""
    whole, sharded = pair_of
    users = {c.pk: stack.participant(c, f"p{c.pk}")[0] for c in pair_of}
    processes = start_processes(env, data_dir, free_port(), workers, web=False)
    seconds: dict[tuple[str, str], list[float]] = {}
    outcomes: dict[str, list[tuple[Any, ...]]] = {"whole": [], "sharded": []}
    try:
        stack.wait_for_workers(workers)
        for competition in pair_of:  # every worker loads both competitions and starts its zygote
            drain([stack.submit(competition, users[competition.pk], *warmup).pk for _ in range(workers)], 900)
        for _ in range(repeat):
            for kind, (text, model) in pairs.items():
                for name, competition in (("whole", whole), ("sharded", sharded)):
                    done = decide(competition, users[competition.pk], text, model)
                    assert done.finished_at is not None
                    seconds.setdefault((kind, name), []).append(
                        (done.finished_at - done.created_at).total_seconds()
                    )
                    outcomes[name].append((done.status, done.reason, done.public_gain, done.figures))
                    time.sleep(0.5)
    finally:
        stop(processes)
    return {
        "decisions": len(outcomes["whole"]),
        "seconds": {
            kind: {name: round(statistics.median(seconds[kind, name]), 3) for name in ("whole", "sharded")}
            for kind in pairs
        },
        "decisions_equal": outcomes["whole"] == outcomes["sharded"],
        "model_equal": same_model(whole, sharded),
        "statuses": sorted({o[0] for o in outcomes["whole"]}),
        "outcomes": outcomes["sharded"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--shard-rows", type=int, default=500_000)
    parser.add_argument("--workers", default="1,2", help="worker counts, in turn (fresh competitions each)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the pairs; medians are reported")
    print(json.dumps(run(parser.parse_args(argv))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
