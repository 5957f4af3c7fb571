"""Template filter ``can_organize``: whether a user may create competitions (the wizard)."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser, User

from bounty.selectors.organizers import can_organize as _can_organize

register = template.Library()


@register.filter(name="can_organize")
def can_organize(user: User | AnonymousUser) -> bool:
    return _can_organize(user)
