"""What a submission's decision amounts to now, for every surface that shows one.

A decision is final, but an accepted update can leave the model afterwards: a rollback, a team's
disqualification, or a replay that rejects it. Its ``UpdateStanding`` (written by the lifecycle under
the competition's lock) records whether it still counts, why not and from which version; this module is
the one reader of it that pages, API answers, exports, emails and public figures go through.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from bounty.models import Competition, Submission, UpdateStanding

Dropped = UpdateStanding.Dropped
UNDONE_WORDS = {  # {in}: " in v5", or nothing for standings recorded before versions were kept
    Dropped.ROLLED_BACK: "rolled back{in}",
    Dropped.DISQUALIFIED: "removed{in}: team disqualified",
    Dropped.REJECTED_ON_REPLAY: "rejected when the model was rebuilt{in}",
}


@dataclass(frozen=True)
class Outcome:
    """A submission's decision as it stands now."""

    status: str  # the decision (or the state it is in), as stored
    label: str  # what to show: "Accepted", "Accepted, rolled back in v5", "Rejected"...
    counts: bool  # an accepted update that is part of the current model
    undone: str  # why an accepted update left the model ("" otherwise): an ``UpdateStanding.Dropped``
    undone_in: int | None  # the version that took it out
    undone_words: str  # "rolled back in v5" ("" otherwise)
    credited_gain: float | None  # the public gain it earns now (0 once undone); None unless accepted


def standing_of(submission: Submission) -> UpdateStanding | None:
    try:
        return submission.standing
    except ObjectDoesNotExist:
        return None


def submission_outcome(submission: Submission) -> Outcome:
    """The outcome of ``submission`` (select ``standing`` and ``competition`` with it to read many
    without more queries). After the close, an update earns credit only once the confirmation split
    confirmed it, as on the leaderboard."""
    label = submission.get_status_display()
    if submission.is_finding and submission.status == Submission.Status.ACCEPTED:
        return Outcome(submission.status, "Finding accepted", False, "", None, "", None)
    if submission.status != Submission.Status.ACCEPTED:
        return Outcome(submission.status, label, False, "", None, "", None)
    standing = standing_of(submission)
    if standing is None or standing.counts:
        closed = submission.competition.status == Competition.Status.CLOSED
        if closed and (standing is None or standing.confirmed is not True):
            words = "not confirmed" if standing is not None and standing.confirmed is False else "unconfirmed"
            return Outcome(submission.status, f"{label}, {words}", True, "", None, "", 0.0)
        return Outcome(submission.status, label, True, "", None, "", submission.public_gain)
    where = f" in v{standing.dropped_in}" if standing.dropped_in is not None else ""
    words = UNDONE_WORDS.get(Dropped(standing.dropped), "no longer in the model{in}").format(**{"in": where})
    return Outcome(
        submission.status, f"{label}, {words}", False, standing.dropped, standing.dropped_in, words, 0.0
    )


def counting_updates(competition: Competition) -> QuerySet[Submission]:
    """The accepted submissions whose updates are in the current model, in arrival order."""
    accepted = competition.submissions.filter(status=Submission.Status.ACCEPTED, kind=Submission.Kind.PAIR)
    return accepted.exclude(standing__counts=False).order_by("seq")


def undone_updates(competition: Competition) -> QuerySet[Submission]:
    """The accepted submissions whose updates an organizer action took out of the model."""
    accepted = competition.submissions.filter(status=Submission.Status.ACCEPTED, kind=Submission.Kind.PAIR)
    return accepted.filter(standing__counts=False).order_by("seq")
