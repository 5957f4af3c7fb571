"""The client's address, the one every per-address limit keys on (login, sign-up, the API's anonymous
rate, the resend of confirmation emails).

``X-Forwarded-For`` is a list anyone can write: a client may send ``X-Forwarded-For: 1.2.3.4`` and a
proxy appends the address it saw, so only the entries appended by proxies we run can be believed.
``settings.BOUNTY_TRUSTED_PROXIES`` lists those proxies (addresses or CIDR networks, none by default):

- without trusted proxies, or when the connection does not come from one, the address is
  ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored;
- when it comes from a trusted proxy, the address is the rightmost ``X-Forwarded-For`` entry that is
  not itself a trusted proxy. Whatever a client writes to the left of that entry changes nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in values)


def trusted_networks() -> tuple[Network, ...]:
    """The trusted proxies, read from the settings on each call (tests change them)."""
    return _networks(tuple(getattr(settings, "BOUNTY_TRUSTED_PROXIES", None) or ()))


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "192.0.2.1:443"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request: Any) -> str:
    """The address of the client behind ``request`` (a Django or DRF request), as text."""
    meta = request.META
    remote = str(meta.get("REMOTE_ADDR") or "")
    networks = trusted_networks()
    if not networks or not _trusted(_address(remote), networks):
        return remote
    nearest = remote
    for hop in reversed(str(meta.get("HTTP_X_FORWARDED_FOR") or "").split(",")):
        address = _address(hop)
        if address is None:
            # Our proxies write addresses; anything else was not written by them. Key on the
            # nearest proxy rather than believe it (one shared bucket is safer than a forged one).
            return nearest
        if not _trusted(address, networks):
            return str(address)
        nearest = str(address)
    return nearest
