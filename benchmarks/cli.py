"""The ``fmtbench`` command: a thin argparse front, one ``cmd_*`` function per subcommand.

Library code raises its own exceptions; only ``main`` turns them into one line
``error: ...`` on stderr and an exit code (2 usage, 1 run failure, 130 interrupted).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from rich.console import Console

from benchmarks.errors import FmtbenchError, UsageError
from formats.base import FormatError

out = Console(soft_wrap=True)


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one ``error:`` line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)


def split_list(text: str) -> list[str]:
    """``a,b, c`` -> ['a', 'b', 'c']; an empty item is a usage error."""
    items = [t.strip() for t in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(f"empty item in list {text!r}")
    return items


def int_list(text: str) -> list[int]:
    """``10000,100000`` -> [10000, 100000]; '1e5' and '100_000' are accepted."""
    try:
        return [int(float(t.replace("_", ""))) for t in split_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of whole numbers") from None


def float_list(text: str) -> list[float]:
    """``0.001,0.1`` -> [0.001, 0.1]."""
    try:
        return [float(t) for t in split_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers") from None


def cmd_formats(args: argparse.Namespace) -> int:
    """List every adapter: family, orientation, codecs, native access, availability.

    Example: fmtbench formats --json
    """
    from benchmarks.views import formats_rows, formats_table

    rows = formats_rows()
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        out.print(formats_table(rows))
    return 0


def cmd_fidelity(args: argparse.Namespace) -> int:
    """Round-trip every Arrow type family through each adapter; report what survives.

    Example: fmtbench fidelity --formats csv-pyarrow,parquet-pyarrow
    """
    from benchmarks.cases import select_adapters
    from benchmarks.views import fidelity_report
    from formats.fidelity import fidelity_matrix, verdicts_as_dicts

    adapters = [a for a in select_adapters(args.formats) if a.available().ok]
    verdicts = fidelity_matrix(adapters)
    if args.json:
        print(json.dumps(verdicts_as_dicts(verdicts), indent=1))
    else:
        for renderable in fidelity_report(verdicts):
            out.print(renderable)
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    """List the built-in datasets (and --data files): source, rows, columns, Arrow size.

    Example: fmtbench datasets --json
    """
    from benchmarks.views import datasets_rows, datasets_table

    rows = datasets_rows(args.data or [], args.sample, args.data_dir)
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
    else:
        out.print(datasets_table(rows))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Benchmark formats on datasets; writes results/NNNN_<datasets>.json and its charts.

    Example: fmtbench run --datasets mixed,logs --formats parquet-pyarrow,csv-pyarrow \
             --rows 10000,100000
    """
    from benchmarks.run_cli import run_from_args

    return run_from_args(args, out)


def cmd_results(args: argparse.Namespace) -> int:
    """Print or save the tidy table of a results file: one row per case.

    Example: fmtbench results results/0001_mixed.json --csv cases.csv
    """
    from benchmarks.results import load_table

    frame = load_table(args.results)
    if args.csv:
        frame.to_csv(args.csv, index=False)
        out.print(f"wrote {len(frame)} cases to {args.csv}")
    else:
        out.print(frame.to_string(max_rows=200))
    return 0


