"""Slice discovery: where a model does badly, found on rows and per-row losses (public rows for
participants, the holdout for organizers only).

- ``counts``: rows and loss of every level of every column and of every pair of levels (exact counts).
- ``slices``: the stated scoring function (SliceLine's) and the top slices under it.
- ``landscape``: ``explore``, the whole answer as plain JSON data: tables by level and by pair of
  levels, and the top slices in the group language and in plain words with their figures.
"""

from scoring.explore.landscape import explore
from scoring.explore.slices import Scoring

__all__ = ["Scoring", "explore"]
