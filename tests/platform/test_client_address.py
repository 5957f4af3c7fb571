"""Per-address limits key on the real client: a forged ``X-Forwarded-For`` lifts no limit on the web
login, the API login, sign-up or submitting, with or without a trusted proxy in front of the site.

Without ``BOUNTY_TRUSTED_PROXIES`` the address is the connection's (``REMOTE_ADDR``). With a trusted
proxy it is the rightmost ``X-Forwarded-For`` entry that is not a trusted proxy, so what a client writes
to the left of it changes nothing, while different clients behind the proxy get separate buckets.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bounty.client_ip import client_ip
from bounty.models import Competition
from tests.platform.api_support import set_rates, token_for, upload
from tests.platform.conftest import PASSWORD

PROXY = "10.0.0.2"  # the load balancer, in the trusted 10.0.0.0/8
CLIENT = "203.0.113.5"
OTHER_CLIENT = "198.51.100.7"
_forged = count(1)


def forged() -> str:
    """A different made-up address each time, as an attacker would send."""
    n = next(_forged)
    return f"192.0.2.{n % 250 + 1}, 100.64.{n // 250}.{n % 250}"


def meta(remote: str, xff: str | None = None) -> dict[str, str]:
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return extra


def behind_proxy(client_address: str, prefix: str = "") -> dict[str, str]:
    """A request the proxy passed on: whatever the client sent, then the address the proxy saw."""
    return meta(PROXY, f"{prefix}, {client_address}" if prefix else client_address)


@pytest.fixture
def limits(settings: Any) -> Iterator[Any]:
    cache.clear()
    set_rates(settings, login="3/minute", submit="2/minute", signup="2/hour")
    settings.BOUNTY_TRUSTED_PROXIES = []
    yield settings
    cache.clear()


@pytest.fixture
def proxied(limits: Any) -> Any:
    limits.BOUNTY_TRUSTED_PROXIES = ["10.0.0.0/8"]
    return limits


# -- choosing the address ----------------------------------------------------------------------------
def address(settings: Any, proxies: list[str], **request_meta: str) -> str:
    settings.BOUNTY_TRUSTED_PROXIES = proxies
    return client_ip(RequestFactory().get("/", **request_meta))


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings: Any) -> None:
    assert address(settings, [], **meta(CLIENT, "1.2.3.4")) == CLIENT
    assert address(settings, [], **meta(PROXY, CLIENT)) == PROXY


def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(settings: Any) -> None:
    assert address(settings, ["10.0.0.0/8"], **meta(CLIENT, "1.2.3.4")) == CLIENT
    assert address(settings, ["10.0.0.0/8"], **behind_proxy(CLIENT)) == CLIENT


def test_the_rightmost_untrusted_entry_wins_through_a_chain_of_proxies(settings: Any) -> None:
    chain = meta(PROXY, f"6.6.6.6, {CLIENT}, 10.1.1.1, 10.2.2.2")
    assert address(settings, ["10.0.0.0/8"], **chain) == CLIENT
    assert address(settings, ["10.0.0.2", "10.1.1.1/32", "10.2.2.2"], **chain) == CLIENT


def test_an_unreadable_hop_is_not_believed(settings: Any) -> None:
    assert address(settings, ["10.0.0.0/8"], **meta(PROXY, f"{CLIENT}, not-an-ip")) == PROXY
    assert address(settings, ["10.0.0.0/8"], **meta(PROXY, "")) == PROXY
    assert address(settings, ["10.0.0.0/8"], **meta(PROXY)) == PROXY
    assert address(settings, ["10.0.0.0/8"], **meta(PROXY, "10.9.9.9")) == "10.9.9.9"


def test_ports_and_ipv6_are_read(settings: Any) -> None:
    assert address(settings, ["10.0.0.0/8"], **meta(PROXY, f"{CLIENT}:4711")) == CLIENT
    assert address(settings, ["10.0.0.0/8"], **meta(PROXY, "[2001:db8::7]:443")) == "2001:db8::7"
    assert address(settings, ["fd00::/8"], **meta("fd00::1", "2001:db8::7, fd00::2")) == "2001:db8::7"


hop = st.one_of(st.ip_addresses().map(str), st.text(alphabet="0123456789.:abcdef[] ", max_size=20))


@given(prefix=st.lists(hop, max_size=6))
def test_no_client_supplied_prefix_changes_the_address(prefix: list[str]) -> None:
    from django.test import override_settings

    with override_settings(BOUNTY_TRUSTED_PROXIES=["10.0.0.0/8"]):
        written = ", ".join([*prefix, CLIENT]) if prefix else CLIENT
        request = RequestFactory().get("/", **meta(PROXY, written))
        assert client_ip(request) == CLIENT


def test_a_malformed_trusted_proxy_setting_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from bounty import settings as bounty_settings

    monkeypatch.setenv("BOUNTY_TRUSTED_PROXIES", "10.0.0.0/8, proxy.example.org")
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.example\.org"):
        bounty_settings._env_networks("BOUNTY_TRUSTED_PROXIES")
    monkeypatch.setenv("BOUNTY_TRUSTED_PROXIES", " 10.0.0.0/8 ,192.0.2.1")
    assert bounty_settings._env_networks("BOUNTY_TRUSTED_PROXIES") == ["10.0.0.0/8", "192.0.2.1"]


# -- the limits, without a trusted proxy ---------------------------------------------------------------
def web_login(extra: dict[str, str], password: str = "wrong") -> int:
    data = {"username": "ada", "password": password}
    return Client(**extra).post(reverse("login"), data).status_code


def api_login(extra: dict[str, str], password: str = "wrong") -> int:
    data = {"username": "ada", "password": password}
    return Client(**extra).post("/api/v1/auth/token", data).status_code


def signup(name: str, extra: dict[str, str]) -> int:
    data = {"username": name, "email": f"{name}@example.org", "password1": PASSWORD, "password2": PASSWORD}
    return Client(**extra).post(reverse("signup"), data).status_code


def test_forged_headers_do_not_lift_the_web_login_limit(limits: Any, participant: User) -> None:
    assert [web_login(meta(CLIENT, forged())) for _ in range(3)] == [200, 200, 200]
    assert [web_login(meta(CLIENT, forged()), PASSWORD) for _ in range(5)] == [429] * 5
    assert web_login(meta(OTHER_CLIENT, CLIENT), PASSWORD) == 302


def test_forged_headers_do_not_lift_the_api_login_limit(limits: Any, participant: User) -> None:
    assert [api_login(meta(CLIENT, forged())) for _ in range(3)] == [400, 400, 400]
    assert [api_login(meta(CLIENT, forged())) for _ in range(30)] == [429] * 30
    assert api_login(meta(OTHER_CLIENT), PASSWORD) == 200


def test_forged_headers_do_not_lift_the_signup_limit(limits: Any, db: None) -> None:
    codes = [signup(f"sybil{i}", meta(CLIENT, forged())) for i in range(6)]
    assert codes == [302, 302, 429, 429, 429, 429]
    assert User.objects.filter(username__startswith="sybil").count() == 2


def test_forged_headers_do_not_lift_the_submit_limit(
    limits: Any, competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Token {token_for(ready_participant)}")
    path = f"/api/v1/competitions/{competition.slug}/submissions"
    codes = [
        api.post(path, {"group_text": f"age >= {60 + i}", "model": upload()}, **meta(CLIENT, forged()))
        for i in range(4)
    ]
    assert [c.status_code for c in codes] == [201, 201, 429, 429]
    assert competition.submissions.count() == 2


# -- the limits, behind a trusted proxy ---------------------------------------------------------------
def test_behind_a_proxy_the_real_client_is_limited_at_the_web_login(proxied: Any, participant: User) -> None:
    assert [web_login(behind_proxy(CLIENT, forged())) for _ in range(3)] == [200, 200, 200]
    assert [web_login(behind_proxy(CLIENT, forged()), PASSWORD) for _ in range(5)] == [429] * 5
    assert web_login(behind_proxy(OTHER_CLIENT, CLIENT), PASSWORD) == 302  # its own bucket


def test_behind_a_proxy_the_real_client_is_limited_at_the_api_login(proxied: Any, participant: User) -> None:
    assert [api_login(behind_proxy(CLIENT, forged())) for _ in range(3)] == [400, 400, 400]
    assert [api_login(behind_proxy(CLIENT, forged())) for _ in range(30)] == [429] * 30
    assert api_login(behind_proxy(OTHER_CLIENT), PASSWORD) == 200


def test_behind_a_proxy_the_real_client_is_limited_at_signup(proxied: Any, db: None) -> None:
    codes = [signup(f"sybil{i}", behind_proxy(CLIENT, forged())) for i in range(5)]
    assert codes == [302, 302, 429, 429, 429]
    assert signup("neighbour", behind_proxy(OTHER_CLIENT)) == 302
    assert User.objects.filter(username__startswith="sybil").count() == 2


def test_behind_a_proxy_the_submit_limit_holds(
    proxied: Any, competition: Competition, ready_participant: User, enqueued: list[int]
) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Token {token_for(ready_participant)}")
    path = f"/api/v1/competitions/{competition.slug}/submissions"
    codes = [
        api.post(
            path, {"group_text": f"age >= {60 + i}", "model": upload()}, **behind_proxy(CLIENT, forged())
        )
        for i in range(3)
    ]
    assert [c.status_code for c in codes] == [201, 201, 429]


def test_behind_a_proxy_the_clients_share_nothing_with_the_proxy_itself(
    proxied: Any, participant: User
) -> None:
    """Every request arrives from the proxy: keyed on it, one client would lock out all the others."""
    for _ in range(3):
        assert web_login(behind_proxy(CLIENT)) == 200
    assert web_login(behind_proxy(CLIENT), PASSWORD) == 429
    for neighbour in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
        assert web_login(behind_proxy(neighbour), PASSWORD) == 302


# -- one function for every limiter ---------------------------------------------------------------------
def test_every_throttle_keys_on_the_one_client_address() -> None:
    from rest_framework.settings import api_settings

    from bounty.api import throttles
    from bounty.ratelimit import THROTTLES

    classes = {*THROTTLES.values(), *api_settings.DEFAULT_THROTTLE_CLASSES, throttles.LoginThrottle}
    for throttle in classes:
        assert throttle.get_ident is throttles._SettingsRate.get_ident, throttle  # type: ignore[attr-defined]


def test_no_other_code_reads_the_forwarded_header_or_the_peer_address() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "bounty"
    readers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "X_FORWARDED_FOR" in (text := path.read_text()) or "REMOTE_ADDR" in text
    )
    assert readers == ["client_ip.py"]
