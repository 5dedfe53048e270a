"""Subcommands that describe what fmtbench can measure: formats, datasets, fidelity, results."""

from __future__ import annotations

import argparse
import json

from benchmarks.cli.console import out


def cmd_formats(args: argparse.Namespace) -> int:
    """List every adapter: family, orientation, codecs, native access, availability.

    Example: fmtbench formats --json
    """
    from benchmarks.analysis.views import formats_rows, formats_table

    rows = formats_rows()
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        out.print(formats_table(rows, out.width))
    return 0


def cmd_fidelity(args: argparse.Namespace) -> int:
    """Round-trip every Arrow type family through each adapter; report what survives.

    Example: fmtbench fidelity --formats csv-pyarrow,parquet-pyarrow
    """
    from benchmarks.analysis.views import fidelity_report
    from benchmarks.suite.cases import select_adapters
    from formats.fidelity import fidelity_matrix, verdicts_as_dicts
    from formats.native import contained

    adapters = [a for a in select_adapters(args.formats or ["all"]) if a.available().ok]
    with contained():  # a library's panic is its cell's verdict, not a backtrace
        verdicts = fidelity_matrix(adapters)
    if args.json:
        print(json.dumps(verdicts_as_dicts(verdicts), indent=1))
    else:
        for renderable in fidelity_report(verdicts, out.width):
            out.print(renderable)
    return 0


def cmd_datasets(args: argparse.Namespace) -> int:
    """List the built-in datasets (and --data files): source, rows, columns, Arrow size.

    Example: fmtbench datasets --json
    """
    from benchmarks.analysis.views import datasets_rows, datasets_table

    rows = datasets_rows(args.data or [], args.sample, args.data_dir)
    if args.json:
        print(json.dumps(rows, indent=1, default=str))
    else:
        out.print(datasets_table(rows, out.width))
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    """Print or save the tidy table of a results file: one row per case.

    Example: fmtbench results results/0001_mixed.json --csv cases.csv
    """
    from benchmarks.run.results import load_table, write_csv

    frame = load_table(args.results)
    if args.csv:
        write_csv(frame, args.csv, args.results, force=args.force)
        out.print(f"wrote {len(frame)} cases to {args.csv}", markup=False)
    else:
        out.print(frame.to_string(max_rows=200), markup=False)  # case ids hold [column=...]
    return 0
