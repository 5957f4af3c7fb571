"""``manage.py make_organizer <username>``: let a user create competitions (the ``organizers`` group);
``--revoke`` takes the right away again. Run by whoever operates the site (see README, "Organizers")."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bounty.services.organizers import organizer_grant, organizer_revoke


class Command(BaseCommand):
    help = "Let a user create competitions (add them to the organizers group); --revoke to undo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The user name, as the user signed up with it.")
        parser.add_argument("--revoke", action="store_true", help="Take the organizer right away.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(options["username"])
        user = User.objects.filter(username__iexact=name).first()
        if user is None:
            raise CommandError(f"There is no user called {name!r}.")
        if options["revoke"]:
            changed = organizer_revoke(user=user)
            done = "is no longer an organizer" if changed else "was not an organizer"
        else:
            changed = organizer_grant(user=user)
            done = "is now an organizer" if changed else "was already an organizer"
        self.stdout.write(f"{user.username} {done}.")
