"""An organizer's big file, from upload to an open competition: the seconds of each step and the memory
of the process that runs it.

    python -m benchmarks.wizard --rows 2000000 --json

Writes a generated messy CSV of ``--rows`` rows and 39 columns plus the target (``benchmarks.messy``:
trailing spaces, "NA" and "None" categories, text in a numeric column, a ragged row, code columns),
then runs the steps a competition definition runs, each in a fresh process forked from this one
(as a worker runs each job), with the definition's choices for the problems found:

- ``upload``: the web process streams the file into the draft (1 MB chunks);
- ``read``: the worker reads it in batches, writes the raw columns and counts what it finds;
- ``resolve``: the choices checked against the problems, the columns guessed, the schema built;
- ``prepare``: every row typed by the schema and routed to its split (seeded);
- ``train``: the default base model, logistic regression (one-hot categories, scaled numbers), on a
  seeded sample of at most ``BOUNTY_WIZARD_MAX_TRAIN_ROWS`` (200,000) train rows;
- ``spread``: the base model's losses on 50,000 train rows (in the sandbox) and the cross-fitted
  estimate of how much real fixes' gains vary, for the pre-flight;
- ``create``: the competition created (splits stored in the engine's format, the base model run in
  the sandbox on every row of the three splits) and opened.

Each step reports its seconds and the peak RSS of its process (``peak_rss_mb``: the process that
reads the file is the ``read`` step's; the sandbox children that run the base model are processes of
their own, not counted). ``total_seconds`` is their sum. The database is a fresh SQLite
file unless ``DATABASE_URL`` is set.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.messy import CHOICES, write_messy_csv

REPO_DIR = Path(__file__).resolve().parents[1]
CACHE = REPO_DIR / "var" / "bench-cache"


class FileUpload:
    """What the web process hands the service: a spooled upload read in chunks."""

    def __init__(self, path: Path) -> None:
        self.path, self.size = path, path.stat().st_size
        self.name: str | None = path.name

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        with open(self.path, "rb") as handle:
            while block := handle.read(chunk_size or 1024 * 1024):
                yield block


def configure(data_dir: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bounty.settings",
        BOUNTY_DATA_DIR=str(data_dir),
        BOUNTY_DEMO="1",
    )
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def in_child(step: Callable[[], None]) -> dict[str, float]:
    """Run ``step`` in a forked process; its seconds and peak RSS (MB)."""
    from django.db import connections

    connections.close_all()
    reader, writer = multiprocessing.get_context("fork").Pipe(duplex=False)

    def body() -> None:
        started = time.perf_counter()
        step()
        seconds = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        writer.send(
            {"seconds": round(seconds, 2), "peak_rss_mb": round(own), "children_peak_rss_mb": round(children)}
        )

    process = multiprocessing.get_context("fork").Process(target=body)
    process.start()
    process.join()
    if process.exitcode != 0:
        raise SystemExit(f"a step failed (exit code {process.exitcode})")
    return dict(reader.recv())


def run(rows: int) -> dict[str, Any]:
    CACHE.mkdir(parents=True, exist_ok=True)
    source = CACHE / f"messy-{rows}.csv"
    if not source.exists():  # in a child process, so that this one stays small for the steps' forks
        writer = multiprocessing.get_context("spawn").Process(
            target=write_messy_csv, args=(source.with_suffix(".part"), rows, 0)
        )
        writer.start()
        writer.join()
        source.with_suffix(".part").replace(source)
    with tempfile.TemporaryDirectory(prefix="bench-wizard-") as folder:
        configure(Path(folder))
        return steps(source)


def steps(source: Path) -> dict[str, Any]:
    from django.contrib.auth.models import Group, User

    from bounty.models import CompetitionDraft
    from bounty.services import definitions, draft_steps
    from bounty.services.draft_jobs import draft_job_start
    from bounty.wizard.definition import parse_definition

    user = User.objects.create_user("organizer", password="x")
    user.groups.add(Group.objects.get_or_create(name="organizers")[0])
    text = definition_text(source.name)
    draft_id: list[int] = []

    def upload() -> None:
        draft = definitions.definition_submit(user=user, text=text, uploads={"data": FileUpload(source)})
        draft_id.append(draft.pk)

    found: dict[str, Any] = {"upload": in_child(upload)}
    pk = CompetitionDraft.objects.latest("pk").pk
    definition = parse_definition(text)

    def job(body: Callable[[Any], Any]) -> Callable[[], None]:
        return lambda: body(CompetitionDraft.objects.get(pk=pk))

    quiet = lambda share, stage: None  # noqa: E731
    found["read"] = in_child(job(lambda d: draft_steps.read_files(d, quiet)))
    found["resolve"] = in_child(job(lambda d: _check(definitions.definition_resolve(d, definition))))
    found["prepare"] = in_child(job(lambda d: _check(draft_steps.prepare_splits(d, quiet))))
    found["train"] = in_child(job(lambda d: definitions.definition_model(d, definition, quiet)))
    found["spread"] = in_child(job(lambda d: draft_steps.measure_spread(d, quiet, loss="zero_one")))

    def create(draft: Any) -> None:
        schema = draft_steps.draft_schema(draft)
        rules = definitions.definition_rules(draft, definition, schema)
        draft.state = {**draft.state, "rules": rules, "open_now": True, "finished_by": user.pk}
        draft.save(update_fields=["state"])
        draft_steps.create_competition(draft, quiet)

    found["create"] = in_child(job(create))
    del draft_job_start
    draft = CompetitionDraft.objects.get(pk=pk)
    return {
        "rows": sum(draft.state["split_rows"].values()),
        "columns": len(draft.state["columns"]),
        "file_mb": round(source.stat().st_size / 2**20),
        "base_model": "logistic regression on a seeded sample of at most 200,000 train rows",
        "steps": found,
        "total_seconds": round(sum(s["seconds"] for s in found.values()), 2),
        "peak_rss_mb": max(s["peak_rss_mb"] for s in found.values()),
        "read_peak_rss_mb": found["read"]["peak_rss_mb"],
        "competition": draft.competition.status if draft.competition else None,
    }


def _check(outcome: Any) -> None:
    if outcome is not None and getattr(outcome, "status", "done") != "done":
        raise SystemExit(f"the step stopped: {outcome.extra}")


def definition_text(file_name: str) -> str:
    import yaml

    return yaml.safe_dump(
        {
            "slug": "bench-census",
            "title": "Benchmark: a messy census table",
            "data": {
                "file": file_name,
                "split": {"train": 0.6, "holdout": 0.2, "confirmation": 0.2, "seed": 1},
            },
            "problems": CHOICES,
            "target": "income",
            "loss": "zero_one",
            "base_model": {"train": "logistic"},
            "open": True,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--json", action="store_true", help="print JSON only")
    args = parser.parse_args(argv)
    result = run(args.rows)
    if args.json:
        print(json.dumps(result))
    else:
        for name, step in result["steps"].items():
            print(f"{name:>8}: {step['seconds']:7.2f} s  {step['peak_rss_mb']:6d} MB")
        print(f"   total: {result['total_seconds']:7.2f} s, peak {result['peak_rss_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
