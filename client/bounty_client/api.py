"""A small typed client of the platform's REST API (``/api/v1/``), one method per endpoint.

Every failure is a :class:`ClientError` carrying the API's error shape
``{"error": {"code", "message", "field"}}`` and the HTTP status (0 when no answer came back).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import numpy as np
import requests

from bounty_client.config import API_SUFFIX, normalize_server

DEFAULT_TIMEOUT = 30.0
UPLOAD_TIMEOUT = 600.0
JSON = dict[str, Any]
FileData = bytes | str | Path
EXPORTS = {"bundle": "bundle.zip", "submissions": "submissions.csv", "leaderboard": "leaderboard.csv"}


class ClientError(Exception):
    """An API error: its ``code`` (e.g. ``terms_not_accepted``), a message fit to show, the input
    ``field`` at fault when there is one, and the HTTP ``status``."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        where = f" (field {self.field})" if self.field else ""
        return f"{self.message}{where} [{self.code}]"

    def as_dict(self) -> JSON:
        return {"code": self.code, "message": self.message, "field": self.field, "status": self.status}


def error_from_response(response: requests.Response) -> ClientError:
    """The ClientError for a non-2xx response, whatever its body."""
    retry = response.headers.get("Retry-After")
    retry_after = float(retry) if retry and retry.isdigit() else None
    try:
        body = response.json()
        error = body["error"]
        return ClientError(
            str(error.get("code") or f"http_{response.status_code}"),
            str(error.get("message") or response.reason or "request failed"),
            field=error.get("field") or None,
            status=response.status_code,
            retry_after=retry_after,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        reason = response.reason or "request failed"
        return ClientError(
            f"http_{response.status_code}",
            f"The server answered {response.status_code} {reason}.",
            status=response.status_code,
            retry_after=retry_after,
        )


def _c(slug: str) -> str:
    """The competition path of ``slug``, quoted so a slug can never leave its path segment."""
    return "competitions/" + quote(str(slug), safe="")


def _o(slug: str) -> str:
    """The organizer path of competition ``slug`` (the console's actions)."""
    return "organize/" + _c(slug)


def _attachment_name(response: requests.Response) -> str | None:
    """The file name of a ``Content-Disposition: attachment`` answer, reduced to a bare name."""
    match = re.search(r'filename="?([^";]+)"?', response.headers.get("Content-Disposition", ""))
    name = Path(match.group(1)).name if match else ""
    return name if name and not name.startswith(".") else None


def _file_bytes(data: FileData) -> bytes:
    return data if isinstance(data, bytes) else Path(data).read_bytes()


class Client:
    """The API of one server. ``base_url`` is the site (``https://host``; ``/api/v1`` may be given)."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.server = normalize_server(base_url)
        self.api_root = self.server + API_SUFFIX + "/"
        self.token = token
        self.timeout = timeout
        self.http = session or requests.Session()
        self.http.headers["User-Agent"] = "bounty-client/0.1"

    # -- plumbing --------------------------------------------------------------------------------
    def _request(
        self,
        method: str,
        path: str,
        *,
        timeout: float | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = {"Accept": "application/json", **(headers or {})}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        try:
            response = self.http.request(
                method, self.api_root + path, headers=headers, timeout=timeout or self.timeout, **kwargs
            )
        except requests.Timeout as exc:
            raise ClientError("timeout", f"{self.server} did not answer in time.") from exc
        except requests.RequestException as exc:
            raise ClientError("connection_error", f"Cannot reach {self.server}: {exc}") from exc
        if not response.ok:
            raise error_from_response(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError as exc:
            raise ClientError("bad_response", f"{path}: the server did not answer JSON.") from exc

    # -- auth --------------------------------------------------------------------------------------
    def login(self, username: str, password: str) -> str:
        """Exchange a user name and password for the API token (also kept on this client)."""
        body = self._json("POST", "auth/token", json={"username": username, "password": password})
        self.token = str(body["token"])
        return self.token

    # -- competitions ------------------------------------------------------------------------------
    def competitions(self) -> list[JSON]:
        return list(self._json("GET", "competitions"))

    def competition(self, slug: str) -> JSON:
        return dict(self._json("GET", _c(slug)))

    def schema(self, slug: str) -> JSON:
        return dict(self._json("GET", f"{_c(slug)}/schema"))

    def data_card(self, slug: str) -> JSON:
        return dict(self._json("GET", f"{_c(slug)}/data-card"))

    def accept_terms(self, slug: str, terms_version: int) -> JSON:
        path = f"{_c(slug)}/terms"
        return dict(self._json("POST", path, json={"terms_version": terms_version}))

    def train_csv(self, slug: str) -> bytes:
        """The public train split, as the CSV bytes the server stores."""
        return self._request("GET", f"{_c(slug)}/train.csv", timeout=UPLOAD_TIMEOUT).content

    def train_baseline(self, slug: str) -> np.ndarray:
        """The base model's predictions on the public train split, row for row (a ``.npy`` file:
        class codes, class probabilities or values, as the competition's loss reads them)."""
        raw = self._request("GET", f"{_c(slug)}/train-baseline.npy", timeout=UPLOAD_TIMEOUT).content
        try:
            array = np.load(io.BytesIO(raw), allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise ClientError("bad_response", "The baseline predictions are not a .npy array.") from exc
        if not isinstance(array, np.ndarray) or array.dtype.hasobject:
            raise ClientError("bad_response", "The baseline predictions are not a plain array.")
        return array

    # -- teams -------------------------------------------------------------------------------------
    def create_team(self, slug: str, name: str) -> JSON:
        return dict(self._json("POST", f"{_c(slug)}/teams", json={"name": name}))

    def join_team(self, slug: str, invite_code: str) -> JSON:
        path = f"{_c(slug)}/teams/join"
        return dict(self._json("POST", path, json={"invite_code": invite_code}))

    def team(self, slug: str) -> JSON:
        return dict(self._json("GET", f"{_c(slug)}/team"))

    # -- submissions -------------------------------------------------------------------------------
    def submit(
        self,
        slug: str,
        *,
        model: FileData,
        group: dict[str, Any] | None = None,
        group_text: str | None = None,
        group_model: FileData | None = None,
        description: str | None = None,
    ) -> JSON:
        """Submit a pair. The group is exactly one of a JSON tree, its text form or a model file;
        ``description`` is an optional note shown to the team."""
        given = [g for g in (group, group_text, group_model) if g is not None]
        if len(given) != 1:
            raise ClientError("invalid_group", "Give the group in exactly one form.", field="group")
        data: dict[str, str] = {}
        if group is not None:
            data["group"] = json.dumps(group)
        if group_text is not None:
            data["group_text"] = group_text
        if description:
            data["description"] = description
        files: dict[str, tuple[str, BinaryIO, str]] = {
            "model": ("model.skops", io.BytesIO(_file_bytes(model)), "application/octet-stream")
        }
        if group_model is not None:
            stream = io.BytesIO(_file_bytes(group_model))
            files["group_model"] = ("group_model.skops", stream, "application/octet-stream")
        path = f"{_c(slug)}/submissions"
        return dict(self._json("POST", path, data=data, files=files, timeout=UPLOAD_TIMEOUT))

    def submissions(self, slug: str) -> list[JSON]:
        return list(self._json("GET", f"{_c(slug)}/submissions"))

    def submission(self, submission_id: int) -> JSON:
        return dict(self._json("GET", f"submissions/{int(submission_id)}"))

    def fit(self, slug: str, *, group_text: str, family: str, setting: str = "") -> JSON:
        """Ask the server to fit a model for the group (no code; see ``bounty fit``)."""
        body = {"group_text": group_text, "family": family, "setting": setting}
        return dict(self._json("POST", f"{_c(slug)}/fits", json=body))

    def fitted(self, fit_id: int) -> JSON:
        return dict(self._json("GET", f"fits/{int(fit_id)}"))

    def submit_fitted(self, fit_id: int) -> JSON:
        return dict(self._json("POST", f"fits/{int(fit_id)}/submit"))

    def find(self, slug: str, *, group_text: str = "", group: Any = None, description: str = "") -> JSON:
        """Submit a finding: a group alone (``bounty find``)."""
        body: dict[str, Any] = {"group_text": group_text, "description": description}
        if group is not None:
            body = {"group": group, "description": description}
        return dict(self._json("POST", f"{_c(slug)}/findings", json=body))

    def findings(self, slug: str) -> list[JSON]:
        return list(self._json("GET", f"{_c(slug)}/findings"))

    def earnings(self, slug: str) -> JSON:
        return dict(self._json("GET", f"{_c(slug)}/earnings"))

    def program(self, slug: str) -> JSON:
        return dict(self._json("GET", f"{_c(slug)}/program"))

    def cancel(self, submission_id: int) -> JSON:
        return dict(self._json("POST", f"submissions/{int(submission_id)}/cancel"))

    # -- public ------------------------------------------------------------------------------------
    def leaderboard(self, slug: str) -> list[JSON]:
        return list(self._json("GET", f"{_c(slug)}/leaderboard"))

    def versions(self, slug: str) -> list[JSON]:
        return list(self._json("GET", f"{_c(slug)}/versions"))

    def metrics(self, slug: str) -> JSON:
        return dict(self._json("GET", f"{_c(slug)}/metrics"))

    # -- organizing (the competition's organizers and staff) ---------------------------------------
    def review(self, slug: str) -> JSON:
        """The console: the queue waiting for approval, the latest decisions, versions, teams, actions."""
        return dict(self._json("GET", f"{_o(slug)}/review"))

    def approve(self, slug: str, submission_id: int, note: str) -> JSON:
        path = f"{_o(slug)}/submissions/{int(submission_id)}/approve"
        return dict(self._json("POST", path, json={"note": note}))

    def decline(self, slug: str, submission_id: int, note: str) -> JSON:
        path = f"{_o(slug)}/submissions/{int(submission_id)}/decline"
        return dict(self._json("POST", path, json={"note": note}))

    def rollback(self, slug: str, version: int, reason: str) -> JSON:
        body = {"version": int(version), "reason": reason}
        return dict(self._json("POST", f"{_o(slug)}/rollback", json=body))

    def disqualify(self, slug: str, team_id: int, reason: str) -> JSON:
        path = f"{_o(slug)}/teams/{int(team_id)}/disqualify"
        return dict(self._json("POST", path, json={"reason": reason}))

    def confirm(self, slug: str, reason: str) -> JSON:
        return dict(self._json("POST", f"{_o(slug)}/confirm", json={"reason": reason}))

    def close(self, slug: str, reason: str) -> JSON:
        return dict(self._json("POST", f"{_o(slug)}/close", json={"reason": reason}))

    def export(self, slug: str, kind: str) -> tuple[str, bytes]:
        """An export (``bundle``, ``submissions`` or ``leaderboard``): the server's file name and bytes."""
        if kind not in EXPORTS:
            raise ClientError("invalid_export", f"Choose one of {', '.join(EXPORTS)}.", field="kind")
        response = self._request("GET", f"{_o(slug)}/exports/{EXPORTS[kind]}", timeout=UPLOAD_TIMEOUT)
        return _attachment_name(response) or f"{slug}-{EXPORTS[kind]}", response.content

    # -- competitions as code ----------------------------------------------------------------------
    def create_competition(
        self, definition: Path, files: dict[str, Path], *, draft: int | None = None
    ) -> JSON:
        """Send a definition and its files (streamed: a file of gigabytes never sits in memory); the
        draft's progress comes from :meth:`draft`. With ``draft``, run the definition on that draft
        (files are optional then: the stored ones are reused)."""
        from requests_toolbelt import MultipartEncoder  # only the organizers' command needs it

        handles = {key: open(path, "rb") for key, path in files.items()}  # noqa: SIM115 (closed below)
        try:
            fields: dict[str, Any] = {
                "definition": (definition.name, definition.read_bytes(), "application/yaml")
            }
            fields |= {
                key: (path.name, handles[key], "application/octet-stream") for key, path in files.items()
            }
            body = MultipartEncoder(fields=fields)
            path = "organize/competitions" if draft is None else f"organize/drafts/{int(draft)}/definition"
            response = self._request(
                "POST", path, data=body, timeout=UPLOAD_TIMEOUT, headers={"Content-Type": body.content_type}
            )
        finally:
            for handle in handles.values():
                handle.close()
        return dict(response.json())

    def open_competition(self, slug: str) -> JSON:
        """Open a competition created as a draft (its organizers and staff)."""
        return dict(self._json("POST", f"{_o(slug)}/open"))

    def draft(self, draft_id: int) -> JSON:
        """A competition draft: its step, its background job's progress and outcome, its problems."""
        return dict(self._json("GET", f"organize/drafts/{int(draft_id)}"))
