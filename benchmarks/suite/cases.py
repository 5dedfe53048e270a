"""Expand a RunConfig into benchmark cases: datasets x rows x adapters x codecs x operations.

Both the runner (to count cases, validate names and resume) and the pytest suite (to
parametrize) call ``build_cases``, so the two always agree on what a run contains.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

import formats
from benchmarks.errors import UsageError
from benchmarks.suite.config import MULTIFILE_OPS, STREAM_OPS, TABLE_OPS, RunConfig
from benchmarks.suite.table_cases import table_params
from formats.base import FormatAdapter
from formats.registry import UnknownFormat, unknown_message


@dataclass(frozen=True)
class Case:
    """One benchmark: an operation on one dataset through one adapter and codec."""

    dataset: str  # a dataset spec ("mixed", "tpch-lineitem:0.1") or "file:PATH"
    rows: int | None
    adapter: str
    codec: str
    op: str
    params: tuple[tuple[str, Any], ...] = ()
    skip: str | None = None
    options: tuple[tuple[str, Any], ...] = ()  # layout knobs set by the run (--option)
    threads: int | None = None  # engine thread pools (--threads); None: their defaults
    latency_ms: float | None = None  # per storage request (--storage-latency); None: not set
    files: int | None = None  # a directory of this many files (--files); None: one file
    partition_by: str | None = None  # hive partitions on this column (--partition-by)

    @property
    def id(self) -> str:
        """Stable, readable identity, used as the pytest id and to match cases on resume.

        Knobs, files, partitions, threads and latency appear only when the run set them,
        so ids of plain runs never change:
        ``mixed@1000/parquet-pyarrow{row_group_size=16384,files=16,threads=1}/snappy/read``,
        ``.../lance{latency=20ms}/default/take[k=1,pattern=uniform]``.
        """
        rows = "default" if self.rows is None else str(self.rows)
        args = ",".join(f"{k}={v}" for k, v in self.params)
        op = f"{self.op}[{args}]" if args else self.op
        layout = [("files", self.files), ("partition_by", self.partition_by)]
        knobs = [*self.options, *[(k, v) for k, v in layout if v is not None]]
        knobs += [("threads", self.threads)] if self.threads else []
        if self.latency_ms is not None:
            knobs.append(("latency", f"{self.latency_ms:g}ms"))
        tuned = "{" + ",".join(f"{k}={v}" for k, v in knobs) + "}" if knobs else ""
        return f"{self.dataset}@{rows}/{self.adapter}{tuned}/{self.codec}/{op}"

    @property
    def param(self) -> dict[str, Any]:
        """Operation parameters as a dict."""
        return dict(self.params)


def case_info(case: Case) -> dict[str, Any]:
    """The contract keys a case has even when it never ran."""
    a = formats.registry[case.adapter]
    info = {
        "dataset": dataset_name(case.dataset),
        "dataset_spec": case.dataset,  # the name alone drops the scale factor
        "rows": case.rows,
        "rows_requested": case.rows,
        "adapter": case.adapter,
        "format": a.format,
        "engine": a.engine,
        "orientation": a.orientation,
        "encoding": a.encoding,
        "arrow_handover": a.arrow_handover,
        "codec": case.codec,
        "operation": case.op,
        "case_id": case.id,
        "options": a.resolve_options(dict(case.options)),
        "threads": case.threads or default_threads(),
    }
    if case.files is not None:
        info["files"] = case.files
    if case.partition_by is not None:
        info["partition_by"] = case.partition_by
    info.update(case.param)
    return info


def default_threads() -> int:
    """The thread count engines use when the run sets none: the machine's cores."""
    return pa.cpu_count()


def dataset_name(spec: str) -> str:
    """The name results use for a dataset spec: ``tpch-lineitem:0.1`` -> ``tpch-lineitem``."""
    from pathlib import Path

    if spec.startswith("file:"):
        return Path(spec.removeprefix("file:")).stem
    return spec.split(":", 1)[0]


