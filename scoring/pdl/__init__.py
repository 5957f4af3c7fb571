"""The pointer decision list: versions, cached split state, persistence and prediction."""

from scoring.pdl.cache import RowPatch, SplitCache
from scoring.pdl.decision_list import DecisionList, Node, NodeKind
from scoring.pdl.ledger import GroupEntry, GroupSpec, Ledger
from scoring.pdl.persist import extend, load, save

__all__ = [
    "DecisionList",
    "GroupEntry",
    "GroupSpec",
    "Ledger",
    "Node",
    "NodeKind",
    "RowPatch",
    "SplitCache",
    "extend",
    "load",
    "save",
]
