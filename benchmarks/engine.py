"""Engine overhead: one check of a new pair through the engine (sandbox included) against g and h alone.

    python -m benchmarks.engine --rows 1000000 --depth 200 --json

Builds a synthetic census-like competition (holdout of ``--rows`` rows, confirmation of a quarter of that),
grows a list of ``--depth`` accepted updates, then times one check of a new pair: a JSON group and a
HistGradientBoosting h, evaluated through ``Store.evaluate`` (group on the hidden splits, h in a sandboxed
child on the group's rows of both hidden splits) and decided by the list's check. The baseline
``g_h_seconds`` does the same model work in-process: the group on both splits and ``h.predict`` on their
group rows. Each timed pair is a check and an in-process run back to back; ``overhead_ratio`` is the
median over the pairs of check time / in-process time, so that a slow or fast spell of a shared
machine falls on both sides of a ratio. ``check_seconds`` and
``g_h_seconds`` are the medians of each side, and ``ratio_of_medians`` their ratio.

Before each timing the benchmark waits until the sandbox's standby child is ready and the last job's
child has exited (``prestart``), as a worker's are between two submissions: neither the fork of the
next standby nor the exit of the last child overlaps a timing, of either side.

The list is grown in-process (``DecisionList.commit``, the same check and repairs) since this measures
checking, not list building: the base model is a weak depth-2 tree, and each update is a disjoint cell
(region x education x workclass x sex x age band) with a depth-5 tree fit on a fresh sample of that cell,
kept only when the check accepts it. Every node is a real tree group and a real model file, so
``predict_seconds`` (the full list's predict on every holdout row, models in the sandbox) is honest.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import queue
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import skops.io as sio
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder
from sklearn.tree import DecisionTreeClassifier

from benchmarks.census import CATEGORIES, NUMERIC, SCHEMA, census_frame
from scoring import groups
from scoring.check import Rules
from scoring.engine import Store, create_store
from scoring.pdl import GroupSpec, save
from scoring.sandbox import Limits, PairJob, SplitJob, prestart, run_pair

CHECK_GROUP = 'age >= 40 and marital_status in ["Married", "Divorced"]'


def base_model(train: pd.DataFrame) -> bytes:
    model = Pipeline([("encode", encoder()), ("tree", DecisionTreeClassifier(max_depth=2, random_state=0))])
    model.fit(SCHEMA.coerce(train), train["income"])
    return sio.dumps(model)


def encoder() -> ColumnTransformer:
    """Categoricals to ordinals, numerics imputed (a ``passthrough`` would store a FunctionTransformer)."""
    return ColumnTransformer(
        [("cat", OrdinalEncoder(), list(CATEGORIES)), ("num", SimpleImputer(), list(NUMERIC))],
        sparse_threshold=0,
    )


def group_model(seed: int) -> Pipeline:
    return Pipeline([("encode", encoder()), ("tree", DecisionTreeClassifier(max_depth=5, random_state=seed))])


def cells(rng: np.random.Generator) -> list[dict[str, object]]:
    """Disjoint groups (region x education x workclass x sex x age band), in random order."""
    out: list[dict[str, object]] = []
    for region in CATEGORIES["region"]:
        for education in CATEGORIES["education"]:
            for workclass in CATEGORIES["workclass"]:
                for sex in CATEGORIES["sex"]:
                    for low, high in ((17.0, 29.0), (30.0, 44.0), (45.0, 59.0), (60.0, 89.0)):
                        args = [
                            {"col": "region", "op": "==", "value": region},
                            {"col": "education", "op": "==", "value": education},
                            {"col": "workclass", "op": "==", "value": workclass},
                            {"col": "sex", "op": "==", "value": sex},
                            {"col": "age", "op": "between", "low": low, "high": high},
                        ]
                        out.append({"op": "and", "args": args})
    return [out[i] for i in rng.permutation(len(out))]


def grow(store: Store, depth: int, seed: int) -> int:
    """Append ``depth`` accepted updates over disjoint cells, each h a tree fit on a large fresh sample."""
    rng = np.random.default_rng(seed)
    dl = store.decision_list(0)
    frames = {s: store.frame(s) for s in ("holdout", "confirmation")}
    sample = census_frame(1_000_000, seed + 3)
    coerced = SCHEMA.coerce(sample)
    accepted = 0
    for raw in cells(rng):
        if accepted == depth:
            break
        tree = groups.validate_tree(raw, SCHEMA)
        in_sample = groups.evaluate(tree, coerced, SCHEMA)
        model = group_model(accepted).fit(coerced[in_sample], sample["income"][in_sample])
        masks = {s: groups.evaluate(tree, f, SCHEMA) for s, f in frames.items()}
        preds = {
            s: pd.Categorical(model.predict(f[masks[s]]), categories=SCHEMA.classes).codes.astype(np.int64)
            for s, f in frames.items()
        }
        decision, _ = dl.commit(
            spec=GroupSpec(tree=tree), model=sio.dumps(model), masks=masks, preds=preds, label=f"b{accepted}"
        )
        accepted += decision.accepted
        if decision.accepted and accepted % 25 == 0:
            print(f"grown: {accepted} accepted updates, {dl.head} nodes", file=sys.stderr)
    if accepted < depth:
        raise SystemExit(f"only {accepted} of {depth} cells gave an accepted update; lower --depth")
    save(dl, store.directory / "list", schema=SCHEMA, loss_params={})
    return dl.head


def time_check(store: Store, head: int, tree: dict[str, object], h_bytes: bytes) -> float:
    start = time.perf_counter()
    evaluation = store.evaluate(group=tree, model=h_bytes)
    store.decision_list(head).check(evaluation.masks["holdout"], evaluation.preds["holdout"])
    return time.perf_counter() - start


def time_in_process(store: Store, tree: dict[str, object], h: HistGradientBoostingClassifier) -> float:
    start = time.perf_counter()
    for split in ("holdout", "confirmation"):
        frame = store.frame(split)
        mask = groups.evaluate(groups.validate_tree(tree, SCHEMA), frame, SCHEMA)
        h.predict(frame[mask])
    return time.perf_counter() - start


def sandbox_start(store: Store) -> float:
    """Best of five: a sandboxed child that loads the (small) base model and predicts one row."""
    mask = np.zeros(len(store.frame("holdout")), dtype=bool)
    mask[0] = True
    job = PairJob(
        model=store.base_model(),
        output="label",
        classes=SCHEMA.classes,
        splits={"holdout": SplitJob(store.frame_dir("holdout"), mask)},
    )
    times = []
    for _ in range(5):
        prestart()
        start = time.perf_counter()
        run_pair(job, Limits())
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mb(who: int) -> int:
    return round(resource.getrusage(who).ru_maxrss / 1024)


def _setup(directory: Path, rows: int, depth: int, seed: int, done: Any) -> None:
    train = census_frame(min(rows, 50_000), seed)
    splits = {
        "train": train,
        "holdout": census_frame(rows, seed + 1),
        "confirmation": census_frame(max(rows // 4, 1000), seed + 2),
    }
    store = create_store(
        directory=directory,
        schema=SCHEMA,
        loss="zero_one",
        rules=Rules(alpha=1e-5, mu_min=1e-4),
        splits=splits,
        base_model=base_model(train),
    )
    del splits
    done.put((grow(store, depth, seed), peak_rss_mb(resource.RUSAGE_SELF)))


def build(directory: Path, rows: int, depth: int, seed: int) -> tuple[int, int]:
    """The organizer's side, in a process of its own: generate the splits, create the store, grow the
    list. Returns the head and that process's peak RSS (MB); the worker's side starts from the files."""
    context = multiprocessing.get_context("fork")
    done = context.Queue()
    process = context.Process(target=_setup, args=(directory, rows, depth, seed, done))
    process.start()
    while True:
        try:
            head, peak = done.get(timeout=5)
            break
        except queue.Empty:
            if not process.is_alive():
                raise SystemExit(f"building the store failed (exit code {process.exitcode})") from None
    process.join()
    return int(head), int(peak)


def main(argv: list[str] | None = None) -> dict[str, float | int]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--depth", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=11, help="timed pairs (check, in-process); medians")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = args.rows
    with tempfile.TemporaryDirectory(prefix="bench-engine-") as tmp:
        directory = Path(tmp) / "c"
        head, setup_peak = build(directory, rows, args.depth, args.seed)
        store = Store(directory)  # as a worker opens it: this process's memory is the worker's
        train = census_frame(min(rows, 50_000), args.seed)
        tree = groups.parse_text(CHECK_GROUP, SCHEMA)
        coerced = SCHEMA.coerce(train)
        in_group = groups.evaluate(tree, coerced, SCHEMA)
        h = HistGradientBoostingClassifier(random_state=0).fit(coerced[in_group], train["income"][in_group])
        h_bytes = sio.dumps(h)
        time_in_process(store, tree, h)  # warm the page cache and numpy for both sides alike
        checks, direct = [], []
        for _ in range(args.repeat):
            prestart()  # the sandbox's standby is ready, as between two submissions
            checks.append(time_check(store, head, tree, h_bytes))
            prestart()  # and the check's child has exited before the in-process timing
            direct.append(time_in_process(store, tree, h))
        start = time.perf_counter()
        store.predict(store.frame_dir("holdout"), head=head)
        predict_seconds = time.perf_counter() - start
        result: dict[str, float | int] = {
            "rows": rows,
            "depth": args.depth,
            "nodes": head,
            "check_seconds": round(float(np.median(checks)), 4),
            "g_h_seconds": round(float(np.median(direct)), 4),
            "overhead_ratio": round(float(np.median(np.divide(checks, direct))), 3),
            "ratio_of_medians": round(float(np.median(checks) / np.median(direct)), 3),
            "sandbox_start_seconds": round(sandbox_start(store), 4),
            "predict_seconds": round(predict_seconds, 3),
            "state_bytes": store.decision_list(head).state_nbytes(),
            "worker_peak_rss_mb": peak_rss_mb(resource.RUSAGE_SELF),
            "setup_peak_rss_mb": setup_peak,
        }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
