"""Subcommands that describe what fmtbench can measure: formats, datasets, fidelity, results."""

from __future__ import annotations

import argparse
import json
from typing import Any

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

    Text readers get the file alone (--schema file, the default) or the source's column
    types (--schema declared), every text engine the same; each file is also read by its
    format's independent reader (pyarrow for CSV/JSON Lines/Parquet/Feather/ORC, fastavro
    for Avro, ...) and the worse verdict kept.

    Example: fmtbench fidelity --formats csv-pyarrow,parquet-pyarrow --schema declared
    """
    from benchmarks.analysis.views import fidelity_markdown_block, fidelity_report
    from benchmarks.suite.cases import select_adapters
    from formats.fidelity import fidelity_matrix, verdicts_as_dicts
    from formats.native import contained

    chosen = select_adapters(args.formats or ["all"])
    adapters = [_told(a, args.schema) for a in chosen if a.available().ok]
    missing = [a for a in chosen if not a.available().ok]
    with contained():  # a library's panic is its cell's verdict, not a backtrace
        verdicts = fidelity_matrix(adapters)
    if args.json:
        print(json.dumps(verdicts_as_dicts(verdicts), indent=1))
    elif args.markdown:
        print(fidelity_markdown_block(verdicts, missing))
    else:
        for renderable in fidelity_report(verdicts, out.width):
            out.print(renderable)
    return 0


def _told(adapter: Any, schema: str) -> Any:
    """``adapter`` with the ``schema`` knob set, when it is a text engine that has one."""
    if "schema" not in adapter.option_specs:
        return adapter
    return type(adapter)({**adapter.options, "schema": schema})


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
