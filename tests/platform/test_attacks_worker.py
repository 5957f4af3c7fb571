"""Hostile model files: refused at the web form's door (from their bytes, or by the pre-check on public
train rows) without a submission; and, should one reach a worker some other way (here: the service
called without the pre-check), decided by a real worker process on the real engine.

Each one is refused with its category, nothing it asks for is ever run (the "live" payloads would
create a marker file), nothing is written outside the submission's own stored upload (and the
pre-check's sample of the public train rows), and the worker keeps serving: a good submission sent
after the attacks is still accepted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bounty.lifecycle import submission_create
from bounty.models import Competition, Submission
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from bounty.storage import data_dir
from tests.engine import malicious
from tests.platform.conftest import LiveWorker, login
from tests.platform.engine_world import GROUP_TEXTS, engine_competition, pair_model
from tests.platform.hostile_onnx import HOSTILE_ONNX
from tests.platform.security_support import snapshot, wait_until_decided

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
GOOD_GROUP = GROUP_TEXTS[1]
ABSOLUTE_PATH = re.compile(r"(?:^|[\s'\"(])/[\w.-]+/")


def hostile_models(marker: Path) -> dict[str, Callable[[], bytes]]:
    """Model files a malicious participant might upload (each refused as ``invalid_model``)."""
    return {
        "pickle": lambda: malicious.pickle_payload(marker),
        "joblib": lambda: malicious.joblib_payload(marker),
        "skops asking for builtins.exec": lambda: malicious.skops_exec(marker),
        "skops calling os.system": lambda: malicious.skops_key_type_call(marker),
        "skops building subprocess.Popen": lambda: malicious.skops_popen(marker),
        "skops partial(os.system)": lambda: malicious.skops_partial_system(marker),
        "skops array named os.system": lambda: malicious.skops_ndarray_named("os", "system"),
        "zip bomb (1 GiB of zeros)": lambda: malicious.zip_bomb(2**30),
        "nested npz bomb": malicious.nested_npz_bomb,
        "zip member ../../escaped": lambda: malicious.zip_with_member("../../escaped"),
        "5000-deep nesting": lambda: malicious.deeply_nested(5000),
        "onnx-looking junk": malicious.onnx_like,
        "random bytes": malicious.random_bytes,
        **HOSTILE_ONNX,
    }


def submit(client: object, *, refused: bool = False, **fields: object) -> None:
    cache.clear()  # the web submit rate limit is not what this test is about
    response = client.post(reverse("submit", args=["census"]), fields)  # type: ignore[attr-defined]
    if not refused:
        assert response.status_code == 302, response.content
        return
    assert response.status_code == 400, response.status_code
    errors = response.context["form"].errors
    assert errors.get("model_file") or errors.get("group_model_file"), errors


def behind_the_door(competition: Competition, user: User, content: bytes, **group: Any) -> int:
    """A submission made without the pre-check, as if the file had slipped past the door."""
    files = {k: ContentFile(v, name="group.skops") for k, v in group.items() if isinstance(v, bytes)}
    texts = {k: v for k, v in group.items() if isinstance(v, str)}
    made = submission_create(
        competition=competition,
        user=user,
        model_file=ContentFile(content, name="model.skops"),
        **files,
        **texts,
    )
    return int(made.pk)


def test_hostile_files_are_refused_by_the_worker_which_keeps_serving(
    live_worker: LiveWorker, make_user: Callable[..., User], tmp_path: Path
) -> None:
    organizer = make_user("grace")
    competition = engine_competition(organizer=organizer)
    participant = make_user("mallory")
    terms_accept(competition=competition, user=participant, terms_version=competition.terms_version)
    team_create(competition=competition, name="Mallory's", user=participant)
    web = login(participant)
    marker = tmp_path / "payload-ran"
    before = snapshot(data_dir())

    expected: dict[int, str] = {}
    for name, build in hostile_models(marker).items():
        content = build()
        made_before = Submission.objects.count()
        model_file = SimpleUploadedFile("model.skops", content)
        submit(web, refused=True, group_text=GOOD_GROUP, model_file=model_file)
        assert Submission.objects.count() == made_before, name
        expected[behind_the_door(competition, participant, content, group_text=GOOD_GROUP)] = name
    group_bomb = SimpleUploadedFile("group.skops", malicious.pickle_payload(marker))
    good_model = SimpleUploadedFile("model.skops", pair_model(GOOD_GROUP))
    submit(web, refused=True, group_text="", group_model_file=group_bomb, model_file=good_model)
    pickled_group = malicious.pickle_payload(marker)
    made = behind_the_door(competition, participant, pair_model(GOOD_GROUP), group_model_file=pickled_group)
    expected[made] = "pickle as the group model"

    decided = {pk: wait_until_decided(pk) for pk in expected}
    wrong = {
        expected[pk]: (s.status, s.reason)
        for pk, s in decided.items()
        if (s.status, s.reason) != ("rejected", "invalid_model")
    }
    assert wrong == {}, wrong
    for submission in decided.values():
        assert not ABSOLUTE_PATH.search(submission.message), submission.message  # no server paths
    assert not marker.exists(), "a payload ran"

    stored = {f"artifacts/{s.model_sha256[:2]}/{s.model_sha256}" for s in decided.values()}
    stored |= {
        f"artifacts/{s.group_model_sha256[:2]}/{s.group_model_sha256}"
        for s in decided.values()
        if s.group_model_sha256
    }
    after = {p: v for p, v in snapshot(data_dir()).items() if "/frames/precheck" not in p}
    changed = {path for path in before if after.get(path) != before[path]}
    assert changed == set(), f"files changed or removed by the attacks: {sorted(changed)}"
    assert set(after) - set(before) == stored

    submit(web, group_text=GOOD_GROUP, model_file=SimpleUploadedFile("ok.skops", pair_model(GOOD_GROUP)))
    good = wait_until_decided(Submission.objects.latest("seq").pk)
    assert (good.status, good.reason) == ("accepted", "accepted")
    assert live_worker.process.poll() is None
