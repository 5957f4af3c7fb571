"""A fit without code for a competition runs in a child with limits: it fits, it is refused with the
menu's words, and it fails as a resource limit (not a crash of its worker) when memory runs out."""

from __future__ import annotations

import pytest

from benchmarks.census import SCHEMA
from scoring import groups
from scoring.check import Rules
from scoring.engine import Store
from scoring.engine.fit import fit_limited
from scoring.errors import EngineError, Reason
from scoring.formats import load_model
from tests.engine.test_engine_store import MARRIED, built, store, train  # noqa: F401 (fixtures)

pytestmark = pytest.mark.engine
RULES = Rules(alpha=0.002, mu_min=0.01)


def test_a_fit_runs_in_a_child_with_a_memory_limit(store: Store) -> None:  # noqa: F811
    tree = groups.parse_text(MARRIED, SCHEMA)
    model, estimate = fit_limited(store.directory, rules=RULES, tree=tree,
                                  family="decision_tree", choice="shallow")  # fmt: skip
    assert load_model(model) is not None and estimate["fit_rows"] > 0 and "gain" in estimate
    with pytest.raises(EngineError) as starved:
        fit_limited(store.directory, rules=RULES, tree=tree,
                    family="gradient_boosting", choice="large", memory_bytes=2**20)  # fmt: skip
    assert starved.value.reason is Reason.RESOURCE_LIMIT
    with pytest.raises(EngineError) as refused:
        fit_limited(store.directory, rules=RULES, tree=tree, family="svm", choice="")
    assert refused.value.reason is Reason.INVALID_MODEL and "choose one of" in refused.value.message
