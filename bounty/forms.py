"""Input parsing for the HTML pages. Forms check shape only; services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from scoring.groups import MAX_TEXT


class SignupForm(forms.Form):
    username = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="We send a link to confirm it before you can join a team or submit.")
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class TeamCreateForm(forms.Form):
    name = forms.CharField(max_length=80, label="Team name")


class TeamJoinForm(forms.Form):
    invite_code = forms.CharField(max_length=32, label="Invite code")


class TermsForm(forms.Form):
    terms_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    accept = forms.BooleanField(label="I have read and accept these terms")


class SubmissionForm(forms.Form):
    group_text = forms.CharField(
        label="Group",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text='For example: age >= 60 and sex == "Female"',
    )
    group_model_file = forms.FileField(
        label="…or a group model file", required=False, help_text="Optional, instead of text."
    )
    model_file = forms.FileField(label="Model file")
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: a note for your team on what this pair tries (at most 500 characters).",
    )


def _model_choices() -> list[tuple[str, str]]:
    from scoring.fitting import FAMILIES

    return [
        (f"{name}:{choice}", f"{family.title}: {family.setting} {choice}")
        for name, family in FAMILIES.items()
        for choice in family.choices
    ]


class FitForm(forms.Form):
    group_text = forms.CharField(
        label="Group",
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text='The rows to fit on, for example: age >= 60 and sex == "Female"',
    )
    model = forms.ChoiceField(
        label="Model",
        choices=_model_choices,
        initial="gradient_boosting:medium",
        help_text="Gradient boosting is usually strongest; a shallow tree or a strongly regularized "
        "regression is the safest on a small group.",
    )
