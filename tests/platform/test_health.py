"""The liveness probe answers ``ok`` without touching the database."""

from __future__ import annotations

from django.test import Client


def test_healthz_answers_ok_without_a_database_query(client: Client) -> None:
    # No db fixture: pytest-django refuses any database access in this test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok" and response["Content-Type"].startswith("text/plain")
    assert client.post("/healthz").status_code == 405
