"""Helpers for the report, model-card and last-mile tests: a real engine competition with accepted
updates decided in-process, and the bytes of its hidden state (to prove nothing changes them)."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET

import pandas as pd
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile

from bounty.engine_adapter import competition_store
from bounty.lifecycle import submission_create, submission_score
from bounty.models import Competition, Membership, Submission, Team, TermsAcceptance
from bounty.storage import competition_dir
from tests.platform.engine_world import pair_model

SVG_NS = "{http://www.w3.org/2000/svg}"
# Attribute groups with fewer than 30 holdout rows in engine_world's data (1,500 holdout rows).
SMALL_GROUPS = ("Amer-Indian-Eskimo", "Married-spouse-absent", "Jamaica")


def join(user: User, competition: Competition, team_name: str) -> Team:
    TermsAcceptance.objects.create(
        user=user, competition=competition, terms_version=competition.terms_version
    )
    team = Team.objects.create(competition=competition, name=team_name)
    Membership.objects.create(team=team, competition=competition, user=user)
    return team


def decide(competition: Competition, user: User, text: str) -> Submission:
    """Submit (group text, a model trained on the group) and decide it in this process."""
    upload = SimpleUploadedFile("m.skops", pair_model(text), content_type="application/octet-stream")
    submission = submission_create(competition=competition, user=user, group_text=text, model_file=upload)
    submission_score(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def hidden_state(competition: Competition) -> dict[str, str]:
    """sha256 of every file of the hidden splits and the list, and of the cached holdout arrays."""
    root = competition_dir(competition.pk)
    digests = {
        str(path.relative_to(root)): _sha(path.read_bytes())
        for folder in ("frames/holdout", "frames/confirmation", "list")
        for path in sorted((root / folder).rglob("*"))
        if path.is_file()
    }
    competition.refresh_from_db()
    dl = competition_store(competition).decision_list(competition.head_version)
    for split, cache in dl.splits.items():
        digests[f"labels:{split}"] = _sha(cache.labels.tobytes())
        digests[f"preds:{split}"] = _sha(cache.preds.tobytes())
        digests[f"base:{split}"] = _sha(dl.base_preds[split].tobytes())
    return digests


def svgs(html: str) -> list[ET.Element]:
    """Every inline ``<svg>`` of a page, parsed (raises if one is not well-formed XML)."""
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", html, flags=re.S)]


def svg_ids(html: str) -> set[str]:
    ids = set()
    for root in svgs(html):
        assert root.tag == f"{SVG_NS}svg" and root.get("viewBox")
        title = root.find(f"{SVG_NS}title")
        assert title is not None and title.text and root.find(f"{SVG_NS}desc") is not None
        ids.add(str(title.get("id")).removesuffix("-title"))
    return ids


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()
