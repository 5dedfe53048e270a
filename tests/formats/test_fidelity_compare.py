"""The fidelity comparator tells apart what a user would call different values."""

from __future__ import annotations

import math

import pyarrow as pa

from formats.fidelity import compare_column


def _col(values: list) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(values, pa.float64())])


def test_negative_zero_is_not_zero():
    assert compare_column(_col([-0.0, 1.0]), _col([-0.0, 1.0]))[0] == "lossless"
    status, detail = compare_column(_col([-0.0, 1.0]), _col([0.0, 1.0]))
    assert status == "changed" and "-0.0 -> 0.0" in detail


def test_nan_is_not_null_and_nan_is_kept():
    assert compare_column(_col([math.nan]), _col([math.nan]))[0] == "lossless"
    status, detail = compare_column(_col([math.nan]), _col([None]))
    assert status == "changed" and "NaN -> null" in detail
    assert compare_column(_col([None]), _col([math.nan]))[0] == "changed"
