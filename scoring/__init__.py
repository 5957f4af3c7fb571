"""The bias-bounty scoring engine: pure numpy / pandas / scikit-learn, no Django.

Subpackages:
- ``groups``: the subgroup language (JSON tree, text form, rendering, vectorised evaluation).
- ``pdl``: the pointer decision list: versions, cached split state, persistence, prediction, rollback.
- ``engine``: the facade the platform calls: a competition's store, evaluating and committing pairs.
- ``formats``: the registry of model formats, one module per format (sniff, load, parity, warm-up, export).
- ``safe_load``: loading untrusted model files without executing them.
- ``sandbox``: running untrusted models in a locked-down child process (its modules: see the package).
- ``explore``: slice discovery: where a model does badly, by level, by pair of levels, top slices.

Modules:
- ``schema``: a competition's schema: feature columns, the target, the task, report attributes.
- ``frames``: a split's feature frame on disk, in a form a sandboxed child can memory-map.
- ``losses``: per-row losses scaled to [0, 1].
- ``check``: the bounty check of a (group, model) pair against the current global model.
- ``errors``: the engine's one error type and the fixed set of decision reasons.
- ``publish``: the published step, so that no public figure pins the holdout's error count.
- ``preflight``: what a holdout of n rows detects and how many lucky accepts a budget buys.
- ``spread``: how much real fixes' per-row gains spread on an organizer's data.
- ``report``: disaggregated reports on every group of every attribute.
- ``bins``: a column's levels a person can read (categories, round-number bins, missing).
- ``fitting``: fitting a model for a group from a short menu, with its check estimated on held-out rows.
- ``bundle``: a deployable export of one model version and its loader.
- ``export``: turning a fitted model into an upload the platform takes.
- ``jsonlimits``: how deeply a JSON text nests, found without parsing it.
"""

from scoring.errors import EngineError, Reason

__all__ = ["EngineError", "Reason"]