def select_adapters(names: list[str] | None) -> list[FormatAdapter]:
    """Adapters by name (UsageError with a did-you-mean for unknown ones); None: the default
    run's (``in_default_run``); ``["all"]``: every registered adapter."""
    if names is None:
        return [a for a in formats.adapters() if a.in_default_run]
    if names == ["all"]:
        return formats.adapters()
    try:
        return [formats.get(n) for n in names]
    except UnknownFormat as exc:
        raise UsageError(str(exc)) from None


def codecs_for(adapter: FormatAdapter, wanted: list[str] | None) -> list[tuple[str, str | None]]:
    """(codec, skip reason) pairs for an adapter: its default, all, or the requested ones."""
    offered = adapter.available_codecs()
    if wanted is None:
        return [(offered[0], None)]
    if wanted == ["all"]:
        return [(c, None) for c in offered]
    return [
        (c, None if c in offered else f"{adapter.name} does not offer codec {c}") for c in wanted
    ]


def check_codecs(wanted: list[str] | None, adapters: list[FormatAdapter]) -> None:
    """A codec no chosen adapter offers is a typo, not a skip: refuse it before any work."""
    if wanted is None or wanted == ["all"]:
        return
    known = sorted({c for a in adapters for c in a.codecs})
    for codec in wanted:
        if codec not in known:
            raise UsageError(unknown_message("codec", codec, known))


def _is_numeric(t: pa.DataType) -> bool:
    return pat.is_integer(t) or pat.is_floating(t)


def default_columns(schema: pa.Schema) -> list[str]:
    """read_column's targets: the first numeric and the first string column."""
    picks = [
        next((f.name for f in schema if _is_numeric(f.type)), None),
        next(
            (f.name for f in schema if pat.is_string(f.type) or pat.is_large_string(f.type)), None
        ),
    ]
    return [p for p in picks if p is not None] or [schema.names[0]]


def _op_params(op: str, cfg: RunConfig, schema: pa.Schema) -> Iterator[tuple[tuple[str, Any], ...]]:
    if op == "read_column":
        for column in cfg.columns or default_columns(schema):
            if column not in schema.names:
                raise UsageError(f"--columns: no column '{column}'; the dataset has {schema.names}")
            yield (("column", column),)
    elif op == "take":
        for pattern in cfg.patterns:
            for k in cfg.k:
                yield (("k", k), ("pattern", pattern))
    elif op == "scan":
        for role in ("sorted", "unsorted"):
            for s in cfg.selectivity:
                yield (("filter", role), ("selectivity", s))
        yield (("filter", "stratum"),)
        if cfg.partition_by is not None:  # a predicate the partitions can prune on
            yield (("filter", "partition"),)
    elif op == "stream":
        for b in cfg.batch_sizes:
            yield (("batch_size", b),)
    elif op == "iterate":
        for access in ("rows", "columns", "dataframe-rows", "dataframe-columns"):
            yield (("access", access),)
    else:
        yield ()


def option_grid(adapter: FormatAdapter, swept: dict[str, list[Any]]) -> list[tuple]:
    """The cross product of the swept options this adapter declares; [()] when none do.

    Values from the command line are strings, parsed by the adapter's own Option, so
    ``row_group_size=16384`` is an int for Parquet; a bad value names adapter and option.
    """
    grid: list[tuple] = [()]
    for name, values in swept.items():
        spec = adapter.option_specs.get(name)
        if spec is None:
            continue
        parsed = [_option_value(adapter, name, spec, v) for v in values]
        grid = [(*g, (name, v)) for g in grid for v in parsed]
    return grid


def _option_value(adapter: FormatAdapter, name: str, spec: Any, value: Any) -> Any:
    try:
        value = spec.parse(value) if isinstance(value, str) else value
        return spec.check(value)
    except ValueError as exc:
        raise UsageError(
            f"--option {name}={value}: {exc} for {adapter.name}; allowed: {spec.allowed()}"
        ) from None


