"""Headline metrics side by side for every value of one customer attribute.

The computation is the engine's own (`Engine.compare_segments`, shared by every engine): each
segment's numbers are the engine's metrics with that segment picked, so a segment's NRR here
equals the NRR the Overview shows with that segment chosen.  This module keeps the model-level
entry point and the names the Segments page reads.
"""

from __future__ import annotations

import pandas as pd

from retention.engine.base import LAST_PERIOD, SEGMENT_COLUMNS, SMALL_SEGMENT, WINDOW_AVERAGES
from retention.engine.membership import NO_VALUE, attribute_values, ordered_values
from retention.engine.query import Query
from retention.engine.results import SegmentTable
from retention.engine.snapshots import SnapshotModel

COLUMNS = SEGMENT_COLUMNS

__all__ = [
    "COLUMNS", "LAST_PERIOD", "NO_VALUE", "SMALL_SEGMENT", "WINDOW_AVERAGES", "attribute_values", "compare_segments",
    "ordered_values",
]


def compare_segments(
    model: SnapshotModel, customers: pd.DataFrame | None, attribute: str, query: Query = Query()
) -> SegmentTable:
    """One row per value of `attribute` for a model built by hand (see `Engine.compare_segments`)."""
    from retention.engine.numpy_engine import NumpyEngine

    return NumpyEngine.from_model(model, customers).compare_segments(query.but(as_of=model.as_of), attribute, small=SMALL_SEGMENT)
