"""The platform's door to the scoring engine: engine errors become ``DomainError`` here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bounty.errors import DomainError
from bounty.storage import folder_drop, folder_pull, folder_push
from scoring.errors import EngineError
from scoring.groups import describe, loads_tree, parse_text, to_text, validate_tree
from scoring.schema import Schema

if TYPE_CHECKING:
    from pathlib import Path

    from bounty.models import Competition
    from scoring.engine import Evaluation, Settings, Store

# Evaluations are folders of their own in the shared store: parallel workers write them, one each.
_OWN_FOLDERS = ("evaluations",)


def competition_settings(competition: Competition) -> Settings:
    """The settings the competition's store decides with: schema, loss, rules, sandbox limits (the
    database's copy of the rules is for the admin only); ``competition_misconfigured`` if unreadable."""
    try:
        return competition_store(competition).settings
    except (OSError, ValueError, KeyError, EngineError) as exc:
        raise DomainError("competition_misconfigured", "This competition's rules cannot be read.") from exc


def competition_schema(competition: Competition) -> Schema:
    return competition_settings(competition).schema


def group_parse(*, competition: Competition, text: str) -> dict[str, Any]:
    """The validated JSON tree of the group text; ``invalid_group`` with the parser's message."""
    try:
        return parse_text(text, competition_schema(competition))
    except EngineError as exc:
        raise DomainError(exc.reason.value, exc.message, field="group_text") from exc


def group_validate(*, competition: Competition, tree: object, field: str = "group") -> dict[str, Any]:
    """The normalized copy of a JSON group tree; ``invalid_group`` naming what is wrong."""
    try:
        return validate_tree(tree, competition_schema(competition))
    except EngineError as exc:
        raise DomainError(exc.reason.value, exc.message, field=field) from exc


def group_json_load(*, text: str, field: str = "group") -> object:
    """The JSON value of a group given as JSON text, refused (``invalid_group``, with the exact cause)
    when it is too long, nested deeper than the stated limit or not JSON."""
    try:
        return loads_tree(text)
    except EngineError as exc:
        raise DomainError(exc.reason.value, exc.message, field=field) from exc


def group_text_of(tree: dict[str, Any]) -> str:
    """The text form of a validated tree (what the participant would have typed)."""
    try:
        return to_text(tree)
    except (EngineError, KeyError, TypeError, ValueError):
        return ""


def model_format_check(*, data: bytes, field: str) -> None:
    """Refuse, from its bytes alone, a file the engine would not load (pickles, joblib, junk, a skops
    file asking for types off the allowlist): every check the engine makes before loading, done at
    upload so the answer is immediate. Nothing is loaded."""
    from scoring.formats import check_file

    try:
        check_file(data, max_bytes=len(data) + 1)
    except EngineError as exc:
        raise DomainError("invalid_model", exc.message, field=field) from exc


def group_describe(tree: dict[str, Any] | None) -> str:
    if tree is None:
        return "a group given by a model file"
    try:
        return describe(tree)
    except (EngineError, KeyError, TypeError, ValueError):
        return "a group"


def _folder(competition_id: int) -> str:
    return f"competitions/{int(competition_id)}"


def competition_local(competition: Competition) -> Path:
    """The competition's engine directory on this host, brought to the head the database knows
    (from the shared store, when there is one: only what changed is fetched)."""
    mark = _mark(competition, competition.head_version)
    return folder_pull(_folder(competition.pk), mark=mark, exclude=_OWN_FOLDERS)


def _mark(competition: Competition, head: int) -> str:
    """What a local copy stands for: this competition (its creation time: an id a failed creation
    left behind may come again) at version ``head``."""
    return f"{competition.created_at.timestamp():.6f}:{int(head)}"


def competition_store(competition: Competition) -> Store:
    from scoring.engine import open_store

    return open_store(competition_local(competition))


def competition_saved(competition: Competition, *, head: int) -> None:
    """Share the engine directory after it was created or its list grew (a commit, a rollback, a
    replay), before the database records ``head``: whoever reads that head finds the files."""
    folder_push(_folder(competition.pk), mark=_mark(competition, head), exclude=_OWN_FOLDERS)


