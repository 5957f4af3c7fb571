"""The holdout and confirmation splits must be reachable by no URL, for anyone."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from bounty.models import Competition
from bounty.storage import competition_dir
from tests.platform.conftest import CONFIRMATION_MARKER, HOLDOUT_MARKER, login

CANDIDATES = [
    "holdout",
    "confirmation",
    "holdout.csv",
    "confirmation.csv",
    "private/holdout.csv",
    "../holdout.csv",
    "../private/confirmation.csv",
    "..%2Fholdout.csv",
]
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<[^>]+>(?:[^()]|\([^()]*\))*\)")


def patterns(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for entry in resolver.url_patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from patterns(entry, text)
        elif isinstance(entry, URLPattern):
            yield text


def fill(pattern: str, values: list[str], competition: Competition) -> Iterator[str]:
    text = pattern.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    for value in [*values, competition.slug, str(competition.pk)]:
        filled = _ROUTE_PARAM.sub(
            lambda m, v=value: str(competition.pk) if m.group("converter") == "int" else v, text
        )
        yield "/" + _REGEX_GROUP.sub(value, filled)


def body(response: HttpResponse) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.content


def test_no_url_serves_the_holdout_or_confirmation_split(
    competition: Competition, make_user: Callable[..., User]
) -> None:
    staff = make_user("root", is_staff=True, is_superuser=True)
    competition.organizers.add(staff)
    participant = make_user("ada")
    competition.terms_acceptances.create(user=participant, terms_version=1)
    clients = [Client(), login(participant), login(staff)]
    paths = {path for pattern in patterns(get_resolver()) for path in fill(pattern, CANDIDATES, competition)}
    paths |= {
        f"/competitions/{competition.slug}/data/{name}"
        for name in ("holdout.csv", "confirmation.csv", "../private/holdout.csv")
    }
    assert len(paths) > 50
    for client in clients:
        for path in sorted(paths):
            content = body(client.get(path))
            assert HOLDOUT_MARKER.encode() not in content, path
            assert CONFIRMATION_MARKER.encode() not in content, path


def test_the_data_dir_is_outside_every_served_folder(competition: Competition) -> None:
    private = competition_dir(competition.pk).resolve()
    served = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
    if getattr(settings, "MEDIA_ROOT", ""):
        served.append(Path(settings.MEDIA_ROOT))
    for folder in served:
        folder = folder.resolve()
        assert not private.is_relative_to(folder)
        assert not folder.is_relative_to(private)
    assert not settings.MEDIA_ROOT  # the platform serves no media at all


def test_no_url_pattern_serves_arbitrary_files() -> None:
    views = {getattr(p.callback, "__module__", "") for p in _all_url_patterns(get_resolver())}
    assert "django.views.static" not in views


def _all_url_patterns(resolver: URLResolver) -> Iterator[URLPattern]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _all_url_patterns(entry)
        else:
            yield entry


def test_no_url_serves_any_file_of_a_real_engine_directory(make_user: Callable[..., User]) -> None:
    from tests.platform.engine_world import engine_competition

    staff = make_user("root", is_staff=True, is_superuser=True)
    competition = engine_competition(organizer=staff, slug="real")
    participant = make_user("ada")
    competition.terms_acceptances.create(user=participant, terms_version=competition.terms_version)
    root = competition_dir(competition.pk)
    public = {"public", "train"}  # the train split, its labels and base predictions are public anyway
    hidden = [
        p
        for p in root.rglob("*")
        if p.is_file() and not public & set(p.relative_to(root).parts) and p.stat().st_size > 64
    ]
    assert any("labels.holdout" in p.name for p in hidden) and any("holdout" in p.parts for p in hidden)
    keys = ("labels", "manifest", "competition.json", "age", "income")
    names = sorted({str(p.relative_to(root)) for p in hidden if any(k in str(p) for k in keys)})
    candidates = [*names, *(f"../{n}" for n in names), *(f"../../{n}" for n in names)]
    paths = {path for pattern in patterns(get_resolver()) for path in fill(pattern, candidates, competition)}
    # A route that serves a file serves all of it: look for whole files (the first 64 KiB of big ones);
    # short byte runs would match by chance, since label arrays are mostly one class.
    secrets = [p.read_bytes()[: 64 * 1024] for p in hidden if "labels" in p.name or "holdout" in p.parts]
    assert not any("train" in p.name for p in hidden if "labels" in p.name)
    for client in (Client(), login(participant), login(staff)):
        for path in sorted(paths):
            content = body(client.get(path))
            assert not any(secret in content for secret in secrets), path