def check_options(swept: dict[str, list[Any]], adapters: list[FormatAdapter]) -> None:
    """An option no chosen adapter declares is a typo, not a skip: refuse it before work."""
    known = sorted({n for a in adapters for n in a.option_specs})
    for name in swept:
        if name not in known:
            names = ", ".join(a.name for a in adapters)
            raise UsageError(
                f"--option {name}: none of the chosen adapters ({names}) has it; "
                f"their options: {', '.join(known) or 'none'} (see fmtbench formats --json)"
            )


def cases_for_dataset(
    cfg: RunConfig,
    spec: str,
    rows: int | None,
    schema: pa.Schema,
    adapters: list[FormatAdapter],
    n_rows: int | None = None,
) -> Iterator[Case]:
    """Every case for one loaded dataset, skipped ones included with their reason.

    Threads is the outer loop: each thread count runs in its own worker process (polars
    fixes its pool at import), so its cases must come together. Latency is the inner
    one: a case at 0 and at 20 ms run back to back on the same prepared file.
    """
    latencies = cfg.storage_latency_ms or [None]
    for threads in cfg.threads:
        for adapter in adapters:
            status = adapter.available()
            remote_skip = storage_skip(adapter, cfg.storage)
            for options in option_grid(adapter, cfg.options):
                for files in cfg.files:
                    for codec, codec_skip in codecs_for(adapter, cfg.codecs):
                        for op in cfg.ops:
                            for params, op_skip in _params_and_skips(op, cfg, schema, adapter):
                                skip = (None if status.ok else status.reason) or codec_skip
                                skip = skip or op_skip or remote_skip
                                skip = skip or _stream_skip(cfg, adapter, op)
                                skip = skip or multifile_skip(cfg, adapter, op, codec, files)
                                skip = skip or take_skip(op, dict(params), n_rows)
                                for ms in latencies:
                                    yield Case(
                                        spec, rows, adapter.name, codec, op, params, skip,
                                        options, threads, ms, files, cfg.partition_by,
                                    )  # fmt: skip


def take_skip(op: str, params: dict[str, Any], n_rows: int | None) -> str | None:
    """A take of more rows than the dataset holds is skipped, not clamped: its case id says
    k rows, and a clamped k would time a different (whole-table) lookup under that name."""
    k = params.get("k")
    if op != "take" or n_rows is None or k is None or k <= n_rows:
        return None
    return f"take k={k}: more than the dataset's {n_rows:,} rows; pass --k {n_rows} or less"


def multifile_skip(
    cfg: RunConfig, adapter: FormatAdapter, op: str, codec: str, files: int | None
) -> str | None:
    """Why a --files/--partition-by case cannot run: no dataset writer, or an op it lacks."""
    if files is None and cfg.partition_by is None:
        return None
    from formats.multifile import refusal

    why = refusal(adapter, codec, cfg.partition_by)
    if why:
        return why
    if op not in MULTIFILE_OPS:
        return f"{op} is not measured on a multi-file dataset; it runs {', '.join(MULTIFILE_OPS)}"
    if op == "take" and cfg.partition_by is not None:
        return "take on hive partitions: rows are regrouped by partition, so positions differ"
    return None


def check_partition_by(cfg: RunConfig, spec: str, rows: int | None, schema: pa.Schema) -> None:
    """A --partition-by column the dataset lacks, or one with too many values, is refused."""
    column = cfg.partition_by
    if column is None:
        return
    if column not in schema.names:
        raise UsageError(
            f"--partition-by {column}: {dataset_name(spec)} has no column '{column}'; "
            f"its columns: {', '.join(schema.names)}"
        )
    from benchmarks.suite import data
    from formats.multifile import MAX_PARTITIONS

    values = data.load(cfg, spec, rows).table.column(column)
    if pat.is_nested(values.type):
        raise UsageError(f"--partition-by {column}: a {values.type} column cannot name folders")
    distinct = pc.count_distinct(values, mode="all").as_py()
    if distinct > MAX_PARTITIONS:
        raise UsageError(
            f"--partition-by {column}: {distinct:,} distinct values would make as many "
            f"folders (pyarrow writes at most {MAX_PARTITIONS}); choose a column with fewer"
        )


