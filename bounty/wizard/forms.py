"""The wizard's forms (Django). Forms check shape only; ``bounty.services.wizard`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.fields import InvalidJSONInput

from bounty.wizard.prepare import SPLITS, SplitPlan
from bounty.wizard.schema_build import ColumnChoice, TargetChoice
from bounty.wizard.training import ALGORITHMS
from scoring.check import DEFAULT_BETA
from scoring.jsonlimits import depth_message, json_depth
from scoring.losses import LOSSES
from scoring.publish import DEFAULT_PUBLISH_K
from scoring.schema import Kind, Task

KIND_CHOICES = [(k.value, k.value) for k in Kind]
TASK_CHOICES = [("auto", "infer from the target's values")] + [(t.value, t.value) for t in Task]
ROLE_CHOICES = [("feature", "feature"), ("ignore", "ignore")]
COLUMN_KEYS = ("role", "kind", "nullable", "attribute", "categories")
MARKDOWN = "Markdown."
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BoundedJSONField(forms.JSONField):
    """JSON whose nesting is checked before it is parsed (never a ``RecursionError``)."""

    max_depth = 16

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and json_depth(value) > self.max_depth:
            depth = json_depth(value)
            raise forms.ValidationError(depth_message("The JSON", depth, self.max_depth), code="invalid")
        return super().to_python(value)

    def bound_data(self, data: Any, initial: Any) -> Any:
        if isinstance(data, str) and json_depth(data) > self.max_depth:
            return InvalidJSONInput(data)  # shown again as typed
        return super().bound_data(data, initial)


class StartForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=64, help_text="Part of the competition's address.")


class DataForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            ("three", "Three files: train, holdout, confirmation"),
            ("one", "One file, split here"),
        ],
        widget=forms.RadioSelect,
        initial="three",
    )
    train = forms.FileField(required=False, label="Train split")
    holdout = forms.FileField(required=False, label="Holdout split (hidden)")
    confirmation = forms.FileField(required=False, label="Confirmation split (hidden)")
    single = forms.FileField(required=False, label="One file with every row")
    train_share = forms.IntegerField(min_value=1, max_value=98, initial=50, label="Train %")
    holdout_share = forms.IntegerField(min_value=1, max_value=98, initial=25, label="Holdout %")
    confirmation_share = forms.IntegerField(min_value=1, max_value=98, initial=25, label="Confirmation %")
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, initial=0, label="Random seed")
    delimiter = forms.ChoiceField(
        choices=[("", "detect"), (",", "comma ,"), (";", "semicolon ;"), ("\t", "tab"), ("|", "bar |")],
        required=False,
        initial="",
        label="CSV delimiter",
    )

    def uploads(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["mode"] == "one":
            return {"data": data["single"]}
        return {name: data[name] for name in SPLITS}

    def plan(self) -> SplitPlan:
        data = self.cleaned_data
        if data["mode"] != "one":
            return SplitPlan("three")
        shares = (data["train_share"], data["holdout_share"], data["confirmation_share"])
        return SplitPlan("one", tuple(float(s) for s in shares), int(data["seed"]))  # type: ignore[arg-type]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == "one" and not data.get("single"):
            self.add_error("single", "Upload the file to split.")
        if data.get("mode") == "three":
            for name in ("train", "holdout", "confirmation"):
                if not data.get(name):
                    self.add_error(name, "Upload this split.")
        return data


class SchemaForm(forms.Form):
    """One row of fields per column (``c<i>_...``) plus the target's fields."""

    def __init__(self, *args: Any, columns: list[dict[str, Any]], target: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.column_names = [str(c["name"]) for c in columns]
        self.guessed = {str(c["name"]): tuple(c.get("categories") or ()) for c in columns}
        names = [(n, n) for n in self.column_names]
        self.fields["target"] = forms.ChoiceField(choices=names, initial=target)
        self.fields["task"] = forms.ChoiceField(choices=TASK_CHOICES, initial="auto")
        self.fields["classes"] = forms.CharField(
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="One class per line, in order (the second of two is the positive class). "
            "Leave blank to take them from the data.",
        )
        self.fields["target_low"] = forms.FloatField(required=False, label="Target range: low")
        self.fields["target_high"] = forms.FloatField(required=False, label="Target range: high")
        for i, column in enumerate(columns):
            self.fields[f"c{i}_role"] = forms.ChoiceField(choices=ROLE_CHOICES, initial=column["role"])
            self.fields[f"c{i}_kind"] = forms.ChoiceField(choices=KIND_CHOICES, initial=column["kind"])
            self.fields[f"c{i}_nullable"] = forms.BooleanField(required=False, initial=column["nullable"])
            self.fields[f"c{i}_attribute"] = forms.BooleanField(required=False, initial=column["attribute"])
            self.fields[f"c{i}_categories"] = forms.CharField(
                required=False,
                strip=False,
                initial="\n".join(column["categories"]),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[dict[str, Any]]:
        """The bound fields of each column, for the template's table."""
        return [
            {
                "name": name,
                **{key: self[f"c{i}_{key}"] for key in COLUMN_KEYS},
            }
            for i, name in enumerate(self.column_names)
        ]

    def column_choices(self) -> list[ColumnChoice]:
        data = self.cleaned_data
        return [
            ColumnChoice(
                name=name,
                role=data[f"c{i}_role"],
                kind=data[f"c{i}_kind"],
                nullable=bool(data[f"c{i}_nullable"]),
                attribute=bool(data[f"c{i}_attribute"]),
                categories=exact_lines(data[f"c{i}_categories"], self.guessed[name]),
            )
            for i, name in enumerate(self.column_names)
        ]

    def target_choice(self) -> TargetChoice:
        data = self.cleaned_data
        low, high = data.get("target_low"), data.get("target_high")
        target_range = (float(low), float(high)) if low is not None and high is not None else None
        return TargetChoice(data["target"], data["task"], exact_lines(data["classes"], ()), target_range)


class ModelForm(forms.Form):
    source = forms.ChoiceField(
        choices=[("train", "Train one here"), ("upload", "Upload a model file")],
        widget=forms.RadioSelect,
        initial="train",
    )
    algorithm = forms.ChoiceField(
        choices=[(a.key, a.title) for a in ALGORITHMS],
        initial="tree4",
        required=False,
        help_text="When training one here.",
    )
    model_file = forms.FileField(required=False, label="Model file (skops, or an ONNX upload)")
    description = forms.CharField(
        max_length=500,
        required=False,
        help_text="Shown on the data card. Blank: a standard sentence.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == "upload" and not data.get("model_file"):
            self.add_error("model_file", "Upload the model file.")
        if data.get("source") == "train" and not data.get("algorithm"):
            self.add_error("algorithm", "Choose what to train.")
        return data


class RulesForm(forms.Form):
    loss = forms.ChoiceField(choices=[])
    loss_params = BoundedJSONField(required=False, initial=dict, help_text='e.g. {"costs": [[0, 1], [5, 0]]}')
    alpha = forms.FloatField(min_value=1e-9, max_value=1.0, initial=0.01, label="alpha (minimum gain)")
    mu_min = forms.FloatField(
        min_value=1e-9, max_value=1.0, initial=0.01, label="mu_min (minimum group share)"
    )
    z = forms.FloatField(min_value=0.0, max_value=20.0, initial=0.0, label="z (standard errors of margin)")
    publish_k = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1_000_000,
        initial=DEFAULT_PUBLISH_K,
        label="k (published figures never pin the holdout's error count closer than ± k)",
        help_text="Holdout losses and gains are published rounded down to a step >= 2k / holdout rows.",
    )
    beta = forms.FloatField(
        required=False,
        min_value=1e-6,
        max_value=1.0,
        initial=DEFAULT_BETA,
        label="beta (a finding's smallest gap)",
        help_text="A finding (a group alone) is accepted when the model's loss on the group is above the "
        "rest's by beta plus z standard errors.",
    )
    daily_quota = forms.IntegerField(min_value=1, max_value=10_000, initial=5)
    total_quota = forms.IntegerField(min_value=1, max_value=1_000_000, initial=100)
    expected_teams = forms.IntegerField(
        min_value=1, max_value=100_000, initial=20, help_text="For the pre-flight check only."
    )
    opens_at = forms.DateTimeField(widget=DATETIME)
    closes_at = forms.DateTimeField(widget=DATETIME)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=MARKDOWN
    )
    rules = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=MARKDOWN)
    terms_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Terms", help_text=MARKDOWN)

    def __init__(self, *args: Any, task: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["loss"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(n, i.title) for n, i in LOSSES.items() if Task(task) in i.tasks]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", "The competition must close after it opens.")
        if data.get("loss_params") is not None and not isinstance(data.get("loss_params"), dict):
            self.add_error("loss_params", "Give a JSON object.")
        return data


def exact_lines(text: str | None, shown: tuple[str, ...]) -> tuple[str, ...]:
    """The categories typed, one a line. Unchanged from those shown (a browser may trim a line's
    spaces): () so the data's exact values are kept; otherwise the lines as typed."""
    lines = tuple(line.rstrip("\r") for line in (text or "").split("\n") if line.strip())
    if sorted(line.strip() for line in lines) == sorted(value.strip() for value in shown):
        return ()
    return lines


class ValuesForm(forms.Form):
    """One choice per problem the reader found (``p<i>``), defaulting to the organizer's last one."""

    def __init__(
        self, *args: Any, problems: list[dict[str, Any]], chosen: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.problems = problems
        for i, problem in enumerate(problems):
            options = [(key, f"{key}: {text}") for key, text in problem["choices"].items()]
            self.fields[f"p{i}"] = forms.ChoiceField(
                choices=options,
                widget=forms.RadioSelect,
                initial=chosen.get(problem["key"]),
                label=problem["message"],
            )

    def rows(self) -> list[dict[str, Any]]:
        return [{"problem": p, "field": self[f"p{i}"]} for i, p in enumerate(self.problems)]

    def choices(self) -> dict[str, str]:
        return {p["key"]: self.cleaned_data[f"p{i}"] for i, p in enumerate(self.problems)}


class ReviewForm(forms.Form):
    open = forms.BooleanField(
        required=False,
        label="Open it for submissions at once",
        help_text="Otherwise it is created as a draft that only organizers see, to open from its page.",
    )
