"""The bias-bounty scoring engine: pure numpy / pandas / scikit-learn, no Django.

Modules:
- ``schema``: columns, target, task and validation of data frames.
- ``groups``: the subgroup language (JSON tree and text form).
- ``losses``: per-row losses scaled to [0, 1].
- ``check``: the bounty check of a (group, model) pair.
- ``pdl``: the pointer decision list with cached split state.
- ``safe_load``: loading untrusted model files without executing them.
- ``sandbox``: running untrusted models in a locked-down child process.
"""

from scoring.errors import EngineError, Reason

__all__ = ["EngineError", "Reason"]
