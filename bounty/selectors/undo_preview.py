"""What an organizer's destructive action would change, shown on its confirmation page before it runs.

- roll back to ``version``: the versions after it stop being the model, the updates they brought stop
  counting (the engine's own account of which updates count at ``version``, as the rollback records it),
  and each team's credit falls by their published gains;
- disqualify a team: its counting updates leave the model, its undecided submissions are withdrawn,
  and the other teams' updates accepted after its first one are checked again on the rebuilt model (a
  replay may reject some; only running it can tell which);
- close: no more submissions, and every counting update is confirmed on the confirmation split (the
  same gains the close computes): after it, only confirmed updates earn credit.

Each preview records the head version it was made on: the action runs only if the head is still that
one, so the organizer confirms exactly what they saw. Credit is the leaderboard's, in its published
units (``bounty.selectors.leaderboard``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from bounty.engine_adapter import competition_store
from bounty.errors import DomainError
from bounty.models import Competition, ModelVersion, Submission, Team
from bounty.selectors.leaderboard import LeaderboardRow, leaderboard
from bounty.selectors.outcomes import counting_updates
from bounty.selectors.published import PublishedFigures, published_figures
from scoring.engine import organize as engine
from scoring.errors import EngineError


@dataclass(frozen=True)
class CreditChange:
    """A team's leaderboard credit (percent of the published base loss) now and after the action."""

    team: Team
    before: float
    after: float | None  # None: the team leaves the leaderboard (disqualified)
    updates: list[Submission]  # its updates that stop earning credit


@dataclass(frozen=True)
class Preview:
    action: str  # "rollback", "disqualify", "close"
    head: int  # the head version the preview was made on
    versions: list[ModelVersion] = field(default_factory=list)  # versions that stop being the model
    undone: list[Submission] = field(default_factory=list)  # accepted updates that stop earning credit
    credit: list[CreditChange] = field(default_factory=list)
    withdrawn: list[Submission] = field(default_factory=list)  # undecided submissions cancelled
    rechecked: list[Submission] = field(default_factory=list)  # checked again; may be rejected
    pending: int = 0  # undecided submissions (decided after a close, as usual)
    confirmed: int = 0  # updates the close confirms (they keep their credit)


@contextmanager
def _engine_read() -> Iterator[None]:
    """The engine's files of a competition that cannot be read make an error page, not a crash."""
    try:
        yield
    except (OSError, ValueError, KeyError, EngineError) as exc:
        raise DomainError("competition_misconfigured", "This competition's model cannot be read.") from exc


def _credit(
    competition: Competition, undone: Collection[int], gone: Team | None = None
) -> list[CreditChange]:
    """Each team whose credit changes when the updates ``undone`` (submission ids) stop earning it."""
    figures = published_figures(competition=competition)
    by_id = {s.pk: s for s in Submission.objects.filter(pk__in=undone).select_related("team")}
    changes = []
    for row in leaderboard(competition=competition, figures=figures):
        lost = [by_id[u.submission] for u in row.updates if u.submission in by_id]
        if row.team == gone:
            changes.append(CreditChange(row.team, row.credit, None, lost))
        elif lost:
            changes.append(CreditChange(row.team, row.credit, _after(row, undone, figures), lost))
    return changes


def _after(row: LeaderboardRow, undone: Collection[int], figures: PublishedFigures) -> float:
    kept = 0.0
    for update in row.updates:
        if update.submission not in undone:
            kept = figures.gain(kept + update.public_gain) or 0.0
    return figures.percent(kept) or 0.0


def rollback_preview(*, competition: Competition, version: int) -> Preview:
    head = competition.head_version
    if not 0 <= version < head:
        raise DomainError(
            "invalid_version", f"Choose an earlier version than the current v{head}.", field="version"
        )
    with _engine_read():
        counting_then = engine.counting_labels(competition_store(competition), head=version)
    counting = counting_updates(competition).select_related("team")
    undone = [s for s in counting if str(s.pk) not in counting_then]
    versions = competition.versions.filter(number__gt=version, number__lte=head).order_by("number")
    ids = {s.pk for s in undone}
    return Preview("rollback", head, list(versions), undone, _credit(competition, ids))


def disqualify_preview(*, competition: Competition, team: Team) -> Preview:
    if team.competition_id != competition.pk:
        raise DomainError("not_found", "There is no such team in this competition.")
    counting = list(counting_updates(competition).select_related("team"))
    undone = [s for s in counting if s.team_id == team.pk]
    first = undone[0].seq if undone else None
    rechecked = [s for s in counting if s.team_id != team.pk and first is not None and s.seq > first]
    withdrawn = team.submissions.filter(status__in=Submission.PENDING).order_by("seq")
    ids = {s.pk for s in undone}
    credit = _credit(competition, ids, gone=team)
    return Preview(
        "disqualify", competition.head_version, undone=undone, credit=credit,
        withdrawn=list(withdrawn), rechecked=rechecked,
    )  # fmt: skip


def close_preview(*, competition: Competition) -> Preview:
    if competition.status == Competition.Status.CLOSED:
        raise DomainError("already_closed", "This competition is already closed.")
    head = competition.head_version
    with _engine_read():
        gains = engine.confirmation_gains(competition_store(competition), head=head)
    counting = list(counting_updates(competition).select_related("team"))
    undone = [s for s in counting if gains.get(str(s.pk), 0.0) <= 0]
    pending = competition.submissions.filter(status__in=Submission.PENDING).count()
    ids = {s.pk for s in undone}
    return Preview(
        "close", head, undone=undone, credit=_credit(competition, ids), pending=pending,
        confirmed=len(counting) - len(undone),
    )  # fmt: skip
