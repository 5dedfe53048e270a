"""--files / --partition-by as an axis of the cases: ids, skips and refusals before work."""

from __future__ import annotations

import pytest

from benchmarks.errors import UsageError
from benchmarks.suite.cases import build_cases
from benchmarks.suite.config import RunConfig


def config(**kw) -> RunConfig:
    base = {"datasets": ["mixed"], "rows": [600], "rounds": 1, "selectivity": [0.1]}
    return RunConfig(**{**base, **kw})


def test_ids_gain_the_axis_only_when_set() -> None:
    plain = build_cases(config(formats=["parquet-pyarrow"], ops=["read"]))
    assert [c.id for c in plain] == ["mixed@600/parquet-pyarrow/snappy/read"]
    cases = build_cases(config(formats=["parquet-pyarrow"], ops=["read"], files=[1, 16]))
    assert [c.id for c in cases] == [
        "mixed@600/parquet-pyarrow{files=1}/snappy/read",
        "mixed@600/parquet-pyarrow{files=16}/snappy/read",
    ]
    hive = build_cases(config(formats=["parquet-pyarrow"], ops=["read"], partition_by="status"))
    assert [c.id for c in hive] == ["mixed@600/parquet-pyarrow{partition_by=status}/snappy/read"]


def test_skips_say_why() -> None:
    cases = build_cases(
        config(
            formats=["avro-fastavro", "lance", "parquet-pyarrow"],
            ops=["take", "scan", "stream"],
            partition_by="status",
            k=[10],
        )
    )
    skips = {(c.adapter, c.op): c.skip for c in cases}
    assert skips[("avro-fastavro", "scan")] == "avro-fastavro cannot write a multi-file dataset"
    assert skips[("lance", "scan")].startswith("Lance has no hive-style partitioning")
    assert skips[("parquet-pyarrow", "take")].startswith("take on hive partitions")
    assert skips[("parquet-pyarrow", "stream")].startswith("stream is not measured")
    scans = [c for c in cases if c.adapter == "parquet-pyarrow" and c.op == "scan"]
    assert all(c.skip is None for c in scans)
    assert ("filter", "partition") in [c.params[0] for c in scans]  # prunes on status


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (
            {"partition_by": "nope"},
            "--partition-by nope: mixed has no column 'nope'; its columns: id, created_at,",
        ),
        (
            {"partition_by": "id", "rows": [2000]},
            "--partition-by id: 2,000 distinct values would make as many folders",
        ),
        ({"files": [0]}, "--files must be positive, got 0"),
        ({"files": [4], "stream": True}, "--files writes from a whole table; drop --stream"),
        ({"partition_by": "status", "storage": "s3-local"}, "--partition-by runs on local"),
    ],
)
def test_bad_values_are_usage_errors(kw, message) -> None:
    with pytest.raises(UsageError) as err:
        build_cases(config(formats=["parquet-pyarrow"], ops=["read"], **kw))
    assert str(err.value).startswith(message), str(err.value)
