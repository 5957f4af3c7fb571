"""Last-mile audits: a signed-in user scores their own labelled data with a model version and gets
the disaggregated report (``scoring.report``), kept private or published on the competition page.

The data go to ``<data dir>/audits/<id>/`` (the upload as a canonical frame and its labels); they
never touch the competition's splits or its engine state. Every model runs in the sandbox
(``Store.predict``).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bounty.engine_adapter import competition_schema, competition_store
from bounty.errors import DomainError
from bounty.models import Competition, LastMileAudit
from bounty.selectors.reports import min_group_size, numeric_edges
from bounty.services.audit import audit_record
from bounty.services.wizard import Upload, issue_text
from bounty.storage import data_dir
from bounty.wizard.files import read_table
from scoring.errors import EngineError
from scoring.frames import write_frame
from scoring.report import disaggregate


def audit_dir(audit_id: int) -> Path:
    return data_dir() / "audits" / str(int(audit_id))


def audit_create(
    *,
    competition: Competition,
    user: User,
    upload: Upload,
    version: int,
    title: str,
    public: bool = False,
) -> LastMileAudit:
    """Score ``upload`` (a CSV in the competition's schema, with the target) with ``version`` and
    the base model, and store the report."""
    if not 0 <= version <= competition.head_version:
        raise DomainError("invalid_version", f"There is no version {version}.", field="version")
    raw, digest = _receive(upload)
    schema = competition_schema(competition)
    audit = LastMileAudit.objects.create(
        competition=competition,
        author=user,
        title=title,
        version=version,
        rows=0,
        file_sha256=digest,
    )
    folder = audit_dir(audit.pk)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "upload.csv").write_bytes(raw)
        frame = read_table(
            folder / "upload.csv",
            label="your file",
            max_rows=int(settings.BOUNTY_AUDIT_MAX_ROWS),
            max_columns=1024,
        )
        (folder / "upload.csv").unlink()
        issues = schema.validate(frame, with_target=True)
        if issues:
            text = "; ".join(issue_text("uploaded", i) for i in issues[:5])
            raise DomainError(
                "schema_mismatch", f"The file does not fit the schema: {text}.", field="data_file"
            )
        labels = schema.encode_target(frame[schema.target])
        write_frame(schema.coerce(frame), schema, folder / "frame")
        np.save(folder / "labels.npy", labels, allow_pickle=False)
        report = _report(competition, folder, frame, labels, version)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        LastMileAudit.objects.filter(pk=audit.pk).delete()
        raise
    audit.rows = len(frame)
    audit.report = report
    audit.public = bool(public)
    audit.published_at = timezone.now() if public else None
    audit.save(update_fields=["rows", "report", "public", "published_at"])
    audit_record(
        action="last_mile.create",
        actor=user,
        competition=competition,
        payload={"audit": audit.pk, "version": version, "rows": audit.rows, "public": audit.public},
    )
    return audit


def _receive(upload: Upload) -> tuple[bytes, str]:
    limit = int(settings.BOUNTY_AUDIT_MAX_BYTES)
    data = bytearray()
    for chunk in upload.chunks():
        data += chunk
        if len(data) > limit:
            message = f"The file is larger than {limit // 2**20} MB."
            raise DomainError("file_too_large", message, field="data_file")
    if not data:
        raise DomainError("file_empty", "The file is empty.", field="data_file")
    return bytes(data), hashlib.sha256(data).hexdigest()


def _report(
    competition: Competition, folder: Path, frame: pd.DataFrame, labels: np.ndarray, version: int
) -> dict[str, Any]:
    store = competition_store(competition)
    schema = competition_schema(competition)
    head = competition.head_version
    try:
        predictions = {"base model (version 0)": store.predict(folder / "frame", head=head, version=0)}
        if version:
            predictions[f"version {version}"] = store.predict(folder / "frame", head=head, version=version)
    except EngineError as exc:
        raise DomainError(exc.reason.value, f"The models could not be run: {exc.message}") from exc
    report = disaggregate(
        frame=schema.coerce(frame),
        schema=schema,
        labels=labels,
        predictions=predictions,
        min_size=min_group_size(),
        edges=numeric_edges(competition=competition),
    )
    return report.to_json()


def audit_set_public(*, audit: LastMileAudit, user: User, public: bool) -> LastMileAudit:
    """Publish the report on the competition page, or make it private again (its author only)."""
    if audit.author_id != user.pk:
        raise DomainError("forbidden", "Only the author can publish or hide this report.")
    with transaction.atomic():
        audit.public = public
        audit.published_at = timezone.now() if public else None
        audit.save(update_fields=["public", "published_at"])
        audit_record(
            action="last_mile.publish" if public else "last_mile.hide",
            actor=user,
            competition=audit.competition,
            payload={"audit": audit.pk},
        )
    return audit


def audit_delete(*, audit: LastMileAudit, user: User) -> None:
    """Delete the audit and the uploaded data (its author only)."""
    if audit.author_id != user.pk:
        raise DomainError("forbidden", "Only the author can delete this report.")
    competition, pk = audit.competition, audit.pk
    audit.delete()
    shutil.rmtree(audit_dir(pk), ignore_errors=True)
    audit_record(action="last_mile.delete", actor=user, competition=competition, payload={"audit": pk})
