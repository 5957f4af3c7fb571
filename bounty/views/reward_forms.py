"""The forms of findings, earnings and the reward program (the services check everything again)."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from bounty.models import Membership, RewardProgram
from scoring.groups import MAX_TEXT

TIERS_HELP = (
    'One tier a line: name, smallest gap, amount. For example "Moderate, 0.05, 100" and "Severe, 0.2, 400". '
    "A finding's tier is the highest whose gap its published gap reaches."
)


class FindingForm(forms.Form):
    group_text = forms.CharField(
        label="Group",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text='The people the model fails, for example: age >= 60 and sex == "Female"',
    )
    description = forms.CharField(
        label="What you found (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SplitForm(forms.Form):
    """One weight per member of the team."""

    def __init__(self, *args: Any, members: list[Membership], weights: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for m in members:
            self.fields[f"w_{m.user.username}"] = forms.IntegerField(
                label=m.user.username, min_value=0, max_value=1000, initial=weights.get(m.user_id, 1)
            )

    def weights(self) -> dict[str, int]:
        return {name[2:]: int(value) for name, value in self.cleaned_data.items() if name.startswith("w_")}


def _tiers_text(tiers: list[dict[str, Any]]) -> str:
    return "\n".join(f"{t['name']}, {t['min_gap']:g}, {t['amount']}" for t in tiers)


def tiers_parse(text: str) -> list[dict[str, str]]:
    """The tiers as the service takes them, from one "name, gap, amount" line each (a JSON list too)."""
    text = text.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            raise forms.ValidationError("The tiers are not valid JSON.") from None
        return parsed if isinstance(parsed, list) else []
    tiers = []
    for number, line in enumerate(filter(None, (line.strip() for line in text.splitlines())), start=1):
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 3:
            raise forms.ValidationError(f"Line {number}: write name, smallest gap, amount.")
        tiers.append({"name": parts[0], "min_gap": parts[1], "amount": parts[2]})
    return tiers


class ProgramForm(forms.Form):
    currency = forms.CharField(max_length=3, initial="USD", help_text="Its 3-letter code: USD, EUR, GBP...")
    pool = forms.CharField(max_length=20, help_text="The most the program pays in all.")
    update_rate = forms.CharField(
        max_length=20,
        label="Per point of gain",
        help_text="Paid per percentage point of an update's public gain.",
    )
    update_floor = forms.CharField(max_length=20, label="Smallest update award", initial="0")
    update_cap = forms.CharField(max_length=20, label="Largest update award")
    tiers = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Finding tiers", help_text=TIERS_HELP
    )
    known_rewarded = forms.BooleanField(
        required=False, label="Reward findings that an Explore slice already lists"
    )
    payout_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    scope = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="Markdown.")
    disclosure = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Disclosure policy",
        help_text="Markdown: what a participant may publish, and when.",
    )

    def clean_tiers(self) -> list[dict[str, str]]:
        return tiers_parse(self.cleaned_data.get("tiers") or "")

    @classmethod
    def initial_of(cls, program: RewardProgram | None) -> dict[str, Any]:
        if program is None:
            return {}
        fields = (
            "currency",
            "pool",
            "update_rate",
            "update_floor",
            "update_cap",
            "known_rewarded",
            "payout_date",
        )
        initial = {name: getattr(program, name) for name in fields}
        return {
            **initial,
            "tiers": _tiers_text(program.tiers),
            "scope": program.scope,
            "disclosure": program.disclosure,
        }


class CorrectionForm(forms.Form):
    team = forms.ChoiceField(choices=[])
    amount = forms.CharField(max_length=20, help_text="Negative to take back, e.g. -50.00.")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(str(pk), name) for pk, name in teams]  # type: ignore[attr-defined]
