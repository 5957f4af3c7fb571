"""Token storage: one entry per server, in a file only its owner can read."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from bounty_client import config


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_token_file_is_created_with_mode_600(config_dir: Path) -> None:
    old = os.umask(0o000)  # even a permissive umask must not widen the file
    try:
        config.save_token("https://bounty.example.org", "secret-1", username="alice")
    finally:
        os.umask(old)
    assert mode(config_dir / "config.json") == 0o600
    assert mode(config_dir) == 0o700


def test_existing_world_readable_file_is_made_private_again(config_dir: Path) -> None:
    config_dir.mkdir()
    path = config_dir / "config.json"
    path.write_text(json.dumps({"servers": {}}))
    path.chmod(0o644)
    config.save_token("https://bounty.example.org", "secret-1")
    assert mode(path) == 0o600


def test_tokens_are_kept_per_server() -> None:
    config.save_token("https://one.example.org", "token-one", username="alice")
    config.save_token("http://127.0.0.1:8000", "token-two", username="bob")
    one = config.load_credentials("https://one.example.org/")
    two = config.load_credentials("http://127.0.0.1:8000/api/v1/")
    assert one is not None and one.token == "token-one" and one.username == "alice"
    assert two is not None and two.token == "token-two"
    assert config.load_credentials("https://three.example.org") is None


def test_last_login_becomes_the_default_server() -> None:
    assert config.default_server() == config.DEFAULT_SERVER
    config.save_token("https://one.example.org", "a")
    config.save_token("https://two.example.org", "b")
    assert config.default_server() == "https://two.example.org"
    assert config.resolve(None, None) == ("https://two.example.org", "b")


def test_forget_removes_only_that_server() -> None:
    config.save_token("https://one.example.org", "a")
    config.save_token("https://two.example.org", "b")
    assert config.forget_token("https://two.example.org")
    assert not config.forget_token("https://two.example.org")
    assert config.load_credentials("https://one.example.org") is not None
    assert config.default_server() == config.DEFAULT_SERVER


def test_explicit_and_environment_tokens_win_over_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    config.save_token("https://one.example.org", "stored")
    assert config.resolve("https://one.example.org", "given")[1] == "given"
    monkeypatch.setenv("BOUNTY_TOKEN", "from-env")
    monkeypatch.setenv("BOUNTY_URL", "https://env.example.org")
    assert config.resolve(None, None) == ("https://env.example.org", "from-env")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://Bounty.Example.org/", "https://bounty.example.org"),
        ("https://bounty.example.org:443/api/v1/", "https://bounty.example.org"),
        ("bounty.example.org", "https://bounty.example.org"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://host/sub/path/api/v1", "http://host/sub/path"),
    ],
)
def test_server_urls_are_normalized(given: str, expected: str) -> None:
    assert config.normalize_server(given) == expected


def test_malformed_config_file_is_reported(config_dir: Path) -> None:
    config_dir.mkdir()
    (config_dir / "config.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a bounty config"):
        config.load_credentials("https://one.example.org")
