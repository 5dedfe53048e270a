"""``fmtbench report``: one results file as report.md and a self-contained report.html.

Both files are rendered from the same list of blocks (heading, paragraph, table, list,
image), so they always say the same thing; the HTML embeds its charts as data URIs
and has no external references, so it can be mailed or attached to an issue.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.analysis import recommend as rec
from benchmarks.analysis.cells import case_label, format_seconds
from benchmarks.analysis.epoch_table import EPOCH_HEADER, epoch_cells, is_epoch
from benchmarks.analysis.intervals import half_width_text
from benchmarks.analysis.report_blocks import (  # noqa: F401  (re-exported)
    TOP,
    Block,
    Choices,
    bullets,
    heading,
    para,
    table,
)
from benchmarks.analysis.report_cost import cost_blocks, with_cost
from benchmarks.analysis.report_knobs import knob_blocks
from benchmarks.run.results import load_results, tidy

# -- rendering -----------------------------------------------------------------------


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: list[Block], out_dir: Path) -> str:
    """The blocks as GitHub-flavoured Markdown; images are linked relative to out_dir."""
    parts = []
    for b in blocks:
        if b.kind == "heading":
            parts.append("#" * b.level + " " + b.text)
        elif b.kind == "para":
            parts.append(b.text)
        elif b.kind == "list":
            parts.append("\n".join(f"- {item}" for item in b.items))
        elif b.kind == "table":
            lines = ["| " + " | ".join(map(_md_cell, b.header)) + " |"]
            lines.append("|" + "---|" * len(b.header))
            lines += ["| " + " | ".join(map(_md_cell, r)) + " |" for r in b.rows]
            parts.append("\n".join(lines))
        elif b.kind == "image" and b.path is not None:
            parts.append(f"![{b.text}]({Path(os.path.relpath(b.path, out_dir)).as_posix()})")
    return "\n\n".join(parts) + "\n"


STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; color: #1a202c; }
table { border-collapse: collapse; margin: 0.5rem 0 1.2rem; font-size: 0.9rem; }
th, td { border: 1px solid #cbd5e0; padding: 0.2rem 0.5rem; text-align: right; }
th { background: #edf2f7; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #e2e8f0; margin: 0.5rem 0; }
h1, h2 { border-bottom: 1px solid #e2e8f0; }
"""


def _data_uri(path: Path) -> str:
    """The image as a base64 data URI: the HTML must not point at other files."""
    mime = "image/svg+xml" if path.suffix == ".svg" else f"image/{path.suffix.lstrip('.')}"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _html_block(b: Block) -> str:
    e = html.escape
    if b.kind == "heading":
        return f"<h{b.level}>{e(b.text)}</h{b.level}>"
    if b.kind == "para":
        return f"<p>{e(b.text)}</p>"
    if b.kind == "list":
        return "<ul>" + "".join(f"<li>{e(i)}</li>" for i in b.items) + "</ul>"
    if b.kind == "table":
        head = "".join(f"<th>{e(h)}</th>" for h in b.header)
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in b.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if b.kind == "image" and b.path is not None:
        return f'<figure><img alt="{e(b.text)}" src="{_data_uri(b.path)}"></figure>'
    return ""


