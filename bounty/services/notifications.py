"""Telling people: the submitter hears when a submission is decided, the organizers when an update is
accepted, and every member of a team whose credit an organizer action changed hears why.

``notify_decision`` runs after the deciding transaction commits (``bounty.lifecycle.states``).
``notify_standing`` runs inside the organizer action's transaction: it leaves a ``Notice`` for each
member (shown on their next page) and emails them once the action commits. Both say only what the
participant may see on the site: the status, the reason category, the public message, the rounded gain
and the organizer's reason, never a holdout figure. Sending failures are logged, never raised: a
decision stands whether or not its email went out.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from bounty.engine_adapter import group_describe
from bounty.models import Competition, Finding, Membership, Notice, Submission, Team
from bounty.selectors.outcomes import submission_outcome
from bounty.selectors.published import competition_step
from bounty.selectors.rewards import competition_program, finding_tier

log = logging.getLogger(__name__)
NOTIFIED = (Submission.Status.ACCEPTED, Submission.Status.REJECTED, Submission.Status.DECLINED)


def _site_url(path: str) -> str:
    return str(getattr(settings, "BOUNTY_SITE_URL", "http://127.0.0.1:8000")).rstrip("/") + path


def _send(subject: str, body: str, to: list[str]) -> None:
    to = sorted({address for address in to if address})
    if not to:
        return
    try:
        send_mail(subject, body, None, to)
    except Exception:  # a mail server problem must not undo or repeat a decision
        log.exception("could not send %r to %d recipients", subject, len(to))


def _submitter_body(submission: Submission) -> str:
    lines = [
        f"Submission #{submission.pk} to {submission.competition.title} was decided: "
        f"{submission.get_status_display().lower()}.",
        "",
        submission.message,
    ]
    if submission.reason:
        lines.append(f"Reason: {submission.reason.replace('_', ' ')}.")
    if submission.public_gain is not None:
        step = competition_step(submission.competition)
        lines.append(
            f"Gain (rounded down to a multiple of {step.shown}): {step.text(submission.public_gain)}."
        )
    lines += _finding_lines(submission)
    path = reverse("my_submissions", args=[submission.competition.slug])
    here = reverse("submission_detail", args=[submission.pk])
    lines += ["", f"This submission: {_site_url(here)}", f"Your team's submissions: {_site_url(path)}"]
    return "\n".join(lines)


def _finding_lines(submission: Submission) -> list[str]:
    """An accepted finding's published gap and severity tier (nothing for anything else)."""
    finding = Finding.objects.filter(submission_id=submission.pk).first() if submission.is_finding else None
    if finding is None:
        return []
    step = competition_step(submission.competition)
    lines = [f"Gap (rounded down to a multiple of {step.shown}): {step.text(finding.public_gap)}."]
    tier = finding_tier(competition_program(submission.competition), finding.public_gap)
    if tier is not None:
        lines.append(f"Severity: {tier.name}.")
    return lines


def _organizer_body(submission: Submission) -> str:
    path = reverse("console:home", args=[submission.competition.slug])
    return "\n".join(
        [
            f"Team {submission.team.name} had submission #{submission.pk} accepted "
            f"into {submission.competition.title}.",
            f"Group: {submission.group_text or group_describe(submission.group_tree)}",
            f"Gain (rounded down to the published step): "
            f"{competition_step(submission.competition).text(submission.public_gain or 0.0)}",
            "",
            f"Review: {_site_url(path)}",
        ]
    )


def notify_decision(*, submission_id: int) -> None:
    """Email the submitter about the decision and, for an accepted update, the organizers."""
    submission = (
        Submission.objects.select_related("competition", "team", "author").filter(pk=submission_id).first()
    )
    if submission is None or submission.status not in NOTIFIED:
        return
    title = submission.competition.title
    _send(
        f"[{title}] Submission #{submission.pk}: {submission.get_status_display().lower()}",
        _submitter_body(submission),
        [submission.author.email],
    )
    if submission.status == Submission.Status.ACCEPTED and not submission.is_finding:
        organizers = submission.competition.organizers.values_list("email", flat=True)
        _send(
            f"[{title}] Update accepted: submission #{submission.pk} by {submission.team.name}",
            _organizer_body(submission),
            list(organizers),
        )


def _standing_line(submission: Submission) -> str:
    outcome = submission_outcome(submission)
    if outcome.counts:
        return f"Submission #{submission.pk} is part of the model again and earns credit."
    return f"Submission #{submission.pk}: {outcome.label.lower()}; it no longer earns credit."


def notify_standing(
    *,
    competition: Competition,
    submission_ids: Collection[int],
    reason: str,
    disqualified: Team | None = None,
) -> None:
    """Tell each member of the teams behind ``submission_ids`` (accepted updates whose standing just
    changed), and every member of a ``disqualified`` team, what changed and why: the organizer's reason,
    except that the reason for disqualifying a team goes to that team only (the others learn that the
    model was rebuilt without a disqualified team)."""
    changed = (
        Submission.objects.filter(pk__in=list(submission_ids))
        .select_related("standing", "team", "competition")
        .order_by("seq")
    )
    lines: dict[int, list[str]] = {}
    if disqualified is not None:
        lines[disqualified.pk] = [f"Your team {disqualified.name} was disqualified."]
    for submission in changed:
        lines.setdefault(submission.team_id, []).append(_standing_line(submission))
    path = reverse("my_submissions", args=[competition.slug])
    members = Membership.objects.filter(team_id__in=list(lines)).values_list(
        "user_id", "user__email", "team_id"
    )
    notices = []
    for user_id, email, team_id in members:
        why = (
            "The model was rebuilt without a disqualified team's updates."
            if disqualified is not None and team_id != disqualified.pk
            else f"The organizers' reason: {reason}"
        )
        text = " ".join([*lines[team_id], why])
        notices.append(Notice(user_id=user_id, competition=competition, text=text, link=path))
        subject = f"[{competition.title}] Your credit changed"
        body = f"{text}\n\nYour team's submissions: {_site_url(path)}"
        transaction.on_commit(partial(_send, subject, body, [email]))
    Notice.objects.bulk_create(notices)
