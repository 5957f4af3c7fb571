"""Workers on separate hosts: two worker processes with data directories of their own, sharing nothing
but PostgreSQL, Redis and an S3-compatible server (a process of its own). 30 submissions from parallel
clients to two competitions, one scored in shards (a chord whose shards any worker takes) and one
whole, are decided exactly as one worker deciding them in arrival order would."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from benchmarks.messy import CHOICES
from benchmarks.wizard import FileUpload
from bounty.engine_adapter import competition_local
from bounty.models import AuditEvent, Competition, Submission
from bounty.services.definitions import definition_submit
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from bounty.storage import artifact_read
from scoring.engine import Store, open_store
from tests.platform.conftest import start_worker
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model
from tests.platform.organize_support import definition, messy_csv, organizer_user, wait_for_job
from tests.platform.s3_support import S3Server, s3_server
from tests.platform.test_concurrency import KINDS, wait_all_decided
from tests.platform.test_metrics import TOKEN, samples

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SUBMISSIONS = 30
USERS = 5
SHARD_ROWS = 400  # 1,500 holdout and 1,500 confirmation rows: four shards each


@pytest.fixture
def s3(tmp_path: Path) -> S3Server:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("workers on separate hosts share PostgreSQL and Redis (CI runs this there)")
    with (
        s3_server(tmp_path) as server,
        override_settings(STORAGES=server.storages(), BOUNTY_DATA_DIR=tmp_path / "web"),
    ):
        yield server


def work() -> list[tuple[str, bytes]]:
    """Each group with gradient boosting (accepted at first), then with trees (mostly rejected)."""
    kinds = ("boosting", *(k for k in KINDS if k != "boosting"))
    texts = [GROUP_TEXTS[i % len(GROUP_TEXTS)] for i in range(SUBMISSIONS // 2)]
    return [(t, pair_model(t, kinds[(i // len(GROUP_TEXTS)) % len(kinds)])) for i, t in enumerate(texts)]


def submit_all(jobs: list[tuple[Competition, User, str, bytes]]) -> None:
    def one(job: tuple[Competition, User, str, bytes]) -> int:
        competition, user, text, model = job
        client = Client()
        client.force_login(user)
        upload = SimpleUploadedFile("m.skops", model)
        try:
            url = reverse("submit", args=[competition.slug])
            return client.post(url, {"group_text": text, "model_file": upload}).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=USERS) as pool:
        assert list(pool.map(one, jobs)) == [302] * len(jobs)


def replay(initial: Path, submissions: list[Submission]) -> tuple[Store, list[tuple[bool, str]]]:
    """One worker, in arrival order, from a copy of the starting state: the list and each decision."""
    store, head, decisions = Store(initial), 0, []
    for submission in submissions:
        evaluation = store.evaluate(group=submission.group_tree, model=artifact_read(submission.model_sha256))
        decision, versions = store.commit(evaluation, label=str(submission.pk), head=head)
        head = versions[-1].number if versions else head
        decisions.append((decision.accepted, decision.reason.value))
    return store, decisions


@override_settings(BOUNTY_METRICS_TOKEN=TOKEN)
def test_two_workers_sharing_only_the_database_broker_and_object_store_decide_as_one_in_arrival_order(
    s3: S3Server, tmp_path: Path
) -> None:
    organizer = User.objects.create_user("org", password="org-pass-123456")
    sharded = engine_competition(organizer=organizer, slug="sharded", shard_rows=SHARD_ROWS)
    whole = engine_competition(organizer=organizer, slug="whole")
    initial = {}
    for competition in (sharded, whole):
        initial[competition.pk] = tmp_path / f"initial-{competition.pk}"
        shutil.copytree(competition_local(competition), initial[competition.pk])
    assert s3.keys(f"folders/competitions/{sharded.pk}/index.json")  # created, then shared
    users = [User.objects.create_user(f"p{i}", password="participant-pass-1") for i in range(USERS)]
    for competition in (sharded, whole):
        for i, user in enumerate(users):
            terms_accept(competition=competition, user=user, terms_version=competition.terms_version)
            team_create(competition=competition, name=f"team {i}", user=user)
    pairs = work()
    jobs = [(c, users[i % USERS], *pairs[i]) for i in range(len(pairs)) for c in (sharded, whole)]

    hosts = [tmp_path / "host-1", tmp_path / "host-2"]
    envs = [{**s3.env(), "BOUNTY_TEST_DATA_DIR": str(host)} for host in hosts]
    with (
        start_worker(tmp_path, env=envs[0]) as first,
        start_worker(tmp_path, purge=False, env=envs[1]) as second,
    ):
        submit_all(jobs)
        for competition in (sharded, whole):
            wait_all_decided(competition)
        logs = [first.log(), second.log()]

    assert all("bounty.score_submission" in log for log in logs)  # both hosts took submissions
    assert "bounty.evaluate_shard" in logs[0] + logs[1]
    metrics = samples(Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").get("/metrics").content.decode())
    decided_total = sum(v for (name, _), v in metrics.items() if name == "bounty_decisions_total")
    assert decided_total == SUBMISSIONS  # the web host counts what workers elsewhere decided
    assert metrics[("bounty_queue_depth", ())] == 0
    for host in hosts:  # what each host read came through the store, into its own capped cache
        assert any((host / "cache" / "blobs").glob("??/*"))
    for competition in (sharded, whole):
        competition.refresh_from_db()
        submissions = list(competition.submissions.order_by("seq"))
        assert len(submissions) == SUBMISSIONS // 2
        decided = AuditEvent.objects.filter(competition=competition, action="submission.decided")
        assert sorted(e.payload["submission_id"] for e in decided) == sorted(s.pk for s in submissions)
        store, decisions = replay(initial[competition.pk], submissions)
        assert [(s.status == "accepted", s.reason) for s in submissions] == decisions
        assert any(accepted for accepted, _ in decisions)
        live = open_store(competition_local(competition)).decision_list(competition.head_version)
        again = store.decision_list(competition.head_version)
        assert [(n.label, n.kind) for n in live.nodes] == [(n.label, n.kind) for n in again.nodes]
        for split in ("holdout", "confirmation"):
            assert np.array_equal(live.predictions(split), again.predictions(split))


def test_a_competition_defined_on_the_web_host_is_built_by_a_worker_on_another(
    s3: S3Server, tmp_path: Path
) -> None:
    """The wizard across hosts: the upload lands in the bucket, the worker reads, types, trains and
    creates from it, and the web host serves the new competition's files from the bucket."""
    user = organizer_user("ada")
    with start_worker(tmp_path, env={**s3.env(), "BOUNTY_TEST_DATA_DIR": str(tmp_path / "host-1")}):
        text = definition("census-hosts", choices=CHOICES)
        draft = definition_submit(user=user, text=text, uploads={"data": FileUpload(messy_csv())})
        job = wait_for_job(draft.pk, timeout=300)
        assert job["status"] == "done", job
    competition = Competition.objects.get(slug="census-hosts")
    assert competition.status == "open"
    assert not (tmp_path / "web" / "drafts" / str(draft.pk)).exists()
    assert not s3.keys(f"folders/drafts/{draft.pk}/")  # the finished draft is forgotten everywhere
    worker_copy = tmp_path / "host-1" / "competitions" / str(competition.pk)
    web_copy = competition_local(competition)
    assert web_copy != worker_copy and web_copy.is_dir()
    for name in ("public/train.csv", "competition.json", "list/manifest.json", "frames/holdout/frame.json"):
        assert (web_copy / name).read_bytes() == (worker_copy / name).read_bytes(), name
