"""``manage.py reap_stuck``: re-queue submissions stuck past the scoring lease (see the reaper)."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bounty.lifecycle import stuck_reap


class Command(BaseCommand):
    help = "Re-queue submissions stuck past the scoring lease; fail those out of attempts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--lease-seconds",
            type=int,
            default=None,
            help="How long a submission may sit before it counts as stuck (default: the setting).",
        )
        parser.add_argument(
            "--max-attempts", type=int, default=None, help="Claims before a stuck submission is failed."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["lease_seconds"]
        if seconds is not None and seconds < 0:
            raise CommandError("--lease-seconds must be at least 0")
        report = stuck_reap(
            lease=None if seconds is None else timedelta(seconds=seconds),
            max_attempts=options["max_attempts"],
        )
        self.stdout.write(json.dumps(report.as_dict()))
