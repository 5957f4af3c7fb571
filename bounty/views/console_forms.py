"""Forms of the organizer pages. Every action asks why: the reason goes into the audit log."""

from __future__ import annotations

from typing import Any

from django import forms

from bounty.models import Team

REASON_HELP = "Kept in the audit log with your name and the time."


def _reason(label: str = "Reason") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=2000, help_text=REASON_HELP, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    note = _reason("Note")


class ReasonForm(forms.Form):
    reason = _reason()


class RollbackForm(forms.Form):
    version = forms.TypedChoiceField(label="Roll back to version", coerce=int)
    reason = _reason()

    def __init__(self, *args: Any, head: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [(v, f"v{v}") for v in range(head - 1, -1, -1)]  # type: ignore[attr-defined]


class DisqualifyForm(forms.Form):
    team = forms.TypedChoiceField(label="Team", coerce=int)
    reason = _reason()

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]  # type: ignore[attr-defined]


class ManualApprovalForm(forms.Form):
    enabled = forms.BooleanField(label="Hold accepted pairs for my approval", required=False)
    reason = _reason()
