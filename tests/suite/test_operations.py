"""The operation registry agrees with every table still derived by hand from it."""

from __future__ import annotations

from benchmarks.analysis.charts.data import OP_ORDER
from benchmarks.analysis.recommend import METRICS
from benchmarks.suite import config, operations


def test_the_run_accepts_exactly_the_registered_operations():
    assert set(config.ALL_OPS) == set(operations.names())
    with_dir = [n for n in operations.names() if operations.spec(n).multifile is not None]
    assert tuple(with_dir) == config.MULTIFILE_OPS
    streamed = {n for n in operations.names() if operations.spec(n).streamed is not None}
    assert streamed | {"write", "read_column"} == set(config.STREAM_OPS)
    assert set(OP_ORDER) <= set(operations.names())


def test_each_metric_is_declared_by_the_operation_it_reads():
    for name, metric in METRICS.items():
        if metric.operation is not None:
            assert name in operations.spec(metric.operation).metrics, name


def test_a_second_operation_of_the_same_name_is_refused():
    import pytest

    clash = operations.OperationSpec("read", lambda env: None)
    with pytest.raises(ValueError, match="already registered"):
        operations.register(clash)
