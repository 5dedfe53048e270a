"""Shared fixtures: small deterministic tables the adapter tests run on."""

from __future__ import annotations

import pyarrow as pa
import pytest


def make_small_table(rows: int = 50) -> pa.Table:
    """Types every format can hold, with nulls in the float column."""
    ids = list(range(rows))
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "x": pa.array([None if i % 7 == 3 else i * 0.5 for i in ids], pa.float64()),
            "name": pa.array([f"name-{i:03d}" for i in ids], pa.string()),
            "category": pa.array(["abc"[i % 3] for i in ids], pa.string()),
            "flag": pa.array([i % 2 == 0 for i in ids], pa.bool_()),
        }
    )


@pytest.fixture
def small_table() -> pa.Table:
    return make_small_table()
