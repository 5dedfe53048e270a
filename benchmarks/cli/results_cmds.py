"""Subcommands over results files: plot, report, compare (added as they land)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cmd_report(args: argparse.Namespace) -> int:
    """Write report.md and a self-contained report.html for a results file.

    Environment, tables per operation, charts, type fidelity, failures, and the
    recommended formats per workload profile (plus your own with --weights).
    Metrics for --weights: write, read, read_column, scan, take_p50, take_p99, lookup_p50,
    append, append_p99, file_bytes, memory, universality, samples_per_s,
    time_to_first_batch. Formats that changed the data
    or run code on load are excluded unless --allow-lossy / --allow-unsafe; formats that
    returned another type with the same values are ranked unless --strict-types.

    Example: fmtbench report results/0001_mixed.json --weights write=1,file_bytes=0.5
    """
    from benchmarks.analysis.recommend import parse_weights
    from benchmarks.analysis.report import Choices, write_report
    from benchmarks.cli.console import out

    weights = parse_weights(args.weights) if args.weights else None
    choices = Choices(
        args.profile,
        args.allow_lossy,
        args.allow_unsafe,
        args.strict_types,
        args.min_shuffle,
        prices_from(args),
    )
    md_path, html_path = write_report(args.results, args.out, weights, choices)
    out.print(f"wrote {md_path} and {html_path}", markup=False)
    return 0


def prices_from(args: argparse.Namespace) -> Any:
    """Prices when any --price-... was given (the others at their defaults), else None."""
    from benchmarks.storage.cost import Prices

    given = {
        name: getattr(args, f"price_{name}", None) for name in ("gb_month", "get_1k", "put_1k")
    }
    given = {k: v for k, v in given.items() if v is not None}
    return Prices(**given).check() if given else None


def _report_args(p: argparse.ArgumentParser, add_results_arg: Callable) -> None:
    add_results_arg(p)
    p.add_argument("--out", type=Path, help="folder for the report (default: beside the results)")
    p.add_argument("--weights", help="a custom profile, e.g. write=1,read=0.2,file_bytes=0.5")
    from benchmarks.cli.args import add_advice_args, add_price_args

    add_advice_args(p)
    add_price_args(p)


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare two results files case by case; exit 1 if any case got slower.

    A case counts as changed when its median moved by more than --threshold AND the
    two runs' 95% intervals of the median do not overlap (older files without
    intervals: by more than the wider interquartile range).

    Example: fmtbench compare results/0001_mixed.json results/0002_mixed.json --threshold 0.05
    """
    from benchmarks.analysis.compare import compare, render
    from benchmarks.cli.console import out

    comparison = compare(args.base, args.new, args.threshold)
    for renderable in render(comparison, show_all=args.all):
        out.print(renderable)
    return 1 if comparison.regressed else 0


def _compare_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("base", type=Path, help="the reference results .json")
    p.add_argument("new", type=Path, help="the results .json to judge against it")
    p.add_argument(
        "--threshold", type=float, default=0.10, help="relative change that counts (default 0.10)"
    )
    p.add_argument("--all", action="store_true", help="list every matched case, not only changes")


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw the charts of a results file as PNG and SVG.

    One bar chart per operation, file sizes, size vs read time with its Pareto front,
    the one-column speed-up, throughput against the machine's ceilings, scaling when
    the run swept several row counts, and the take/scan/stream access patterns.
    Default folder: beside the results, named after it (results/0001_mixed/).

    Example: fmtbench plot results/0001_mixed.json --out charts/ --log
    """
    from benchmarks.analysis.plot import plot_results
    from benchmarks.cli.console import out

    written = plot_results(args.results, args.out, log_scale=args.log)
    folder = written[0].parent if written else args.out
    out.print(f"wrote {len(written)} chart files to {folder}", markup=False)
    return 0


def _plot_args(p: argparse.ArgumentParser, add_results_arg: Callable) -> None:
    add_results_arg(p)
    p.add_argument("--out", type=Path, help="folder for the charts (default: beside the results)")
    p.add_argument("--log", action="store_true", help="log-scale time axes in the bar charts")


def commands(add_results_arg: Callable[[argparse.ArgumentParser], None]) -> dict[str, Any]:
    """name -> (function, argument adder) for the results subcommands."""
    return {
        "plot": (cmd_plot, lambda p: _plot_args(p, add_results_arg)),
        "report": (cmd_report, lambda p: _report_args(p, add_results_arg)),
        "compare": (cmd_compare, _compare_args),
    }
