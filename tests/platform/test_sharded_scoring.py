"""Sharded scoring on a real worker: the same submissions to a competition scored in shards of a few
hundred rows and to one scored whole get the same decisions, statuses, figures and model.

With Redis the shards run as a chord of separate tasks; on SQLite (no result backend) they run one after
another in the scoring task. Both go through the same combine."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.tree import DecisionTreeClassifier

from bounty.engine_adapter import competition_store
from bounty.lifecycle import shard_evaluate, submission_create, submission_shards_finish
from bounty.models import Competition, ModelVersion, Submission
from bounty.selectors.leaderboard import leaderboard
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from bounty.storage import data_dir
from scoring.frames import write_frame
from tests.platform.conftest import LiveWorker
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model, world

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SHARD_ROWS = 400  # 1,500 holdout and 1,500 confirmation rows: four shards each


def broken_model() -> bytes:
    """A model that fails while predicting: it needs a column the competition does not have."""
    w = world()
    train = w.schema.coerce(w.splits["train"]).assign(extra=1.0)
    model = Pipeline(
        [
            ("num", ColumnTransformer([("n", SimpleImputer(), ["age", "extra"])])),
            ("tree", DecisionTreeClassifier(max_depth=2, random_state=0)),
        ]
    )
    model.fit(train, w.splits["train"][w.schema.target])
    return bytes(sio.dumps(model))


def work() -> list[tuple[str, bytes]]:
    pairs = [(text, pair_model(text, kind)) for kind in ("boosting", "tree2") for text in GROUP_TEXTS]
    pairs.insert(3, ('sex == "Female" and age >= 40', broken_model()))
    pairs.insert(5, ("age >= 200", pair_model("hours_per_week > 45", "tree2")))  # an empty group
    return pairs


def submit_all(competition: Competition, user: User, pairs: list[tuple[str, bytes]]) -> None:
    terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
    team_create(competition=competition, name="Shards", user=user)
    for index, (text, model) in enumerate(pairs):
        submission_create(
            competition=competition,
            user=user,
            group_text=text,
            model_file=ContentFile(model, name=f"m{index}.skops"),
        )


def wait_decided(competitions: list[Competition], timeout: float = 600.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Submission.objects.filter(
            competition__in=competitions, status__in=Submission.PENDING
        ).exists():
            return
        time.sleep(0.5)
    raise AssertionError("not every submission was decided in time")


def outcomes(competition: Competition) -> list[tuple[Any, ...]]:
    rows = competition.submissions.order_by("seq")
    return [(s.seq, s.status, s.reason, s.message, s.public_gain, s.figures) for s in rows]


def versions(competition: Competition) -> list[tuple[Any, ...]]:
    rows = ModelVersion.objects.filter(competition=competition).order_by("number")
    return [
        (v.number, v.kind, v.submission.seq if v.submission else None, v.gain, v.holdout_loss)
        for v in rows.select_related("submission")
    ]


def test_sharded_and_whole_scoring_decide_the_same_submissions_identically(
    live_worker: LiveWorker,
) -> None:
    organizer = User.objects.create_user("org", password="org-pass-123456")
    whole = engine_competition(organizer=organizer, slug="whole")
    sharded = engine_competition(organizer=organizer, slug="sharded", shard_rows=SHARD_ROWS)
    pairs = work()
    for competition, name in ((whole, "ada"), (sharded, "grace")):
        submit_all(competition, User.objects.create_user(name, password="participant-pass-1"), pairs)
    wait_decided([whole, sharded])

    assert outcomes(sharded) == outcomes(whole)  # statuses, reasons, messages, public and private figures
    statuses = {row[1] for row in outcomes(whole)}
    reasons = {row[2] for row in outcomes(whole)}
    assert statuses == {"accepted", "rejected"}
    assert {"prediction_error", "group_too_small", "insufficient_improvement"} <= reasons
    assert versions(sharded) == versions(whole)
    whole.refresh_from_db()
    sharded.refresh_from_db()
    assert sharded.head_version == whole.head_version > 0
    assert sharded.current_holdout_loss == whole.current_holdout_loss
    boards = [
        [(r.rank, r.credit, r.gain, r.rejections) for r in leaderboard(competition=c)]
        for c in (whole, sharded)
    ]
    assert boards[0] == boards[1]

    stores = [competition_store(c) for c in (whole, sharded)]
    lists = [store.decision_list(whole.head_version) for store in stores]
    for split in ("holdout", "confirmation"):
        assert np.array_equal(lists[0].predictions(split), lists[1].predictions(split))
    fresh = world().splits["holdout"].head(300)
    predictions = []
    for store in stores:
        write_frame(pd.DataFrame(fresh), store.schema, store.directory / "fresh")
        predictions.append(store.predict(store.directory / "fresh", head=whole.head_version))
    assert np.array_equal(predictions[0], predictions[1])

    mode = "a chord" if settings.CELERY_RESULT_BACKEND else "in turn"  # Redis, or SQLite and files
    assert live_worker.log().count(f": 4 shards, {mode}") == len(pairs)  # each sharded one, no whole one
    leftovers = list((data_dir() / "shards").glob("*"))
    assert leftovers == []


def claimed_submission(competition: Competition, user: User, text: str, attempts: int) -> Submission:
    """A submission claimed by a worker (``running``, its ``attempts``-th claim), nothing sent."""
    terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
    team_create(competition=competition, name="Claims", user=user)
    submission = submission_create(
        competition=competition,
        user=user,
        group_text=text,
        model_file=ContentFile(pair_model(text, "tree2"), name="m.skops"),
    )
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RUNNING, attempts=attempts, started_at=timezone.now()
    )
    return submission


def test_the_chord_decides_only_once_every_shard_of_the_current_claim_is_in(
    enqueued: list[int], django_user_model: type[User]
) -> None:
    organizer = django_user_model.objects.create_user("org", password="org-pass-123456")
    competition = engine_competition(organizer=organizer, slug="sharded", shard_rows=SHARD_ROWS)
    user = django_user_model.objects.create_user("ada", password="participant-pass-1")
    submission = claimed_submission(competition, user, GROUP_TEXTS[0], attempts=2)

    stale = shard_evaluate(submission_id=submission.pk, attempt=1, index=0, count=4)
    assert stale == {"index": 0, "status": "skipped"}  # an earlier claim's task
    for index in range(3):
        assert shard_evaluate(submission_id=submission.pk, attempt=2, index=index, count=4)["status"] == "ok"
    submission_shards_finish(submission_id=submission.pk, attempt=2, count=4)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RUNNING  # a shard is missing: the reaper's case

    shard_evaluate(submission_id=submission.pk, attempt=2, index=3, count=4)
    submission_shards_finish(submission_id=submission.pk, attempt=1, count=4)  # an earlier claim's
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RUNNING
    submission_shards_finish(submission_id=submission.pk, attempt=2, count=4)
    submission.refresh_from_db()
    assert submission.status in Submission.DECIDED and submission.figures
    assert not list((data_dir() / "shards").glob("*"))
