"""Where the client keeps API tokens: ``config.json`` in the user's config directory, mode 600.

One entry per server, keyed by the server's normalized URL, plus the server last logged in to (the
default for later commands)::

    {"default": "https://bounty.example.org",
     "servers": {"https://bounty.example.org": {"token": "...", "username": "alice"}}}

``BOUNTY_CONFIG_DIR`` overrides the directory (tests use it).
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import platformdirs

CONFIG_ENV = "BOUNTY_CONFIG_DIR"
URL_ENV = "BOUNTY_URL"
TOKEN_ENV = "BOUNTY_TOKEN"  # noqa: S105 (the variable's name, not a secret)
FILE_NAME = "config.json"
DEFAULT_SERVER = "http://127.0.0.1:8000"
API_SUFFIX = "/api/v1"


@dataclass(frozen=True)
class Credentials:
    server: str
    token: str
    username: str = ""


def config_dir() -> Path:
    override = os.environ.get(CONFIG_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir("bounty"))


def config_path() -> Path:
    return config_dir() / FILE_NAME


def normalize_server(url: str) -> str:
    """``https://Host:443/api/v1/`` and ``https://host`` name the same server: scheme and host in
    lower case, no trailing slash, no ``/api/v1`` suffix. A bare host gets ``https://``."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if not host or scheme not in ("http", "https"):
        raise ValueError(f"not a server URL: {url!r}")
    port = parts.port
    default_port = {"http": 80, "https": 443}[scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    if ":" in host:  # an IPv6 literal
        netloc = f"[{host}]" if port in (None, default_port) else f"[{host}]:{port}"
    path = parts.path.rstrip("/")
    if path.endswith(API_SUFFIX):
        path = path[: -len(API_SUFFIX)]
    return urlunsplit((scheme, netloc, path, "", ""))


def _read() -> dict[str, Any]:
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {"servers": {}}
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("servers", {}), dict):
        raise ValueError(f"{path} is not a bounty config file")
    data.setdefault("servers", {})
    return data


def _write(data: dict[str, Any]) -> None:
    """Write the config atomically; the file is created with mode 600 and never readable by others."""
    directory = config_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / FILE_NAME
    tmp = directory / (FILE_NAME + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(tmp, 0o600)  # the umask cannot widen it, but be explicit
    os.replace(tmp, path)
    os.chmod(path, 0o600)


def save_token(server: str, token: str, *, username: str = "") -> Credentials:
    """Store ``token`` for ``server`` and make that server the default."""
    key = normalize_server(server)
    data = _read()
    data["servers"][key] = {"token": token, "username": username}
    data["default"] = key
    _write(data)
    return Credentials(key, token, username)


def forget_token(server: str) -> bool:
    """Remove the token of ``server``; True when there was one."""
    key = normalize_server(server)
    data = _read()
    if key not in data["servers"]:
        return False
    del data["servers"][key]
    if data.get("default") == key:
        data.pop("default")
    _write(data)
    return True


def load_credentials(server: str) -> Credentials | None:
    key = normalize_server(server)
    entry = _read()["servers"].get(key)
    if not isinstance(entry, dict) or not entry.get("token"):
        return None
    return Credentials(key, str(entry["token"]), str(entry.get("username", "")))


def default_server() -> str:
    """``$BOUNTY_URL``, else the server last logged in to, else the local development server."""
    env = os.environ.get(URL_ENV)
    if env:
        return normalize_server(env)
    stored = _read().get("default")
    return normalize_server(str(stored)) if stored else DEFAULT_SERVER


def resolve(server: str | None, token: str | None) -> tuple[str, str | None]:
    """The server to talk to and the token to send: explicit values, then the environment, then
    the stored token for that server."""
    url = normalize_server(server) if server else default_server()
    if token:
        return url, token
    env = os.environ.get(TOKEN_ENV)
    if env:
        return url, env
    stored = load_credentials(url)
    return url, stored.token if stored else None
