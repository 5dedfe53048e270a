"""Terminal views for the listing subcommands: formats, fidelity matrix, datasets."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

import formats
from formats.base import ACCESS_PATTERNS
from formats.fidelity import Verdict

SYMBOL = {
    "lossless": "[green]ok[/]",
    "retyped": "[cyan]t[/]",
    "changed": "[yellow]~[/]",
    "unsupported": "[red]x[/]",
}
SYMBOL_PLAIN = {"lossless": "ok", "retyped": "t", "changed": "~", "unsupported": "x", "error": "!"}
#: The matrix's legend, one line for the terminal, the report and README.
LEGEND = (
    "ok lossless, t retyped (another type, the same values), ~ changed (values, nulls, "
    "zone or meaning), x unsupported, ! error"
)


#: What a text reader was told, per ``schema`` mode (formats/source_hints.py).
_SCHEMA_WORDS = {
    "file": "the file alone (schema=file, the default)",
    "declared": "the source's column types (schema=declared)",
}


def fidelity_caption(verdicts: list[Verdict]) -> str:
    """One line saying what the text readers were told and which files an independent
    reader also read (the matrix is not comparable across these choices)."""
    modes = sorted({v.schema for v in verdicts if v.schema})
    told = "; ".join(_SCHEMA_WORDS.get(m, m) for m in modes) or "no text formats"
    pairs = {(v.adapter, v.checked_by) for v in verdicts if v.checked_by}
    readers = sorted({reader for _, reader in pairs})
    if len(pairs) <= 3:  # a few engines: name each pair
        readers = sorted(f"{adapter} by {reader}" for adapter, reader in pairs)
    also = (
        f"the files of {len(pairs)} engines were also read by their format's independent "
        f"reader ({', '.join(readers)}), a worse finding kept where it differs from that "
        "reader's own file"
        if pairs
        else "no independent reader was used"
    )
    return f"Text readers were given {told}; {also}."


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
                "arrow_handover": adapter.arrow_handover,
                "options": {n: o.describe() for n, o in adapter.option_specs.items()},
                "in_default_run": adapter.in_default_run,
                **adapter.facts(),  # libraries, readers, unsafe, data_suffixes
                "available": status.ok,
                "reason": status.reason,
            }
        )
    return rows


#: Below this terminal width the listings switch to one block per adapter or dataset: a
#: table that narrow truncates the names users must type.
NARROW = 100


def formats_table(rows: list[dict[str, Any]], width: int = 200) -> Table | Group:
    """The adapters as a table; unavailable ones show the install hint."""
    if width < NARROW:
        return _formats_compact(rows, width)
    table = Table(title="fmtbench adapters", title_justify="left")
    for col in ("name", "format", "layout", "codecs (default first)", "native access", "available"):
        table.add_column(col)
    for r in rows:
        native = ", ".join(op for op, yes in r["native"].items() if yes) or "-"
        ok = "[green]yes[/]" if r["available"] else f"[red]no[/]: {r['reason']}"
        layout = f"{r['orientation']}/{r['encoding']}"
        table.add_row(r["name"], r["format"], layout, ", ".join(r["codecs"]), native, ok)
    return table


def _formats_compact(rows: list[dict[str, Any]], width: int) -> Group:
    """One line per adapter, the name first and whole, then an indented detail line."""
    lines = [Text("fmtbench adapters", style="italic")]
    name_w = max((len(r["name"]) for r in rows), default=0)
    for r in rows:
        native = ", ".join(op for op, yes in r["native"].items() if yes) or "-"
        ok = Text("yes", style="green") if r["available"] else Text("no", "red")
        head = Text(f"{r['name']:<{name_w}}  {r['format']} {r['orientation']}/{r['encoding']}  ")
        lines.append(head + ok)
        if not r["available"]:  # the reason can be long: wrapped under the name
            lines.append(Text(_wrap(f"why: {r['reason']}", width), "red"))
        lines.append(Text(_wrap(f"codecs {', '.join(r['codecs'])}; native {native}", width), "dim"))
    return Group(*lines)


def fidelity_report(verdicts: list[Verdict], width: int = 200) -> Iterator[Any]:
    """The matrix (types down, adapters across) then each non-lossless detail."""
    adapters = list(dict.fromkeys(v.adapter for v in verdicts))
    columns = list(dict.fromkeys(v.column for v in verdicts))
    if width < 14 + 4 * len(adapters) + 16 * 2:  # the matrix would split names
        yield from _fidelity_narrow(verdicts, adapters, columns, width)
        return
    cell = {(v.adapter, v.column): v for v in verdicts}
    table = Table(title=f"type fidelity: {LEGEND}")
    table.add_column("type")
    for a in adapters:
        table.add_column(a, justify="center", overflow="fold")
    for c in columns:
        table.add_row(c, *(SYMBOL.get(cell[(a, c)].status, "[red]![/]") for a in adapters))
    yield table
    yield Text(fidelity_caption(verdicts), "italic")
    for v in verdicts:
        if v.status != "lossless":
            yield f"  {v.adapter:20} {v.column:16} {v.status}: {v.detail}"


def _wrap(text: str, width: int) -> str:
    """``text`` indented by four spaces and wrapped to the terminal, continuation aligned."""
    pad = "    "
    return textwrap.fill(text, max(40, width - 1), initial_indent=pad, subsequent_indent=pad * 2)


def _fidelity_narrow(
    verdicts: list[Verdict], adapters: list[str], columns: list[str], width: int
) -> Iterator[Any]:
    """Per format: how many types survive, then the types it changes or refuses."""
    yield Text(f"type fidelity of {len(columns)} Arrow type families, per format", "italic")
    yield Text(_wrap(fidelity_caption(verdicts), width), "italic")
    for a in adapters:
        mine = [v for v in verdicts if v.adapter == a]
        ok = sum(v.status == "lossless" for v in mine)
        yield Text(a, style="bold") + Text(f"  {ok}/{len(mine)} lossless")
        for status, word in (
            ("retyped", "retypes (same values)"),
            ("changed", "changes"),
            ("unsupported", "refuses"),
            ("error", "errors"),
        ):
            names = [v.column for v in mine if v.status == status]
            if names:
                yield Text(_wrap(f"{word}: {', '.join(names)}", width))


def fidelity_markdown(verdicts: list[Verdict]) -> str:
    """The matrix as a Markdown table (README, report)."""
    adapters = list(dict.fromkeys(v.adapter for v in verdicts))
    columns = list(dict.fromkeys(v.column for v in verdicts))
    cell = {(v.adapter, v.column): v.status for v in verdicts}
    lines = ["| type | " + " | ".join(adapters) + " |", "|---" * (len(adapters) + 1) + "|"]
    for c in columns:
        lines.append(f"| {c} | " + " | ".join(SYMBOL_PLAIN[cell[(a, c)]] for a in adapters) + " |")
    return "\n".join(lines)


def fidelity_markdown_block(verdicts: list[Verdict], missing: list[Any] = ()) -> str:
    """README's block: the legend, what the readers were told, the table, and the adapters
    not available here (``missing``: adapter instances) with their reasons."""
    parts = [f"{LEGEND}. {fidelity_caption(verdicts)}", "", fidelity_markdown(verdicts)]
    if missing:
        gone = "; ".join(f"{a.name} ({a.available().reason})" for a in missing)
        parts += ["", f"Not available where this was generated: {gone}."]
    return "\n".join(parts)


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


def datasets_table(rows: list[dict[str, Any]], width: int = 200) -> Table | Group:
    """Datasets as a table: name, source, rows, columns, Arrow MB (and sample ratio delta)."""
    if width < NARROW:
        return _datasets_compact(rows, width)
    table = Table(title="fmtbench datasets", title_justify="left")
    table.add_column("name", no_wrap=True)
    for col in ("source", "rows", "columns", "arrow MB", "sample compression"):
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


def _datasets_compact(rows: list[dict[str, Any]], width: int) -> Group:
    """One block per dataset: the name whole with its size, then source and columns."""
    lines = [Text("fmtbench datasets", style="italic")]
    for r in rows:
        size = f"{r['rows']:,} rows, {r['arrow_bytes'] / 1e6:,.1f} MB"
        lines.append(Text(r["name"], style="bold") + Text(f"  {size}"))
        lines.append(Text(_wrap(r["source"], width), "dim"))
        lines.append(Text(_wrap(_columns_text(r["columns"]), width)))
        if r.get("sample"):
            lines.append(Text(_wrap(_sample_text(r["sample"]), width)))
    return Group(*lines)


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
