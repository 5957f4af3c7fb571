"""Create the demo competition on UCI Adult (or synthetic census data), demo users and a few decisions."""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bounty.demo import adult_schema, example_pairs, load_demo_frame, split_frame, train_base_model
from bounty.lifecycle import submission_create, submission_score
from bounty.lifecycle.rewards import program_set
from bounty.models import Competition, Membership
from bounty.services.competitions import competition_create
from bounty.services.organizers import organizer_grant
from bounty.services.teams import team_create
from bounty.services.terms import terms_accept
from bounty.services.users import user_create
from bounty.storage import data_dir
from scoring import groups

SLUG = "adult-income"
DESCRIPTION = """\
A model that predicts whether a person's income is above $50,000 a year from census answers
(age, education, occupation, marital status, hours worked and more) serves some groups of people
much worse than others. Find a **group** on which it does badly, and a **model** that does better
for that group.

Every accepted pair makes the global model better for its group without making any earlier group
worse. Teams are credited with the improvement their accepted pairs bring.
"""
RULES = """\
- A submission is a group (written like `age >= 60 and sex == "Female"`) and a model file
  (scikit-learn saved with `skops`).
- It is checked on a hidden holdout. It is accepted when the group holds at least 1% of the
  holdout and the global model's error falls by at least 0.1 percentage points, with a margin of
  one standard error.
- You see only the decision's category; accepted pairs show their gain rounded down to 0.1 points.
- Five submissions per team per day; 100 in total.
"""
TERMS = """\
You may use the public training data only for this competition. Do not try to identify people in
the data. Submissions are public once decided: your group description and your team's credit
appear on the leaderboard.
"""


class Command(BaseCommand):
    help = "Create the demo competition, users and a few decided submissions (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--offline", action="store_true", help="Do not download; use synthetic data.")
        shown = parser.add_mutually_exclusive_group()
        shown.add_argument("--no-logins", action="store_true", help="Seed without printing the logins.")
        shown.add_argument(
            "--logins-only", action="store_true", help="Only print the logins (and where the mail goes)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        credentials = _credentials(data_dir() / "demo_credentials.json")
        if options["logins_only"]:
            self._logins(credentials)
            return
        if Competition.objects.filter(slug=SLUG).exists():
            self.stdout.write("The demo competition exists already.")
        else:
            self._seed(credentials, offline=bool(options["offline"]))
        organizer = User.objects.filter(username=credentials["organizer"][0]).first()
        if organizer is not None:  # may create competitions too (also in a demo seeded before this)
            organizer_grant(user=organizer)
        if not options["no_logins"]:
            self._logins(credentials)

    def _logins(self, credentials: dict[str, tuple[str, str]]) -> None:
        self.stdout.write("Demo logins (user / password):")
        for role, (name, password) in credentials.items():
            self.stdout.write(f"  {role:<12} {name} / {password}")
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            self.stdout.write(
                f"Emails the site sends are files in {settings.EMAIL_FILE_PATH}/ (none is sent)."
            )

    def _seed(self, credentials: dict[str, tuple[str, str]], *, offline: bool) -> None:
        frame, source = load_demo_frame(data_dir() / "cache" / "adult", allow_download=not offline)
        self.stdout.write(f"Data: {source} ({len(frame):,} rows)")
        schema = adult_schema(frame)
        train, holdout, confirmation = split_frame(frame, seed=0)
        _, base_bytes = train_base_model(train, schema)
        users = {role: _user(name, password) for role, (name, password) in credentials.items()}
        now = timezone.now()
        competition = competition_create(
            slug=SLUG,
            title="Adult income: who does the model fail?",
            description=DESCRIPTION + f"\n\n*Data: {source}.*",
            rules=RULES,
            terms_text=TERMS,
            schema=schema,
            loss="zero_one",
            alpha=0.001,
            mu_min=0.01,
            z=1.0,
            # 12,210 holdout rows: k = 5 makes the published step 0.001, alpha itself, so every
            # accepted gain shows on the leaderboard (k = 10 would publish gains under 0.002 as 0).
            publish_k=5,
            opens_at=now - timedelta(days=1),
            closes_at=now + timedelta(days=90),
            splits={"train": train, "holdout": holdout, "confirmation": confirmation},
            base_model=base_bytes,
            base_model_description="A decision tree of depth 4 on one-hot encoded census answers.",
            organizers=[users["organizer"]],
            status=Competition.Status.OPEN,
            actor=users["organizer"],
        )
        self.stdout.write(
            f"Created {competition.title!r}; base holdout error {competition.base_holdout_loss:.4f}"
        )
        program_set(  # before the examples are decided, so their awards are in the ledger
            competition=competition,
            actor=users["organizer"],
            currency="USD",
            pool="10000.00",
            update_rate="100.00",
            update_floor="25.00",
            update_cap="1000.00",
            tiers=[
                {"name": "Moderate", "min_gap": "0.05", "amount": "100.00"},
                {"name": "Severe", "min_gap": "0.15", "amount": "300.00"},
            ],
            payout_date=(now + timedelta(days=100)).date(),
            scope="The demo model's decisions on the Adult census table.",
            disclosure="This is a demo: publish anything, at any time.",
        )
        self._decide_examples(competition, train, schema, users)

    def _decide_examples(
        self, competition: Competition, train: Any, schema: Any, users: dict[str, User]
    ) -> None:
        teams = {"alice": "Married Minds", "bob": "Tiny Tables"}
        for role, team_name in teams.items():
            with transaction.atomic():
                terms_accept(
                    competition=competition, user=users[role], terms_version=competition.terms_version
                )
                if not Membership.objects.filter(competition=competition, user=users[role]).exists():
                    team_create(competition=competition, name=team_name, user=users[role])
        authors = {"accepted": "alice", "insufficient_improvement": "bob", "group_too_small": "bob"}
        for pair in example_pairs(train, schema):
            submission = submission_create(
                competition=competition,
                user=users[authors.get(pair.expected, "bob")],
                group_text=groups.to_text(pair.group),
                model_file=ContentFile(pair.model, name=f"{pair.name}.skops"),
            )
            submission_score(submission_id=submission.pk)
            submission.refresh_from_db()
            self.stdout.write(f"  {pair.name}: {submission.status} ({submission.reason})")


def _credentials(path: Path) -> dict[str, tuple[str, str]]:
    """Demo passwords: generated once per data directory and kept there (mode 600)."""
    if path.exists():
        data = json.loads(path.read_text())
        return {role: (v[0], v[1]) for role, v in data.items()}
    data = {
        role: (name, secrets.token_urlsafe(9))
        for role, name in (("organizer", "organizer"), ("alice", "alice"), ("bob", "bob"))
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    return data


def _user(name: str, password: str) -> User:
    existing = User.objects.filter(username=name).first()
    return existing or user_create(
        username=name, email=f"{name}@example.org", password=password, needs_confirmation=False
    )
