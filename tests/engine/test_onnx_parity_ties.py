"""Label parity with probabilities as evidence: near-ties may flip under float32; nothing else may."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.errors import EngineError, Reason
from scoring.formats.onnx.parity import check_label_parity


def test_a_label_flipped_on_a_near_tie_is_tolerated() -> None:
    want_proba = np.array([[0.50000001, 0.49999999], [0.9, 0.1]])
    got_proba = want_proba + np.array([[-2e-8, 2e-8], [0.0, 0.0]])
    check_label_parity(np.array([1, 0]), np.array([0, 0]), got_proba, want_proba)


def test_a_label_flipped_away_from_a_tie_is_refused() -> None:
    proba = np.array([[0.5, 0.5], [0.8, 0.2]])
    with pytest.raises(EngineError) as err:
        check_label_parity(np.array([0, 1]), np.array([0, 0]), proba, proba)
    assert err.value.reason is Reason.INVALID_MODEL and "(1 of 2 rows)" in err.value.message


def test_probabilities_that_drift_are_refused_even_when_labels_agree() -> None:
    want = np.array([[0.7, 0.3], [0.6, 0.4]])
    got = np.array([[0.7, 0.3], [0.55, 0.45]])
    with pytest.raises(EngineError):
        check_label_parity(np.array([0, 0]), np.array([0, 0]), got, want)
