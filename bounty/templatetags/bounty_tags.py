"""Template filters: ``markdown`` (sanitized), ``percent``, ``number``, ``reason_help``,
``progress_steps`` (where a submission is between arrival and decision) and ``outcome`` (what its
decision amounts to now)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User
from django.utils.safestring import SafeString

from bounty.errors import DomainError
from bounty.models import Competition, Submission
from bounty.rendering import markdown_to_html
from bounty.selectors.competitions import user_is_organizer
from bounty.selectors.outcomes import Outcome, submission_outcome
from bounty.selectors.published import Step
from bounty.selectors.rules import CompetitionRules, competition_rules
from scoring.publish import PERCENT_DIGITS

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return markdown_to_html(text)


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


@register.filter(name="percent")
def percent(value: object, digits: int = 2) -> str:
    number = _float(value)
    return "—" if number is None else f"{number * 100:.{int(digits)}f}%"


@register.filter(name="published")
def published_filter(value: object, step: Step) -> str:
    """A holdout loss or gain as published: rounded down to the competition's step, with its decimals."""
    return step.text(_float(value))


@register.filter(name="exact")
def exact(value: object) -> str:
    """A published figure exactly as published (up to 6 decimals, no trailing zeros): ``0.0025``."""
    number = _float(value)
    if number is None:
        return "—"
    return f"{number:.6f}".rstrip("0").rstrip(".") if number != 0 else "0"


@register.filter(name="pct")
def pct(value: object) -> str:
    """A figure already in percent (credit, shares of the published base loss): ``10.81%``."""
    number = _float(value)
    return "—" if number is None else f"{number:.{PERCENT_DIGITS}f}%"


@register.filter(name="number")
def number(value: object, digits: int = 4) -> str:
    figure = _float(value)
    return "—" if figure is None else f"{figure:.{int(digits)}f}"


REASON_HELP = {
    "accepted": "The group was big enough and your model lowered the holdout loss by at least the threshold.",
    "group_too_small": "The group covers less of the holdout than the competition's minimum share.",
    "insufficient_improvement": "Your model did not lower the group's loss enough to pass the threshold.",
    "gap_too_small": "The model's loss on the group was not above the rest's by the competition's gap.",
    "invalid_group": "The group could not be read: check the column names, values and operators.",
    "invalid_model": "The model file could not be loaded safely: save it with skops and only allowed types.",
    "schema_mismatch": "The model or group does not fit this competition's columns.",
    "prediction_error": "The model failed while predicting, or gave answers of the wrong shape.",
    "timeout": "The model took longer than the time limit.",
    "resource_limit": "The model used more memory or resources than allowed.",
}


@register.filter(name="reason_help")
def reason_help(reason: object) -> str:
    """A plain-language sentence for a decision's reason category (empty when unknown)."""
    return REASON_HELP.get(str(reason or ""), "")


# (label, statuses during which the step is the current one); a decided submission has done them all.
STEPS = (
    ("Received", ("queued",)),
    ("Checking on the holdout", ("running", "evaluated")),
    ("Waiting for an organizer", ("awaiting_approval",)),
    ("Decided", ()),
)
STOPPED = {"failed", "cancelled", "declined"}


@register.filter(name="progress_steps")
def progress_steps(status: object) -> list[tuple[str, str]]:
    """Each step of a submission's way to a decision with its state: done, current, failed or todo.
    The approval step is shown only while a pair waits for it."""
    status = str(status)
    steps = [s for s in STEPS if s[0] != "Waiting for an organizer" or status == "awaiting_approval"]
    current = next((i for i, (_, during) in enumerate(steps) if status in during), len(steps) - 1)
    out = []
    for i, (label, _) in enumerate(steps):
        if i < current or (i == current and status in ("accepted", "rejected")):
            state = "done"
        elif i == current:
            state = "failed" if status in STOPPED else "current"
        else:
            state = "todo"
        out.append((label, state))
    return out


@register.filter(name="outcome")
def outcome(submission: Submission) -> Outcome:
    """The submission's decision as it stands now (``bounty.selectors.outcomes``): "Accepted, rolled
    back in v5" where an organizer action took its update out of the model."""
    return submission_outcome(submission)


@register.filter(name="organized_by")
def organized_by(competition: Competition, user: User | AnonymousUser) -> bool:
    """Whether ``user`` runs ``competition`` (its organizers and staff see its console)."""
    return user_is_organizer(competition=competition, user=user)


@register.filter(name="rules")
def rules(competition: Competition) -> CompetitionRules | None:
    """The competition's rules (``bounty.selectors.rules``), or None where they cannot be read (a list
    of competitions still shows the others)."""
    try:
        return competition_rules(competition=competition)
    except DomainError:
        return None
