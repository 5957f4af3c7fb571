"""The competition's decision lock: decisions and organizer actions on a competition's model happen
one at a time, in the order they take it."""

from __future__ import annotations

from django.db.models import F

from bounty.models import Competition


def competition_lock(competition_id: int) -> Competition:
    """Take the lock (call inside a transaction; it is held until the transaction ends) and return the
    competition's fresh row.

    The lock is a no-op update of the competition's row: the row lock it takes serializes every
    transaction that takes it, on PostgreSQL and SQLite alike (where it is the database's write lock).
    """
    Competition.objects.filter(pk=competition_id).update(head_version=F("head_version"))
    return Competition.objects.get(pk=competition_id)
