"""The notebook side of the client: ``connect()`` gives a :class:`Session` whose methods mirror the
``bounty`` commands and return Python objects (DataFrames for tables)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bounty_client import config
from bounty_client.api import JSON, Client, ClientError
from bounty_client.explore import explore_locally
from bounty_client.export import model_bytes
from bounty_client.local import LocalCheck, check_locally, read_train_csv
from scoring.explore.slices import DEFAULT_ALPHA
from scoring.schema import Schema

DONE = ("accepted", "rejected", "failed", "cancelled")
AWAITING_APPROVAL = "awaiting_approval"  # checked and passed; an organizer decides whether to merge it
FIRST_POLL_SECONDS = 0.25
POLL_SECONDS = 1.0  # the longest wait between two polls
MAX_TRANSIENT_FAILURES = 5
ModelInput = bytes | str | os.PathLike[str] | Any
GroupArg = str | Mapping[str, Any] | None


def model_data(model: ModelInput) -> bytes:
    """File bytes from bytes, a path to a model file, or a fitted estimator (saved with skops)."""
    if isinstance(model, bytes | bytearray):
        return bytes(model)
    if isinstance(model, str | os.PathLike):
        return Path(model).read_bytes()
    return model_bytes(model)


def is_done(submission: Mapping[str, Any]) -> bool:
    return str(submission.get("status")) in DONE


def awaits_approval(submission: Mapping[str, Any]) -> bool:
    return str(submission.get("status")) == AWAITING_APPROVAL


def poll_delays(cap: float = POLL_SECONDS) -> Iterator[float]:
    """The waits between two polls: 0.25 s, then doubling up to ``cap`` (1 s by default), so a decision
    is seen at most ``cap`` seconds (and one request) after the server makes it."""
    delay = min(FIRST_POLL_SECONDS, cap)
    while True:
        yield delay
        delay = min(cap, delay * 2)


def _transient(exc: ClientError) -> bool:
    return exc.status == 429 or exc.status >= 500 or exc.code in ("timeout", "connection_error")


def wait_for_decision(
    client: Client,
    submission_id: int,
    *,
    poll: float = POLL_SECONDS,
    timeout: float | None = None,
    on_progress: Callable[[JSON, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> JSON:
    """Poll a submission until it is decided, or until it awaits an organizer's approval (the check is
    done; a person decides, which can take days); returns it. The waits between polls start at 0.25 s
    and grow to ``poll`` seconds (:func:`poll_delays`). Rate limits (429, honouring Retry-After) and a
    few failed polls in a row are waited out. Raises ``TimeoutError`` after ``timeout`` seconds."""
    start = time.monotonic()
    failures = 0
    delays = poll_delays(poll)
    while True:
        elapsed = time.monotonic() - start
        delay = next(delays)
        try:
            submission = client.submission(submission_id)
            failures = 0
        except ClientError as exc:
            failures += 1
            if not _transient(exc) or failures > MAX_TRANSIENT_FAILURES:
                raise
            sleep(max(delay, exc.retry_after or 0.0))
            continue
        if on_progress is not None:
            on_progress(submission, elapsed)
        if is_done(submission) or awaits_approval(submission):
            return submission
        if timeout is not None and elapsed + delay > timeout:
            raise TimeoutError(f"submission {submission_id} is still {submission.get('status')}")
        sleep(delay)


class Session:
    """One server, logged in or not. Prefer :func:`connect`."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._train: dict[str, pd.DataFrame] = {}
        self._baseline: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        state = "logged in" if self.client.token else "anonymous"
        return f"<bounty Session {self.client.server} ({state})>"

    # -- account -----------------------------------------------------------------------------------
    def login(self, username: str, password: str, *, save: bool = True) -> None:
        """Get this user's token; ``save`` stores it (mode 600) for later sessions and the CLI."""
        token = self.client.login(username, password)
        if save:
            config.save_token(self.client.server, token, username=username)

    # -- competitions ------------------------------------------------------------------------------
    def competitions(self) -> pd.DataFrame:
        return pd.DataFrame(self.client.competitions())

    def competition(self, slug: str) -> JSON:
        return self.client.competition(slug)

    def schema(self, slug: str) -> Schema:
        return Schema.from_json(self.client.schema(slug))

    def accept_terms(self, slug: str) -> JSON:
        """Accept the competition's current terms (read them in ``competition(slug)["terms_text"]``)."""
        version = int(self.client.competition(slug)["terms_version"])
        return self.client.accept_terms(slug, version)

    def download(self, slug: str, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
        """The public train split as a DataFrame (also written to ``path`` when given)."""
        raw = self.client.train_csv(slug)
        if path is not None:
            Path(path).write_bytes(raw)
        frame = read_train_csv(raw)
        self._train[slug] = frame
        return frame.copy()

    def baseline(self, slug: str) -> np.ndarray:
        """The base model's predictions on the train split, row for row."""
        if slug not in self._baseline:
            self._baseline[slug] = self.client.train_baseline(slug)
        return self._baseline[slug].copy()

    # -- teams -------------------------------------------------------------------------------------
    def create_team(self, slug: str, name: str) -> JSON:
        return self.client.create_team(slug, name)

    def join_team(self, slug: str, invite_code: str) -> JSON:
        return self.client.join_team(slug, invite_code)

    def team(self, slug: str) -> JSON:
        return self.client.team(slug)

    # -- checking and submitting -----------------------------------------------------------------
    def check(
        self,
        slug: str,
        *,
        model: ModelInput,
        group: GroupArg = None,
        group_model: ModelInput | None = None,
        train: pd.DataFrame | None = None,
        baseline: np.ndarray | None = None,
    ) -> LocalCheck:
        """The server's check of the pair, run here on the public train split."""
        info = self.client.competition(slug)
        if train is None:
            train = self._train[slug] if slug in self._train else self.download(slug)
        return check_locally(
            train,
            self.client.schema(slug),
            info,
            str(info["loss"]),
            self.baseline(slug) if baseline is None else baseline,
            group,
            model_data(model),
            group_model=None if group_model is None else model_data(group_model),
            loss_params=info.get("loss_params") or {},
        )

    def explore(self, slug: str, *, top_k: int = 10, alpha: float = DEFAULT_ALPHA) -> dict[str, Any]:
        """Where the base model does badly on the public train split (``bounty explore``): the loss by
        each level and pair of levels, and the top slices, each with its group text to submit."""
        info = self.client.competition(slug)
        train = self._train[slug] if slug in self._train else self.download(slug)
        return explore_locally(
            train,
            self.client.schema(slug),
            info,
            str(info["loss"]),
            self.baseline(slug),
            loss_params=info.get("loss_params") or {},
            top_k=top_k,
            alpha=alpha,
        )

    def submit(
        self,
        slug: str,
        *,
        model: ModelInput,
        group: GroupArg = None,
        group_model: ModelInput | None = None,
        wait: bool = False,
        poll: float = POLL_SECONDS,
        timeout: float | None = None,
        description: str | None = None,
    ) -> JSON:
        """Submit a pair (``description``: an optional note for the team); with ``wait`` return it once
        decided or awaiting an organizer's approval."""
        submission = self.client.submit(
            slug,
            model=model_data(model),
            group_text=group if isinstance(group, str) else None,
            group=dict(group) if isinstance(group, Mapping) else None,
            group_model=None if group_model is None else model_data(group_model),
            description=description,
        )
        if not wait:
            return submission
        return self.wait(int(submission["id"]), poll=poll, timeout=timeout)

    def wait(self, submission_id: int, *, poll: float = POLL_SECONDS, timeout: float | None = None) -> JSON:
        return wait_for_decision(self.client, submission_id, poll=poll, timeout=timeout)

    def status(self, submission_id: int) -> JSON:
        return self.client.submission(submission_id)

    def cancel(self, submission_id: int) -> JSON:
        return self.client.cancel(submission_id)

    def submissions(self, slug: str) -> pd.DataFrame:
        return pd.DataFrame(self.client.submissions(slug))

    # -- public tables -----------------------------------------------------------------------------
    def leaderboard(self, slug: str) -> pd.DataFrame:
        return pd.DataFrame(self.client.leaderboard(slug))

    def versions(self, slug: str) -> pd.DataFrame:
        return pd.DataFrame(self.client.versions(slug))

    def metrics(self, slug: str) -> JSON:
        return self.client.metrics(slug)


def connect(url: str | None = None, token: str | None = None) -> Session:
    """A session with ``url`` (default: ``$BOUNTY_URL``, else the server last logged in to), using
    ``token``, ``$BOUNTY_TOKEN`` or the token ``bounty login`` stored for that server."""
    server, resolved = config.resolve(url, token)
    return Session(Client(server, resolved))
