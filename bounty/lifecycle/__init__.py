"""A submission's life, in one place.

    submit ──> queued ──claim──> running ──evaluate──> evaluated ──decide──> accepted | rejected
                 │  ^              │                      │
           cancel│  └── reaper ────┤ (lease ran out)      └──> awaiting_approval ──> accepted | rejected
                 v                 v                                        └──> declined
             cancelled      rejected | failed

- ``states``: the states, the moves allowed between them and ``transition``, through which every change
  of status goes (with its effects: finish time, quota refund, email).
- ``submit``: a new submission (checked, numbered, charged, queued) and its withdrawal.
- ``lease``: claiming a submission, keeping the claim alive while it is evaluated, noticing it is lost.
- ``enqueue``: sending work to the workers (tasks by name).
- ``evaluate`` and ``shards``: running (g, h) on the hidden splits, whole or in shards on many workers.
- ``lock`` and ``decide``: one decision at a time per competition, in arrival order; ``approval``: the
  organizer's word on a pair the check accepted, when the competition asks for it.
- ``undo``: roll back, disqualify; ``standings``: the versions recorded and where each accepted update
  stands; ``closing``: confirmation and the close.
- ``reaper``: what a lost worker or message left behind, put back on the queue.
"""

from bounty.lifecycle.approval import (
    competition_set_manual_approval,
    submission_approve,
    submission_decline,
)
from bounty.lifecycle.closing import competition_close, competition_confirm, competitions_close_due
from bounty.lifecycle.decide import competition_drain
from bounty.lifecycle.evaluate import submission_score, submission_shards_finish
from bounty.lifecycle.reaper import ReapReport, stuck_reap
from bounty.lifecycle.shards import shard_evaluate
from bounty.lifecycle.submit import submission_cancel, submission_create
from bounty.lifecycle.undo import competition_rollback, team_disqualify

__all__ = [
    "ReapReport",
    "competition_close",
    "competition_confirm",
    "competition_drain",
    "competition_rollback",
    "competition_set_manual_approval",
    "competitions_close_due",
    "shard_evaluate",
    "stuck_reap",
    "submission_approve",
    "submission_cancel",
    "submission_create",
    "submission_decline",
    "submission_score",
    "submission_shards_finish",
    "team_disqualify",
]
