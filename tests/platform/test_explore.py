"""The Explore tab, its API and ``bounty explore``: one landscape a version, computed by a worker on the
public train split, the same on every surface, equal to Fairlearn's figures, and blind to the holdout."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bounty_client.cli import main as bounty
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from fairlearn.metrics import MetricFrame
from rest_framework.authtoken.models import Token

from bounty.engine_adapter import competition_store
from bounty.models import Competition, Landscape, TermsAcceptance
from bounty.services.landscapes import landscape_compute, landscape_request
from bounty.storage import competition_dir, data_dir
from scoring.bins import levels
from scoring.engine import forget_store
from tests.platform.api_support import error_of
from tests.platform.conftest import LiveWorker, login
from tests.platform.engine_world import engine_competition

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def explorer(make_user: Callable[..., User]) -> tuple[User, Competition]:
    organizer = make_user("org")
    competition = engine_competition(organizer=organizer)
    user = make_user("ada")
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    return user, competition


def computed(competition: Competition) -> Landscape:
    """The current version's train landscape, computed here (the worker's task body)."""
    landscape = landscape_request(competition=competition)
    landscape_compute(landscape_id=landscape.pk)
    landscape.refresh_from_db()
    assert landscape.status == Landscape.Status.DONE, landscape.error
    return landscape


def surfaces(user: User, competition: Competition, live_server: Any) -> dict[str, Any]:
    """What the page, the API and ``bounty explore`` say."""
    web = login(user)
    page = web.get(reverse("explore", args=[competition.slug])).content.decode()
    api = web.get(f"/api/v1/competitions/{competition.slug}/explore").json()
    out, err = io.StringIO(), io.StringIO()
    token = Token.objects.get_or_create(user=user)[0].key
    code = bounty(
        ["--server", str(live_server), "--token", token, "--json", "explore", competition.slug],
        out=out,
        err=err,
    )
    assert code == 0, err.getvalue()
    rows = re.findall(r'<tr data-slice="\d+">.*?<code>(.*?)</code>.*?data-label="Rows">([\d,]+)<', page, re.S)
    return {"page": rows, "api": api, "cli": json.loads(out.getvalue())}


def test_page_api_and_command_line_show_the_same_top_groups(
    explorer: tuple[User, Competition], live_server: Any
) -> None:
    user, competition = explorer
    computed(competition)
    seen = surfaces(user, competition, live_server)
    api = seen["api"]["landscape"]
    assert seen["api"]["status"] == "done" and seen["api"]["version"] == 0
    assert api["slices"] and seen["cli"]["slices"] == api["slices"]  # version 0: the base model, both ways
    assert [html.unescape(text) for text, _ in seen["page"]] == [item["text"] for item in api["slices"]]
    assert [int(rows.replace(",", "")) for _, rows in seen["page"]] == [
        item["rows"] for item in api["slices"]
    ]


def test_level_losses_equal_fairlearn_metricframe_on_the_demo_train_split(adult_cache: Path) -> None:
    shutil.copytree(adult_cache, data_dir() / "cache" / "adult", dirs_exist_ok=True)
    call_command("seed_demo", "--no-logins")
    demo = Competition.objects.get(slug="adult-income")
    data = computed(demo).data
    store = competition_store(demo)
    frame = store.frame("train")
    version = demo.head_version  # the demo's example team has one accepted pair: version 1
    predictions = store.predict(store.frame_dir("train"), head=version) if version else None
    loss = store.loss.per_row(
        store.train_labels(), store.train_base_predictions() if predictions is None else predictions
    )
    assert data["rows"] == len(frame) and version >= 1
    for column in data["columns"]:
        name = column["name"]
        codes, found = levels(frame[name], store.schema.column(name), data["cuts"].get(name, ()))
        by_level = np.array([level.name for level in found])[codes]
        fair = MetricFrame(
            metrics=lambda t, p: float(np.mean(p != t)),
            y_true=np.zeros(len(loss)),
            y_pred=loss,
            sensitive_features=by_level,
        ).by_group
        for level in column["levels"]:
            if level["rows"]:
                assert level["loss"] == pytest.approx(fair[level["name"]], abs=1e-4), (name, level["name"])


def test_explore_is_unchanged_when_the_holdout_labels_change(
    explorer: tuple[User, Competition], live_server: Any
) -> None:
    user, competition = explorer
    computed(competition)
    before = surfaces(user, competition, live_server)
    labels = competition_dir(competition.pk) / "list" / "arrays" / "labels.holdout.npy"
    original = np.load(labels)
    np.save(labels, np.random.default_rng(1).permutation(1 - original))
    forget_store(competition_dir(competition.pk))
    Landscape.objects.all().delete()  # computed again, from the changed files
    computed(competition)
    assert surfaces(user, competition, live_server) == before


def test_explore_needs_the_terms_and_says_so(
    explorer: tuple[User, Competition], make_user: Callable[..., User]
) -> None:
    _, competition = explorer
    stranger = login(make_user("bob"))
    page = stranger.get(reverse("explore", args=[competition.slug]))
    assert page.status_code == 403 and b"accept the terms" in page.content.lower()
    answer = error_of(stranger.get(f"/api/v1/competitions/{competition.slug}/explore"))
    assert answer["code"] == "terms_not_accepted"
    assert not Landscape.objects.exists()  # refused at the door: nothing computed


def test_a_worker_computes_the_landscape_once_a_version(
    explorer: tuple[User, Competition], live_worker: LiveWorker
) -> None:
    user, competition = explorer
    web = login(user)
    first = web.get(reverse("explore", args=[competition.slug]))
    assert b'http-equiv="refresh"' in first.content  # searching: the page refreshes itself
    deadline = time.monotonic() + 120
    while Landscape.objects.get().status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
    landscape = Landscape.objects.get()
    assert landscape.status == Landscape.Status.DONE, (landscape.error, live_worker.log()[-2000:])
    page = web.get(reverse("explore", args=[competition.slug])).content.decode()
    assert "Fit a model for this group" in page and 'http-equiv="refresh"' not in page
    web.get(f"/api/v1/competitions/{competition.slug}/explore")
    assert Landscape.objects.count() == 1


def test_a_slice_link_starts_a_submission_with_its_group(explorer: tuple[User, Competition]) -> None:
    user, competition = explorer
    first = computed(competition).data["slices"][0]["text"]
    page = login(user).get(reverse("submit", args=[competition.slug]), {"group": first}).content.decode()
    assert re.search(r'name="group_text"[^>]*>\s*' + re.escape(html.escape(first)), page)


def test_a_failed_search_says_why_and_is_tried_again_later(
    explorer: tuple[User, Competition], tmp_path: Path
) -> None:
    user, competition = explorer
    landscape = landscape_request(competition=competition)
    frames = competition_dir(competition.pk) / "frames" / "train"
    frames.rename(tmp_path / "hidden")
    forget_store(competition_dir(competition.pk))
    landscape_compute(landscape_id=landscape.pk)
    landscape.refresh_from_db()
    assert landscape.status == Landscape.Status.FAILED and landscape.error
    page = login(user).get(reverse("explore", args=[competition.slug])).content.decode()
    assert "could not search" in page and landscape.error in page
    assert landscape_request(competition=competition).status == Landscape.Status.FAILED  # not at once


def test_organizers_see_the_holdout_landscape_and_participants_do_not(
    explorer: tuple[User, Competition],
) -> None:
    user, competition = explorer
    url = reverse("console:landscape", args=[competition.slug])
    assert login(user).get(url).status_code == 403
    organizer = competition.organizers.get()
    searching = login(organizer).get(url)
    assert searching.status_code == 200 and b'http-equiv="refresh"' in searching.content
    landscape = Landscape.objects.get(kind=Landscape.Kind.HOLDOUT)
    landscape_compute(landscape_id=landscape.pk)
    page = login(organizer).get(url).content.decode()
    landscape.refresh_from_db()
    assert landscape.data["covered"] == 0.0  # nothing accepted yet
    shown = re.findall(r'data-label="Slice"><code>(.*?)</code>', page)
    assert [html.unescape(text) for text in shown] == [item["text"] for item in landscape.data["slices"]]
    assert all(item["covered"] == 0.0 for item in landscape.data["slices"])
    assert Landscape.objects.filter(kind=Landscape.Kind.TRAIN).count() == 0  # participants' one is apart
