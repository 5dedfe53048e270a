"""The registry of operations: each declares, in one ``OperationSpec``, its builders (one
file, a multi-file dataset, a stream of batches), whether it runs on a Dask cluster, and
the recommendation metrics it feeds; ``build_operation`` picks the builder for a case.

Adding an operation = a module with its builders + one ``register(OperationSpec(...))``
line below (docs/ARCHITECTURE.md "Add an operation"). Still outside this registry (left
for a later step, see the closing note of issue 22): the parameter grid
(cases._op_params) and the op-name tuples in config.py, which config must know before any
operation module is imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.datasets.stream import StreamSource
from benchmarks.suite import append, epoch, multifile, ops, stream_ops, table_ops
from benchmarks.suite.config import TABLE_OPS
from benchmarks.suite.ops import CaseEnv, Operation

Builder = Callable[[CaseEnv], Operation]


@dataclass(frozen=True)
class OperationSpec:
    """One operation: its name and where each of its variants is built."""

    name: str
    local: Builder  # one file, a whole table in memory
    multifile: Builder | None = None  # a directory of files (--files, --partition-by)
    streamed: Builder | None = None  # the dataset as record batches (--stream)
    cluster: bool = False  # runs on a Dask cluster (benchmarks/cluster/execute.py)
    metrics: tuple[str, ...] = ()  # benchmarks/analysis/recommend.METRICS it feeds


_registry: dict[str, OperationSpec] = {}


def register(spec: OperationSpec) -> OperationSpec:
    """Add ``spec`` under its name; a second spec of the same name is an error."""
    if spec.name in _registry and _registry[spec.name] != spec:
        raise ValueError(f"operation '{spec.name}' is already registered")
    _registry[spec.name] = spec
    return spec


def spec(name: str) -> OperationSpec:
    """The registered operation ``name`` (KeyError naming it when there is none)."""
    return _registry[name]


def names() -> list[str]:
    """Every registered operation, in registration order."""
    return list(_registry)


def cluster_ops() -> tuple[str, ...]:
    """The operations a --cluster run times on Dask workers."""
    return tuple(n for n, s in _registry.items() if s.cluster)


register(
    OperationSpec(
        "write",
        ops.op_write,
        multifile.mf_write,
        stream_ops.stream_write,
        cluster=True,
        metrics=("write", "file_bytes"),
    )
)
register(
    OperationSpec("read", ops.op_read, multifile.mf_read, cluster=True, metrics=("read", "memory"))
)
register(
    OperationSpec(
        "read_column",
        ops.op_read_column,
        multifile.mf_read_column,
        stream_ops.stream_read_column,
        cluster=True,
        metrics=("read_column",),
    )
)
register(
    OperationSpec(
        "take", ops.op_take, multifile.mf_take, metrics=("take_p50", "take_p99", "lookup_p50")
    )
)
register(OperationSpec("scan", ops.op_scan, multifile.mf_scan, cluster=True, metrics=("scan",)))
register(OperationSpec("stream", ops.op_stream))
register(OperationSpec("iterate", ops.op_iterate))
register(OperationSpec("read_stream", stream_ops.read_stream, streamed=stream_ops.read_stream))
register(OperationSpec("append", append.op_append, metrics=("append", "append_p99")))
register(OperationSpec("epoch", epoch.op_epoch, metrics=("samples_per_s", "time_to_first_batch")))
#: The table transactions' metrics beyond their median (one builder dispatches them all).
_TABLE_METRICS = {"commit": ("commit", "commit_p99")}
for _name in TABLE_OPS:
    _metrics = _TABLE_METRICS.get(_name, (_name,))
    register(OperationSpec(_name, table_ops.build_table_op, metrics=_metrics))


def build_operation(env: CaseEnv) -> Operation:
    """The Operation for a case: its multi-file, streamed or one-file variant."""
    found = spec(env.case.op)
    if multifile.is_multifile(env.case):
        if found.multifile is None:
            raise ValueError(f"{env.case.op} is not measured on a multi-file dataset")
        return found.multifile(env)
    if isinstance(env.dataset, StreamSource) and found.streamed is not None:
        return found.streamed(env)
    return found.local(env)