def to_html(blocks: list[Block], title: str) -> str:
    """The blocks as one HTML page with inline style and embedded images."""
    body = "\n".join(_html_block(b) for b in blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


# -- sections ------------------------------------------------------------------------


def machine_facts(data: dict[str, Any]) -> list[str]:
    """Date, cpu, cores, memory, OS, Python, case counts, run time and ceilings."""
    info, meta = data.get("machine_info") or {}, data.get("fmtbench") or {}
    cpu, memory = info.get("cpu") or {}, info.get("memory_bytes")
    failed, skipped = len(meta.get("failed") or []), len(meta.get("skipped") or [])
    facts = [
        f"date: {data.get('datetime', 'unknown')}",
        f"cpu: {cpu.get('brand_raw', 'unknown')}",
        f"cores: {info.get('cores', cpu.get('count', 'unknown'))}",
        f"memory: {memory / 2**30:.1f} GiB" if memory else "memory: unknown",
        f"os: {info.get('os', info.get('system', 'unknown'))}",
        f"python: {info.get('python_version', 'unknown')}",
        f"cases: {len(data['benchmarks'])} ({failed} failed), {skipped} skipped",
    ]
    if meta.get("wall_s") is not None:
        facts.append(f"run time: {meta['wall_s']:.0f} s")
    return facts + [f"ceiling {k}: {v:,.0f}" for k, v in (meta.get("ceilings") or {}).items()]


def environment(data: dict[str, Any]) -> list[Block]:
    """Machine, libraries, date and run configuration: what the figures depend on."""
    libs = sorted(((data.get("machine_info") or {}).get("libraries") or {}).items())
    config = ((data.get("fmtbench") or {}).get("config") or {}).items()
    return [
        heading("Environment"),
        bullets(machine_facts(data)),
        heading("Library versions", 3),
        table(["library", "version"], [list(kv) for kv in libs]),
        heading("Run configuration", 3),
        bullets([f"{k}: {_text(v)}" for k, v in config if v not in (None, [])]),
    ]


def _text(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def format_rate(mb_s: float) -> str:
    """MB/s as a plain number with 3 significant digits: 1,810 or 12.3, never 1.81e+03."""
    return f"{mb_s:,.0f}" if abs(mb_s) >= 100 else f"{mb_s:.3g}"


def _rate(value: Any) -> str:
    return format_rate(value) if value is not None and pd.notna(value) else "-"


def _mb(value: Any) -> str:
    return f"{value / 1e6:,.2f}" if pd.notna(value) else "-"


def _case_row(row: pd.Series, fastest: float, take: bool) -> list[str]:
    """One table row: timing, its noise, throughput, size, memory, native or emulated."""
    mb_s = row.get("mb_s")
    native = row.get("native")
    cells = [
        row["adapter"],
        row["codec"],
        format_seconds(row["median"]),
        format_seconds(row["iqr"]) if pd.notna(row.get("iqr")) else "-",
        half_width_text(row),
        format_rate(mb_s) if pd.notna(mb_s) else "-",
        _rate(row.get("physical_mb_s")),
        _mb(row.get("file_bytes")),
        _mb(row.get("peak_memory_bytes")),
        "-" if pd.isna(native) else ("native" if native else "emulated"),
        f"{row['median'] / fastest:,.1f}x",
    ]
    if take:  # the median of a take case is already its p50
        cells.append(format_seconds(row["p99_s"]) if pd.notna(row.get("p99_s")) else "-")
    return cells


#: "Arrow MB/s": logical throughput (Arrow bytes produced or consumed per second);
#: "file MB/s": physical (file bytes read or written per second), "-" when not known.
CASE_HEADER = [
    "format", "codec", "median", "IQR", "95% CI", "Arrow MB/s", "file MB/s", "file MB",
    "peak MB", "access", "x",
]  # fmt: skip


def operation_tables(frame: pd.DataFrame) -> list[Block]:
    """One table per (dataset, rows, operation with parameters), fastest first."""
    ok = frame[frame["error"].isna() & frame["median"].notna()].copy()
    blocks = [heading("Results per operation")]
    if ok.empty:
        return [*blocks, para("No case produced a timing.")]
    blocks.append(
        para(
            "x: median over the fastest format's; access: native or emulated; 95% CI: the "
            "median's confidence interval (order statistics; with several processes, "
            "widened to cover every process's median), as ± of the median; under 6 rounds "
            "it is min..max and its own confidence is shown, e.g. (88%)."
        )
    )
    ok["label"] = ok.apply(case_label, axis=1)
    for (dataset, rows, label), group in ok.groupby(["dataset", "rows", "label"], sort=False):
        take = "p99_s" in group and group["p99_s"].notna().any()
        epoch = is_epoch(group)
        header = CASE_HEADER + (["p99"] if take else []) + (list(EPOCH_HEADER) if epoch else [])
        group = group.sort_values("median")
        fastest = group["median"].min()
        cells = [
            _case_row(r, fastest, take) + (epoch_cells(r, format_seconds) if epoch else [])
            for _, r in group.iterrows()
        ]
        blocks.append(heading(f"{label} · {dataset} · {int(rows):,} rows", 3))
        blocks.append(table(header, cells))
    return blocks


def charts(results_path: Path, out_dir: Path) -> list[Block]:
    """The charts from benchmarks.analysis.plot, when that module is there and works."""
    blocks = [heading("Charts")]
    try:
        from benchmarks.analysis.plot import plot_results
    except ImportError as exc:
        return [*blocks, para(f"Charts unavailable: {exc}.")]
    try:
        written = [Path(p) for p in plot_results(results_path, out_dir)]
    except Exception as exc:  # charts are a bonus: a plotting bug must not lose the report
        return [*blocks, para(f"Charts unavailable: {type(exc).__name__}: {exc}.")]
    pngs = [p for p in written if p.suffix == ".png"] or [p for p in written if p.suffix == ".svg"]
    if not pngs:
        return [*blocks, para("No charts for this run.")]
    return blocks + [Block("image", p.stem.replace("_", " "), path=p) for p in pngs]


def fidelity(frame: pd.DataFrame) -> list[Block]:
    """The type round-trip matrix for the adapters in this run, measured here and now."""
    import formats
    from benchmarks.analysis.views import LEGEND, fidelity_caption, fidelity_markdown
    from formats.fidelity import fidelity_matrix
    from formats.native import contained

    blocks = [heading("Type fidelity")]
    names = list(dict.fromkeys(frame["adapter"].dropna()))
    found = [formats.get(n) for n in names if n in formats.registry]
    usable = [a for a in found if a.available().ok]
    verdicts, broken = [], []
    for adapter in usable:  # one adapter's bug must not lose the others' verdicts
        try:
            with contained():  # a Rust panic is the cell's verdict, never a backtrace
                verdicts += fidelity_matrix([adapter])
        except Exception as exc:
            broken.append(f"{adapter.name} ({type(exc).__name__}: {exc})")
    gone = [n for n in names if n not in {a.name for a in usable}]
    if gone:
        blocks.append(para(f"Not checked (not available here): {', '.join(gone)}."))
    if broken:
        blocks.append(para(f"Check failed: {'; '.join(broken)}."))
    if not verdicts:
        return blocks
    blocks.append(para(f"{LEGEND} (checked on this machine). {fidelity_caption(verdicts)}"))
    blocks.append(table_from_markdown(fidelity_markdown(verdicts)))
    details = [f"{v.adapter} {v.column}: {v.status}: {v.detail}" for v in verdicts if v.detail]
    return blocks + ([bullets(details)] if details else [])


def table_from_markdown(text: str) -> Block:
    """Parse a simple Markdown table (as views.fidelity_markdown writes) into a table block."""
    lines = [ln.strip().strip("|").split("|") for ln in text.strip().splitlines()]
    header, *rows = [[c.strip() for c in line] for line in lines]
    return table(header, [r for r in rows if not all(set(c) <= {"-", ":"} for c in r)])


def problems(data: dict[str, Any]) -> list[Block]:
    """Failed and skipped cases, each with its one-line reason."""
    meta = data.get("fmtbench") or {}
    failed, skipped = meta.get("failed") or [], meta.get("skipped") or []
    blocks = [heading("Failures and skipped cases")]
    if not failed and not skipped:
        return [*blocks, para("Every case ran.")]
    if failed:
        blocks.append(heading(f"Failed ({len(failed)})", 3))
        blocks.append(table(["case", "error"], [[f["id"], f.get("error", "")] for f in failed]))
    if skipped:
        blocks.append(heading(f"Skipped ({len(skipped)})", 3))
        blocks.append(table(["case", "reason"], [[s["id"], s.get("reason", "")] for s in skipped]))
    return blocks


def recommendations(
    frame: pd.DataFrame, custom: dict[str, float] | None, choices: Choices | None = None
) -> list[Block]:
    """The answer and every profile's ranking (benchmarks.analysis.report_advice)."""
    from benchmarks.analysis.report_advice import advice_blocks  # lazy: loads the registry

    return advice_blocks(frame, custom, choices or Choices())


def engine_blocks(frame: pd.DataFrame) -> list[Block]:
    """The per-format view: best engine and spread, for formats that ran through several."""
    from benchmarks.analysis.engines import SPREAD_HEADER, engine_spread, multi_engine, spread_rows

    spread = multi_engine(engine_spread(frame))
    if spread.empty:
        return []
    blocks = [
        heading("Best engine per format"),
        para(
            "The same format read or written through each engine that ran it: a slow "
            "library is not a slow format. Slowest engine: its median over the best's."
        ),
    ]
    for (dataset, rows), group in spread.groupby(["dataset", "rows"], sort=False):
        blocks.append(heading(f"{dataset} · {int(rows):,} rows", 3))
        blocks.append(table(SPREAD_HEADER, spread_rows(group)))
    return blocks


# -- entry point ---------------------------------------------------------------------


def default_out_dir(results_path: Path) -> Path:
    """Beside the results, named after its stem (the same folder fmtbench plot uses)."""
    return results_path.parent / results_path.stem


def build_blocks(
    results_path: Path,
    data: dict[str, Any],
    out_dir: Path,
    weights: dict[str, float] | None,
    choices: Choices | None = None,
) -> list[Block]:
    """Every section of the report, in reading order: the answer first, the evidence after."""
    prices = (choices or Choices()).prices
    frame = with_cost(tidy(data), prices) if prices is not None else tidy(data)
    return [
        heading(f"fmtbench report: {results_path.name}", 1),
        *environment(data),
        *recommendations(frame, weights, choices),
        *engine_blocks(frame),
        *_storage_blocks(frame),
        *cost_blocks(frame, prices),
        *operation_tables(frame),
        *knob_blocks(frame),
        *charts(results_path, out_dir),
        *fidelity(frame),
        *problems(data),
    ]


def write_report(
    results_path: str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    weights: dict[str, float] | None = None,
    choices: Choices | None = None,
) -> tuple[Path, Path]:
    """Write report.md and report.html for a results file; return their paths.

    UsageError for a bad results file, or custom ``weights`` this run cannot score.
    """
    results_path = Path(results_path)
    data = load_results(results_path)  # refuse a bad file before creating any folder
    if weights:
        rec.rank(tidy(data), weights)  # a user's own profile that nothing measures is an error
    out = Path(out_dir) if out_dir is not None else default_out_dir(results_path)
    out.mkdir(parents=True, exist_ok=True)
    blocks = build_blocks(results_path, data, out, weights, choices)
    md_path, html_path = out / "report.md", out / "report.html"
    md_path.write_text(to_markdown(blocks, out), encoding="utf-8")
    html_path.write_text(to_html(blocks, f"fmtbench report: {results_path.name}"), "utf-8")
    return md_path, html_path


def _storage_blocks(frame: pd.DataFrame) -> list[Block]:
    """The object-storage section; imported late: its charts load matplotlib."""
    from benchmarks.analysis.report_storage import storage_blocks

    return storage_blocks(frame)
