"""The REST client against a stub HTTP server: requests it sends and how errors come back."""

from __future__ import annotations

import io
import json
import socket

import numpy as np
import pytest
from bounty_client.api import Client, ClientError

from tests.client.stub import Reply, Stub


def test_token_is_sent_in_the_authorization_header(stub: Stub) -> None:
    stub.on("GET", "competitions", Reply.json([{"slug": "adult-income"}]))
    assert Client(stub.url, "abc123").competitions() == [{"slug": "adult-income"}]
    assert stub.seen[0].headers["Authorization"] == "Token abc123"


def test_anonymous_requests_send_no_authorization_header(stub: Stub) -> None:
    stub.on("GET", "competitions/x/leaderboard", Reply.json([]))
    Client(stub.url).leaderboard("x")
    assert "Authorization" not in stub.seen[0].headers


def test_login_posts_credentials_and_keeps_the_token(stub: Stub) -> None:
    stub.on("POST", "auth/token", Reply.json({"token": "tok"}))
    client = Client(stub.url + "/api/v1/")
    assert client.login("alice", "pw") == "tok" and client.token == "tok"
    assert json.loads(stub.seen[0].body) == {"username": "alice", "password": "pw"}


def test_api_error_shape_becomes_client_error(stub: Stub) -> None:
    stub.on("POST", "auth/token", Reply.error(400, "invalid_credentials", "Wrong.", "password"))
    with pytest.raises(ClientError) as info:
        Client(stub.url).login("alice", "bad")
    error = info.value
    assert (error.code, error.message, error.field, error.status) == (
        "invalid_credentials",
        "Wrong.",
        "password",
        400,
    )


def test_unknown_path_is_not_found(stub: Stub) -> None:
    with pytest.raises(ClientError) as info:
        Client(stub.url).competition("nope")
    assert info.value.code == "not_found" and info.value.status == 404


def test_non_json_error_body_still_maps_to_a_code(stub: Stub) -> None:
    stub.on("GET", "competitions", Reply(502, b"<html>Bad gateway</html>", {"Content-Type": "text/html"}))
    with pytest.raises(ClientError) as info:
        Client(stub.url).competitions()
    assert info.value.code == "http_502" and info.value.status == 502


def test_throttled_answer_carries_retry_after(stub: Stub) -> None:
    stub.on("GET", "submissions/7", Reply.error(429, "throttled", "Slow down.", **{"Retry-After": "12"}))
    with pytest.raises(ClientError) as info:
        Client(stub.url).submission(7)
    assert info.value.status == 429 and info.value.retry_after == 12.0


def test_unreachable_server_is_a_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(ClientError) as info:
        Client(f"http://127.0.0.1:{port}", timeout=2).competitions()
    assert info.value.code == "connection_error" and info.value.status == 0


def test_slow_server_is_a_timeout(stub: Stub) -> None:
    import time

    def slow(_: object) -> Reply:
        time.sleep(1.0)
        return Reply.json([])

    stub.on("GET", "competitions", slow)
    with pytest.raises(ClientError) as info:
        Client(stub.url, timeout=0.2).competitions()
    assert info.value.code == "timeout"


def test_slug_cannot_escape_its_path_segment(stub: Stub) -> None:
    with pytest.raises(ClientError):
        Client(stub.url).competition("../submissions/1")
    assert stub.seen[0].path == "/api/v1/competitions/..%2Fsubmissions%2F1"


def test_submit_sends_a_multipart_form_with_the_group_text_and_model(stub: Stub) -> None:
    stub.on("POST", "competitions/c/submissions", Reply.json({"id": 5, "status": "queued"}, 201))
    answer = Client(stub.url, "t").submit("c", model=b"MODEL-BYTES", group_text="age >= 60")
    assert answer["id"] == 5
    seen = stub.seen[0]
    assert seen.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="group_text"' in seen.body and b"age >= 60" in seen.body
    assert b'name="model"; filename="model.skops"' in seen.body and b"MODEL-BYTES" in seen.body
    assert b'name="group"' not in seen.body


def test_submit_sends_a_json_tree_as_the_group_field(stub: Stub) -> None:
    stub.on("POST", "competitions/c/submissions", Reply.json({"id": 6}, 201))
    tree = {"col": "age", "op": ">=", "value": 60}
    Client(stub.url, "t").submit("c", model=b"M", group=tree, group_model=None)
    assert b'name="group"' in stub.seen[0].body and json.dumps(tree).encode() in stub.seen[0].body


def test_submit_needs_exactly_one_group_form(stub: Stub) -> None:
    with pytest.raises(ClientError) as info:
        Client(stub.url).submit("c", model=b"M", group_text="all", group_model=b"G")
    assert info.value.code == "invalid_group"
    assert stub.seen == []


def test_train_baseline_reads_a_plain_npy_array(stub: Stub) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([0, 1, 1], dtype=np.int64), allow_pickle=False)
    stub.on("GET", "competitions/c/train-baseline.npy", Reply(200, buffer.getvalue()))
    assert Client(stub.url).train_baseline("c").tolist() == [0, 1, 1]


def test_train_baseline_never_unpickles(stub: Stub) -> None:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    stub.on("GET", "competitions/c/train-baseline.npy", Reply(200, buffer.getvalue()))
    with pytest.raises(ClientError) as info:
        Client(stub.url).train_baseline("c")
    assert info.value.code == "bad_response"


def test_terms_accept_posts_the_version_read(stub: Stub) -> None:
    stub.on("POST", "competitions/c/terms", Reply.json({"terms_version": 3}))
    Client(stub.url, "t").accept_terms("c", 3)
    assert json.loads(stub.seen[0].body) == {"terms_version": 3}