def _stream_skip(cfg: RunConfig, adapter: FormatAdapter, op: str) -> str | None:
    """Why a --stream run cannot run this case: an op that needs a table, or no stream writer."""
    if not cfg.stream:
        return None
    if cfg.storage != "local":  # write_batches and the staged source are local files
        return "--stream runs on local storage only"
    if op not in STREAM_OPS:
        return f"{op} needs the whole table; --stream runs {', '.join(STREAM_OPS)}"
    if not adapter.writes_incrementally():
        return f"{adapter.name} cannot write incrementally"
    return None


def _params_and_skips(
    op: str, cfg: RunConfig, schema: pa.Schema, adapter: FormatAdapter
) -> Iterator[tuple[tuple[tuple[str, Any], ...], str | None]]:
    """(params, skip reason) per case of ``op``; append has one case per batch size and mode."""
    if op in TABLE_OPS:
        yield from table_params(op, cfg, adapter)
        return
    if op == "epoch":
        from benchmarks.suite.epoch_cases import epoch_params

        yield from epoch_params(cfg, adapter)
        return
    if op != "append":
        yield from ((params, None) for params in _op_params(op, cfg, schema))
        return
    for b in cfg.batch_rows:
        if not adapter.append_modes:
            yield (("batch_rows", b),), f"{adapter.name} cannot append: {adapter.append_refusal}"
        for mode in adapter.append_modes:
            yield (("batch_rows", b), ("append_mode", mode)), None


def storage_skip(adapter: FormatAdapter, storage: str) -> str | None:
    """Why an adapter cannot run on this storage (it declares no object-store client)."""
    if storage == "local" or adapter.remote_access:
        return None
    why = adapter.remote_refusal or "its adapter has no object-storage client wired"
    return f"{adapter.name} cannot reach object storage here: {why}"


def dataset_specs(cfg: RunConfig) -> list[str]:
    """Built-in dataset specs plus ``file:PATH`` for each user file."""
    return list(cfg.datasets) + [f"file:{p}" for p in cfg.data]


def dataset_schema(cfg: RunConfig, spec: str, rows: int | None) -> pa.Schema:
    """The schema of a run's dataset; a whole table is refused first if it cannot fit."""
    from benchmarks.suite import data

    if cfg.stream:
        return data.source(cfg, spec, rows).schema
    data.check_fits(cfg, spec, rows)  # before load allocates anything
    return data.load(cfg, spec, rows).table.schema


def _row_count(cfg: RunConfig, spec: str, rows: int | None) -> int | None:
    """The dataset's rows (already loaded for its schema); None for --stream runs."""
    if cfg.stream:
        return None
    from benchmarks.suite import data

    return data.load(cfg, spec, rows).table.num_rows


def build_cases(cfg: RunConfig) -> list[Case]:
    """All cases of a run, in execution order; raises UsageError for bad names first."""
    cfg.validate()
    adapters = select_adapters(cfg.formats)
    check_codecs(cfg.codecs, adapters)
    check_options(cfg.options, adapters)
    cases: list[Case] = []
    for spec in dataset_specs(cfg):
        for rows in cfg.rows:
            schema = dataset_schema(cfg, spec, rows)
            check_partition_by(cfg, spec, rows, schema)
            n = _row_count(cfg, spec, rows)
            if "epoch" in cfg.ops and n is not None:  # batch, buffer within rows; columns held
                from benchmarks.suite.epoch_cases import check_dataset

                check_dataset(cfg, n, schema, adapters)
            cases.extend(cases_for_dataset(cfg, spec, rows, schema, adapters, n))
    if cfg.only is not None:
        wanted = set(cfg.only)
        cases = [c for c in cases if c.id in wanted]
    return cases
