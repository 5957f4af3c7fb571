"""The engine's facade for the platform: a competition's directory, evaluating and committing pairs."""

from scoring.check import Decision, Figures, Rules, public_gain
from scoring.engine.create import create_store
from scoring.engine.evaluation import HIDDEN_SPLITS, SPLITS, Evaluation
from scoring.engine.landscape import holdout_landscape, train_landscape
from scoring.engine.precheck import PRECHECK_ROWS, precheck
from scoring.engine.settings import Settings
from scoring.engine.shards import ShardResult, evaluate_sharded, shard_failure
from scoring.engine.store import (
    Store,
    VersionRecord,
    forget_store,
    open_store,
)

__all__ = [
    "HIDDEN_SPLITS",
    "PRECHECK_ROWS",
    "SPLITS",
    "Decision",
    "Evaluation",
    "Figures",
    "Rules",
    "Settings",
    "ShardResult",
    "Store",
    "VersionRecord",
    "create_store",
    "evaluate_sharded",
    "forget_store",
    "holdout_landscape",
    "open_store",
    "precheck",
    "public_gain",
    "shard_failure",
    "train_landscape",
]