def evaluation_save(competition: Competition, label: str, evaluation: Evaluation) -> None:
    """Keep an evaluated pair until its turn to be decided (on any worker)."""
    competition_store(competition).save_evaluation(label, evaluation)
    folder_push(f"{_folder(competition.pk)}/evaluations/{label}", release=True)  # any worker decides it


def evaluation_load(competition: Competition, label: str) -> Evaluation:
    folder_pull(f"{_folder(competition.pk)}/evaluations/{label}")
    return competition_store(competition).load_evaluation(label)


def evaluation_drop(competition: Competition, label: str) -> None:
    competition_store(competition).drop_evaluation(label)
    folder_drop(f"{_folder(competition.pk)}/evaluations/{label}")


def group_preview_mass(*, competition: Competition, tree: dict[str, Any]) -> float:
    """The share of public train rows in the group."""
    try:
        return float(competition_store(competition).preview_mass(tree))
    except EngineError as exc:
        raise DomainError(exc.reason.value, exc.message, field="group_text") from exc
    except (ImportError, OSError) as exc:
        raise DomainError("preview_unavailable", "The preview is not available right now.") from exc


def train_baseline(*, competition: Competition) -> pd.DataFrame:
    """The base model's predictions on the public train rows, for participants' local checks."""
    try:
        return competition_store(competition).train_baseline()
    except (OSError, EngineError) as exc:
        raise DomainError("not_found", "The baseline is not available yet.") from exc


def train_baseline_array(*, competition: Competition) -> np.ndarray:
    """The base predictions in the engine's canonical form (class codes, probabilities or values)."""
    try:
        return competition_store(competition).train_base_predictions()
    except (OSError, EngineError) as exc:
        raise DomainError("not_found", "The baseline is not available yet.") from exc


def precheck_possible(competition: Competition) -> bool:
    """Whether the competition's store has the public train frame the pre-check runs on (every store
    ``create_store`` wrote has it; a competition with no engine directory has nothing to run on)."""
    try:
        return competition_store(competition).frame_dir("train").is_dir()
    except (OSError, ValueError, KeyError, EngineError):
        return False


# The web form's names of the two files (the API maps them to its own field names).
_PRECHECK_FIELDS = {"group_model": "group_model_file"}


def pair_precheck(*, competition: Competition, group: dict[str, Any] | bytes, model: bytes) -> int:
    """Run the pair in the sandbox on a few hundred public train rows (``scoring.engine.precheck``);
    the rows it ran on. A failure is refused with the engine's reason and its exact words, which are
    about public rows only (what ``bounty check`` says)."""
    from scoring.engine import precheck

    try:
        return precheck(competition_store(competition), group=group, model=model)
    except EngineError as exc:
        field = _PRECHECK_FIELDS.get(exc.field or "", "model_file")
        raise DomainError(exc.reason.value, exc.message, field=field) from exc


def landscape_compute_data(*, competition: Competition, version: int, kind: str) -> dict[str, Any]:
    """Explore's landscape of ``version`` (``scoring.engine.landscape``): on the public train rows
    (``kind`` ``"train"``) or, for organizers, on the holdout (the current version only)."""
    from scoring.engine import holdout_landscape, train_landscape

    store = competition_store(competition)
    try:
        if kind == "train":
            return train_landscape(store, head=competition.head_version, version=version)
        return holdout_landscape(store, head=version)
    except (OSError, EngineError) as exc:
        raise DomainError("not_found", "The data to explore is not available.") from exc


def fit_compute(
    *, competition: Competition, tree: dict[str, Any], family: str, choice: str
) -> tuple[bytes, dict[str, Any]]:
    """A model of ``family`` fitted for the group on the public train rows (``scoring.fitting``, in a
    child with limits on memory and time) and its estimate on held-out train rows against the base
    model, as ``bounty check`` computes it."""
    from scoring.engine import Rules
    from scoring.engine.fit import fit_limited

    rules = Rules(alpha=competition.alpha, mu_min=competition.mu_min, z=competition.z)
    try:
        return fit_limited(
            competition_local(competition), rules=rules, tree=tree, family=family, choice=choice
        )
    except EngineError as exc:
        raise DomainError(exc.reason.value, exc.message, field=exc.field) from exc
