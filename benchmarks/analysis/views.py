"""Terminal views for the listing subcommands: formats, fidelity matrix, datasets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.table import Table

import formats
from formats.base import ACCESS_PATTERNS
from formats.fidelity import Verdict

SYMBOL = {"lossless": "[green]ok[/]", "changed": "[yellow]~[/]", "unsupported": "[red]x[/]"}
SYMBOL_PLAIN = {"lossless": "ok", "changed": "~", "unsupported": "x", "error": "!"}


def formats_rows() -> list[dict[str, Any]]:
    """One dict per adapter, for ``fmtbench formats --json``."""
    rows = []
    for adapter in formats.adapters():
        status = adapter.available()
        rows.append(
            {
                "name": adapter.name,
                "format": adapter.format,
                "engine": adapter.engine,
                "orientation": adapter.orientation,
                "encoding": adapter.encoding,
                "codecs": list(adapter.available_codecs() if status.ok else adapter.codecs),
                "extension": adapter.extension,
                "native": {op: adapter.is_native(op) for op in ACCESS_PATTERNS},
                "options": {n: o.describe() for n, o in adapter.option_specs.items()},
                "in_default_run": adapter.in_default_run,
                "available": status.ok,
                "reason": status.reason,
            }
        )
    return rows


def formats_table(rows: list[dict[str, Any]]) -> Table:
    """The adapters as a table; unavailable ones show the install hint."""
    table = Table(title="fmtbench adapters", title_justify="left")
    for col in ("name", "format", "layout", "codecs (default first)", "native access", "available"):
        table.add_column(col)
    for r in rows:
        native = ", ".join(op for op, yes in r["native"].items() if yes) or "-"
        ok = "[green]yes[/]" if r["available"] else f"[red]no[/]: {r['reason']}"
        layout = f"{r['orientation']}/{r['encoding']}"
        table.add_row(r["name"], r["format"], layout, ", ".join(r["codecs"]), native, ok)
    return table


def fidelity_report(verdicts: list[Verdict]) -> Iterator[Any]:
    """The matrix (types down, adapters across) then each non-lossless detail."""
    adapters = list(dict.fromkeys(v.adapter for v in verdicts))
    columns = list(dict.fromkeys(v.column for v in verdicts))
    cell = {(v.adapter, v.column): v for v in verdicts}
    table = Table(title="type fidelity: ok lossless, ~ changed, x unsupported, ! error")
    table.add_column("type")
    for a in adapters:
        table.add_column(a, justify="center", overflow="fold")
    for c in columns:
        table.add_row(c, *(SYMBOL.get(cell[(a, c)].status, "[red]![/]") for a in adapters))
    yield table
    for v in verdicts:
        if v.status != "lossless":
            yield f"  {v.adapter:20} {v.column:16} {v.status}: {v.detail}"


def fidelity_markdown(verdicts: list[Verdict]) -> str:
    """The matrix as a Markdown table (README, report)."""
    adapters = list(dict.fromkeys(v.adapter for v in verdicts))
    columns = list(dict.fromkeys(v.column for v in verdicts))
    cell = {(v.adapter, v.column): v.status for v in verdicts}
    lines = ["| type | " + " | ".join(adapters) + " |", "|---" * (len(adapters) + 1) + "|"]
    for c in columns:
        lines.append(f"| {c} | " + " | ".join(SYMBOL_PLAIN[cell[(a, c)]] for a in adapters) + " |")
    return "\n".join(lines)


def datasets_rows(
    files: list[str], sample: str | None, data_dir: str | None
) -> list[dict[str, Any]]:
    """``describe`` of every built-in dataset at its default size, plus the given files."""
    from pathlib import Path

    from benchmarks.datasets import dataset_names, describe, load_dataset, load_user_file
    from benchmarks.datasets.sampling import apply_sample, compression_ratio_delta, parse_sample

    spec = parse_sample(sample) if sample else None
    rows = []
    loaded = [
        load_dataset(n, data_dir=Path(data_dir) if data_dir else None) for n in dataset_names()
    ]
    loaded += [load_user_file(f) for f in files]
    for ds in loaded:
        row = describe(ds)
        if spec is not None:
            sampled = apply_sample(ds.table, spec)
            row["sample"] = {"method": sample, **compression_ratio_delta(ds.table, sampled)}
        rows.append(row)
    return rows


def datasets_table(rows: list[dict[str, Any]]) -> Table:
    """Datasets as a table: name, source, rows, columns, Arrow MB (and sample ratio delta)."""
    table = Table(title="fmtbench datasets", title_justify="left")
    for col in ("name", "source", "rows", "columns", "arrow MB", "sample compression"):
        table.add_column(col, overflow="fold")
    for r in rows:
        cols = _columns_text(r["columns"])
        sample = r.get("sample")
        sample_text = _sample_text(sample) if sample else "-"
        table.add_row(
            r["name"],
            r["source"],
            f"{r['rows']:,}",
            cols[:160],
            f"{r['arrow_bytes'] / 1e6:,.1f}",
            sample_text,
        )
    return table


def _columns_text(columns: list[dict[str, Any]], limit: int = 8) -> str:
    """``name:type`` for the first ``limit`` columns, then how many more."""
    shown = ", ".join(f"{c['name']}:{str(c['type']).split('<')[0]}" for c in columns[:limit])
    more = len(columns) - limit
    return f"{shown}, +{more} more" if more > 0 else shown


def _sample_text(sample: dict[str, Any]) -> str:
    """``random:0.1: parquet ratio 3.69 -> 3.55 (-3.8%)``: how the sample compresses."""
    return (
        f"{sample['method']}: {sample['codec']} parquet ratio {sample['full_ratio']:.2f} -> "
        f"{sample['sample_ratio']:.2f} ({sample['relative_delta']:+.1%})"
    )
