"""``check_locally`` gives exactly the figures the server's engine computes on the same rows."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from bounty_client.local import check_locally, error_by_group, read_train_csv
from sklearn.dummy import DummyClassifier

from scoring import groups
from scoring.check import Decision
from scoring.errors import EngineError, Reason
from scoring.losses import get_loss
from scoring.pdl import DecisionList
from tests.client.world import CLASSES, RULES, SCHEMA, WEAK_GROUP, codes, pipeline, world


def engine_decision(loss: str, base: np.ndarray, mask: np.ndarray, h_preds: np.ndarray) -> Decision:
    """The server's own path: a decision list holding these labels and base predictions."""
    w = world()
    dl = DecisionList(
        loss=get_loss(loss, SCHEMA), rules=RULES, labels={"holdout": w.labels}, base_preds={"holdout": base}
    )
    return dl.check(mask, h_preds)


def test_figures_equal_the_engine_decision_list_check_for_zero_one_loss() -> None:
    w = world()
    result = check_locally(w.csv, SCHEMA.to_json(), RULES, "zero_one", w.base_labels, WEAK_GROUP, w.h_bytes)
    frame = SCHEMA.coerce(w.train)
    mask = groups.evaluate(groups.parse_text(WEAK_GROUP, SCHEMA), frame, SCHEMA)
    expected = engine_decision("zero_one", w.base_labels, mask, codes(w.h.predict(frame[mask])))
    assert result.members == int(mask.sum()) and result.n_rows == len(w.train)
    for name, value in expected.figures.as_dict().items():
        assert getattr(result, name) == pytest.approx(value, abs=1e-12), name
    assert result.accepted == expected.accepted
    assert result.reason == expected.reason.value


def test_weak_group_fix_would_be_accepted_with_public_gain_rounded_down() -> None:
    w = world()
    result = check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, WEAK_GROUP, w.h_bytes)
    assert result.accepted and result.reason == "accepted"
    assert result.loss_h < result.loss_current
    assert result.gain == pytest.approx(result.mass * (result.loss_current - result.loss_h))
    assert 0 < result.public_gain <= result.gain
    assert result.public_gain / RULES.alpha == pytest.approx(round(result.public_gain / RULES.alpha))


def test_figures_equal_the_engine_for_a_probability_loss_and_a_json_tree() -> None:
    w = world()
    tree = {"col": "age", "op": ">=", "value": 30}
    result = check_locally(w.train, SCHEMA, RULES, "brier", w.base_proba, tree, w.h_bytes)
    frame = SCHEMA.coerce(w.train)
    mask = groups.evaluate(tree, frame, SCHEMA)
    expected = engine_decision("brier", w.base_proba, mask, w.h.predict_proba(frame[mask]))
    for name, value in expected.figures.as_dict().items():
        assert getattr(result, name) == pytest.approx(value, abs=1e-12), name
    assert result.reason == expected.reason.value


def test_group_given_by_a_classifier_uses_its_positive_class() -> None:
    w = world()
    frame = SCHEMA.coerce(w.train)
    member = (w.train["region"] == "NA").astype(int)
    group_model = pipeline(2).fit(frame, member)
    result = check_locally(
        w.csv, SCHEMA, RULES, "zero_one", w.base_labels, None, w.h_bytes, group_model=sio.dumps(group_model)
    )
    by_text = check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, WEAK_GROUP, w.h_bytes)
    assert result.members == int(member.sum())
    assert result.gain == pytest.approx(by_text.gain)


def test_rejects_group_below_minimum_mass() -> None:
    w = world()
    tiny = 'age >= 79 and region == "None"'
    result = check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, tiny, w.h_bytes)
    assert not result.accepted and result.reason == "group_too_small"
    assert result.mass < RULES.mu_min


def test_model_no_better_than_base_is_insufficient_improvement() -> None:
    w = world()
    result = check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, "all", sio.dumps(w.base))
    assert result.gain == 0.0 and result.reason == "insufficient_improvement"


def test_pickled_model_is_refused_like_on_the_server() -> None:
    w = world()
    data = pickle.dumps(DummyClassifier().fit([[0]], ["no"]))
    with pytest.raises(EngineError) as info:
        check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, WEAK_GROUP, data)
    assert info.value.reason is Reason.INVALID_MODEL


def test_invalid_group_text_is_refused() -> None:
    w = world()
    with pytest.raises(EngineError) as info:
        check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, "height > 3", w.h_bytes)
    assert info.value.reason is Reason.INVALID_GROUP


def test_model_predicting_unknown_classes_is_a_prediction_error() -> None:
    w = world()
    frame = SCHEMA.coerce(w.train)
    odd = DummyClassifier(strategy="constant", constant="maybe").fit(frame, ["maybe"] * len(frame))
    with pytest.raises(EngineError) as info:
        check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels, WEAK_GROUP, sio.dumps(odd))
    assert info.value.reason is Reason.PREDICTION_ERROR


def test_base_predictions_of_the_wrong_length_are_refused() -> None:
    w = world()
    with pytest.raises(ValueError, match="rows"):
        check_locally(w.csv, SCHEMA, RULES, "zero_one", w.base_labels[:-1], WEAK_GROUP, w.h_bytes)


def test_csv_reader_keeps_na_and_none_as_category_values() -> None:
    frame = read_train_csv(world().csv)
    assert set(frame["region"]) == {"NA", "None", "north", "south"}
    assert frame["age"].isna().sum() == world().train["age"].isna().sum()


def test_error_by_group_ranks_the_weak_group_first() -> None:
    w = world()
    table = error_by_group(w.train, SCHEMA, w.base_labels, "zero_one", "region")
    assert table.index[0] == "NA"
    assert table["rows"].sum() == len(w.train)
    errors = pd.Series(w.base_labels != w.labels).groupby(w.train["region"]).mean()
    assert table.loc["NA", "loss"] == pytest.approx(errors["NA"])
    assert SCHEMA.classes == CLASSES