def _add_run_args(p: argparse.ArgumentParser) -> None:
    from benchmarks.config import CORE_OPS

    p.add_argument(
        "--datasets", type=split_list, help="dataset names, e.g. mixed,logs,tpch-lineitem:0.1"
    )
    p.add_argument(
        "--data", type=split_list, help="your own files (.csv .parquet .jsonl .arrow .orc .avro)"
    )
    p.add_argument(
        "--formats", type=split_list, help="adapter names (default: every available one)"
    )
    p.add_argument(
        "--codecs", type=split_list, help="codecs to run, or 'all' (default: each default)"
    )
    p.add_argument("--ops", type=split_list, help=f"operations (default: {','.join(CORE_OPS)})")
    p.add_argument("--rows", type=int_list, help="row counts; several make a scaling sweep")
    p.add_argument("--rounds", type=int, help="timed rounds per case (default 3)")
    p.add_argument(
        "--cache", choices=("warm", "cold"), help="page cache before each read (default warm)"
    )
    p.add_argument("--columns", type=split_list, help="columns for read_column")
    p.add_argument(
        "--sample", help="head:N random:F|N stratified:COL:F quota:COL:N systematic:K reservoir:N"
    )
    p.add_argument("--seed", type=int, help="seed for data, samples and lookups (default 0)")
    p.add_argument("--data-dir", help="where generated real datasets are cached")
    p.add_argument("--k", type=int_list, help="take: rows per lookup (default 1,100,10000)")
    p.add_argument("--patterns", type=split_list, help="take: uniform,clustered")
    p.add_argument("--selectivity", type=float_list, help="scan: fractions in (0,1]")
    p.add_argument("--batch-sizes", type=int_list, help="stream: rows per batch")
    p.add_argument("--out", type=Path, help="results file (default results/NNNN_<datasets>.json)")
    p.add_argument("--resume", type=Path, help="finish an interrupted run: its results path")
    p.add_argument("--force", action="store_true", help="overwrite an existing --out")
    p.add_argument("--strict", action="store_true", help="exit 1 if any case failed")
    p.add_argument(
        "--case-timeout", type=float, default=1800.0, help="seconds before a case is stopped"
    )
    p.add_argument("--workdir", help="where benchmark files are written (default: system temp)")
    p.add_argument("--keep-files", action="store_true", help="keep the benchmark files")
    p.add_argument(
        "--isolate", action="store_true", help="a fresh worker process per format (large data)"
    )
    p.add_argument("--no-charts", action="store_true", help="skip chart generation")
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def _add_results_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("results", type=Path, help="a results .json written by fmtbench run")


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], Callable[[Any], None]]] = {}


def _register_commands() -> None:
    from benchmarks import cli_more

    def formats_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="machine-readable output")

    def fidelity_args(p: argparse.ArgumentParser) -> None:
        formats_args(p)
        p.add_argument("--formats", type=split_list, help="adapter names (default: all available)")

    def datasets_args(p: argparse.ArgumentParser) -> None:
        formats_args(p)
        p.add_argument("--data", type=split_list, help="also describe these files")
        p.add_argument(
            "--sample", help="show how this sample's compression differs from the source"
        )
        p.add_argument("--data-dir", help="where generated real datasets are cached")

    def results_args(p: argparse.ArgumentParser) -> None:
        _add_results_arg(p)
        p.add_argument("--csv", type=Path, help="write the table to this CSV file")

    COMMANDS.update(
        formats=(cmd_formats, formats_args),
        datasets=(cmd_datasets, datasets_args),
        fidelity=(cmd_fidelity, fidelity_args),
        run=(cmd_run, _add_run_args),
        results=(cmd_results, results_args),
    )
    COMMANDS.update(cli_more.commands(_add_results_arg))


def build_parser() -> Parser:
    """The parser with every subcommand; each one's docstring is its --help text."""
    if not COMMANDS:
        _register_commands()
    parser = Parser(prog="fmtbench", description="Which storage format should my data live in?")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, (fn, add_args) in COMMANDS.items():
        doc = fn.__doc__ or ""
        p = sub.add_parser(name, help=doc.splitlines()[0], description=doc,
                           formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
        add_args(p)
        p.set_defaults(func=fn)
    return parser


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # same clean-up path as Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fmtbench`` console script."""
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        return args.func(args)
    except (FmtbenchError, FormatError) as exc:
        if args.debug:
            raise
        sys.stderr.write(f"error: {_one_line(exc)}\n")
        return getattr(exc, "exit_code", 1) if isinstance(exc, FmtbenchError) else 1
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except Exception as exc:  # a bug: still one line, with the way to see more
        if args.debug:
            raise
        sys.stderr.write(
            f"error: unexpected {type(exc).__name__}: {_one_line(exc)} (rerun with --debug)\n"
        )
        return 1


def _one_line(exc: BaseException) -> str:
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    return lines[0] if lines else type(exc).__name__


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["main", "build_parser", "UsageError"]
