"""``fmtbench run`` argument handling: argparse namespace -> RunConfig, run, summary."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.console import Console

from benchmarks.cli.console import note, out
from benchmarks.errors import UsageError
from benchmarks.suite.config import RunConfig

if TYPE_CHECKING:  # the runner imports pandas and pytest: seconds, paid only by a real run
    from benchmarks.run.runner import RunOptions

#: argparse dest -> RunConfig field, for the options that map one to one.
_FIELDS = {
    "datasets": "datasets", "data": "data", "formats": "formats", "codecs": "codecs",
    "ops": "ops", "rows": "rows", "rounds": "rounds",
    "case_budget": "case_budget", "processes": "processes", "cache": "cache", "columns": "columns",
    "sample": "sample", "seed": "seed", "data_dir": "data_dir", "workdir": "workdir",
    "k": "k", "patterns": "patterns", "selectivity": "selectivity", "batch_sizes": "batch_sizes",
    "stream": "stream",

    "batch_rows": "batch_rows",
    "change": "change", "commits": "commits", "versions_back": "versions_back",
    "price_gb_month": "price_gb_month", "price_get_1k": "price_get_1k",
    "price_put_1k": "price_put_1k",
    "threads": "threads",
    "files": "files", "partition_by": "partition_by",
    "batch_size": "batch_size", "shuffle": "shuffle", "loader_workers": "loader_workers",
    "decode": "decode", "order_from": "order_from",
}  # fmt: skip


def given_options(args: argparse.Namespace) -> dict[str, object]:
    """RunConfig field -> value for each option on the command line, repeats dropped."""
    given = {}
    for dest, name in _FIELDS.items():
        value = getattr(args, dest, None)
        if value is not None:
            given[name] = _unique(dest, value)
    return given


def _unique(dest: str, value: object) -> object:
    """A list without repeated items (a repeat would make two cases with one id)."""
    if not isinstance(value, list):
        return value
    kept = list(dict.fromkeys(value))
    if len(kept) < len(value):
        repeats = sorted({str(v) for v in value if value.count(v) > 1})
        flag = "--" + dest.replace("_", "-")
        note.print(f"note: {flag} lists {', '.join(repeats)} more than once; using each once")
    return kept


def config_from_args(args: argparse.Namespace) -> RunConfig:
    """A RunConfig with every option the user gave; --data alone means no built-in dataset."""
    cfg = RunConfig()
    for name, value in given_options(args).items():
        setattr(cfg, name, value)
    if args.data and not args.datasets:
        cfg.datasets = []
    if getattr(args, "column", None):  # --column NAME is never split: "a,b" stays one name
        cfg.columns = [*(cfg.columns or []), *args.column]
    cfg.options = _options(args.option or [])
    _remote_from_args(args, cfg)
    return cfg.validate()


def _options(pairs: list[tuple[str, list[str]]]) -> dict[str, list[str]]:
    """Repeated --option flags as one dict; the same name twice is a usage error."""
    swept: dict[str, list[str]] = {}
    for name, values in pairs:
        if name in swept:
            raise UsageError(f"--option {name} given twice; list its values once: {name}=A,B")
        swept[name] = values
    return swept


def _remote_from_args(args: argparse.Namespace, cfg: RunConfig) -> None:
    """--storage, --storage-option/-latency/-bandwidth, --cluster; secrets go to env only."""
    from benchmarks.storage import split_options

    if getattr(args, "storage", None) is not None:
        cfg.storage = args.storage
    if getattr(args, "storage_option", None):
        cfg.storage_options = split_options(args.storage_option)
    if getattr(args, "storage_latency", None) is not None:
        cfg.storage_latency_ms = _unique("storage_latency", args.storage_latency)
    if getattr(args, "storage_bandwidth", None) is not None:
        cfg.storage_bandwidth_mb_s = args.storage_bandwidth
    if getattr(args, "cluster", None) is not None:
        cfg.cluster = args.cluster


def options_from_args(args: argparse.Namespace) -> RunOptions:
    """How to run: output path, resume, timeouts, files, display."""
    from benchmarks.run.runner import RunOptions

    return RunOptions(
        out=args.out,
        resume=args.resume,
        force=args.force,
        case_timeout=args.case_timeout,
        keep_files=args.keep_files,
        progress=not args.quiet,
        isolate=args.isolate,
        resume_overrides=given_options(args) if args.resume else {},
    )


def refuse_oversized(cfg: RunConfig) -> None:
    """UsageError for a whole-table dataset that cannot fit in memory (none with --stream)."""
    from benchmarks.suite import data

    if cfg.stream:
        return
    for spec in [*cfg.datasets, *(f"file:{p}" for p in cfg.data)]:
        for rows in cfg.rows:
            data.check_fits(cfg, spec, rows)


def run_from_args(args: argparse.Namespace, console: Console) -> int:
    """Run, print the summary, write charts; exit 1 under --strict if a case failed."""
    cfg = RunConfig() if args.resume else config_from_args(args)
    if not args.resume:
        refuse_oversized(cfg)  # in a second or two: before pandas, pytest and the runner load
    from benchmarks.run.runner import run

    outcome = run(cfg, options_from_args(args))
    if not args.quiet:
        from benchmarks.analysis.summary import print_summary
        from benchmarks.run.results import tidy

        print_summary(
            tidy(outcome.data),
            outcome.failed,
            outcome.skipped,
            console,
            args.profile,
            args.allow_lossy,
            args.allow_unsafe,
            args.strict_types,
            args.min_shuffle,
        )
    if not args.no_charts:
        _charts(outcome.path, console)
    if outcome.kept is not None:
        console.print(f"benchmark files kept in {outcome.kept}", markup=False)
    console.print(f"results: {outcome.path}", markup=False)
    return 1 if args.strict and outcome.failed else 0


def _charts(path, console: Console) -> None:
    """Charts beside the results, when the plotting module is installed."""
    try:
        from benchmarks.analysis.plot import plot_results
    except ImportError:
        return

    try:
        written = plot_results(path)
    except UsageError:  # every case failed: the summary already lists why
        return
    console.print(f"charts: {len(written)} files in {written[0].parent if written else '-'}")


def cmd_run(args: argparse.Namespace) -> int:
    """Benchmark formats on datasets; writes results/NNNN_<datasets>.json and its charts.

    Example: fmtbench run --datasets mixed,logs --formats parquet-pyarrow,csv-pyarrow \
             --rows 10000,100000
    """
    return run_from_args(args, out)
