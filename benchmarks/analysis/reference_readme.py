"""README's "Reference run" section, generated from the files in ``results/reference``.

One subsection per step whose results file exists: its date, links to the file and its
report, the command that made it, the machine state the file records (run time, load
before and after), sentences whose every number comes from the file, and the charts on
disk. ``scripts/readme_reference.py`` puts it between README's markers; nothing here is
typed by hand, so README cannot quote a figure the committed files do not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.analysis import reference_sentences as core_steps
from benchmarks.analysis import reference_sentences_io as io_steps
from benchmarks.analysis.reference_text import join

REF = "results/reference"

#: Each step's results name -> its sentence builder, in scripts/reference_run's order.
BUILDERS: dict[str, Callable[[pd.DataFrame], list[str]]] = {
    "core": core_steps.core,
    "engines_tpch": core_steps.engines,
    "access_tpch": core_steps.access,
    "take_scaling": core_steps.take_scaling,
    "iterate": core_steps.iterate,
    "knobs_tpch": io_steps.knobs,
    "append_logs": io_steps.appends,
    "s3_tpch": io_steps.storage,
    "scaling_tpch": io_steps.scaling,
    "files_tpch": io_steps.files,
}

#: The charts shown per step (file name prefixes, in order), those on disk; at most MAX_CHARTS.
CHARTS: dict[str, tuple[str, ...]] = {
    "core": ("time_read_tpch", "column_speedup_mixed", "pareto_size_vs_read_tpch", "size_logs"),
    "engines_tpch": ("engines_",),
    "access_tpch": ("take_latency_", "scan_selectivity_"),
    "take_scaling": ("scaling_take_",),
    "iterate": ("time_iterate_",),
    "knobs_tpch": ("knobs_", "time_read_", "time_take_", "time_scan_"),
    "append_logs": ("append_tradeoff_", "append_readback_"),
    "s3_tpch": ("storage_take_k-1_", "storage_read_tpch"),
    "scaling_tpch": ("scaling_memory_", "scaling_write_"),
    "files_tpch": ("files_",),
}
MAX_CHARTS = 4


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _load(value: Any) -> float | None:
    return float(value["1min"]) if isinstance(value, dict) and "1min" in value else None


def machine_state(doc: dict[str, Any]) -> str:
    """Run time, load before/after and anything the file says about how it was made."""
    meta = doc.get("fmtbench") or {}
    parts = []
    if isinstance(meta.get("wall_s"), int | float):
        parts.append(f"took {_duration(meta['wall_s'])}")
    before, after = _load(meta.get("load_before")), _load(meta.get("load_after"))
    cores = (meta.get("load_before") or meta.get("load_after") or {}).get("cores")
    if before is not None or after is not None:
        on = f" on {cores} cores" if cores else ""
        loads = [f"{x:.1f} {w}" for x, w in ((before, "before"), (after, "after")) if x is not None]
        parts.append(f"load average (1 min) {' and '.join(loads)}{on}")
    else:
        parts.append("no load recorded (the file predates that)")
    label = meta.get("machine_label")
    text = f"The run{f' ({label})' if label else ''} {', '.join(parts)}."
    return text + _caveats(meta)


def _caveats(meta: dict[str, Any]) -> str:
    """The file's own notes: stopped early, cases re-run, cases skipped."""
    notes = []
    stopped = meta.get("interrupted")
    if isinstance(stopped, dict) and stopped.get("why"):
        notes.append(f"Stopped early: {str(stopped['why']).rstrip('.')}.")
    if meta.get("rerun"):
        notes.append(f"{len(meta['rerun'])} re-run(s) of some cases are recorded in the file.")
    skipped = meta.get("skipped") or []
    if skipped:
        notes.append(f"{len(skipped)} case(s) skipped, each with its reason in the file.")
    return "".join(f" {n}" for n in notes)


def drift(command: str, config: dict[str, Any]) -> str:
    """A note when the file was made with other datasets or formats than the command now
    runs (a step resized since): the figures below are the file's, not the command's."""
    found = []
    for flag in ("--datasets", "--formats"):
        said = re.search(rf"{flag} (\S+)", command)
        had = config.get(flag[2:])
        if said and isinstance(had, list) and sorted(had) != sorted(said.group(1).split(",")):
            found.append(f"`{flag} {','.join(map(str, had))}`")
    if not found:
        return ""
    return f" This file was made with {join(found)}; the next `scripts/reference_run` remakes it."


def charts(root: Path, name: str) -> list[str]:
    """Markdown images of the step's charts that exist on disk."""
    folder = root / REF / name
    found: list[Path] = []
    for prefix in CHARTS.get(name, ()):
        found += [p for p in sorted(folder.glob(f"{prefix}*.png")) if p not in found]
    return [f"![{p.stem.replace('_', ' ')}]({REF}/{name}/{p.name})" for p in found[:MAX_CHARTS]]


def subsection(
    root: Path, name: str, question: str, command: str, doc: dict[str, Any], frame: pd.DataFrame
) -> str:
    """One step's subsection of README."""
    date = str(doc.get("datetime") or "")[:10] or "undated"
    links = f"[`{REF}/{name}.json`]({REF}/{name}.json)"
    if (root / REF / name / "report.md").exists():
        links += f" and its [report]({REF}/{name}/report.md)"
    head = [
        f"### {question} ({date})",
        "",
        f"{links}, made by `{command}`. {machine_state(doc)}"
        + drift(command, (doc.get("fmtbench") or {}).get("config") or {}),
    ]
    said = BUILDERS[name](frame)
    body = ["", *(f"- {s}" for s in said)] if said else []
    images = charts(root, name)
    return "\n".join([*head, *body, *(["", *images] if images else [])])


def intro() -> str:
    """The section's opening lines."""
    return (
        f"Generated by `scripts/readme_reference.py` from the results files in "
        f"[`{REF}/`]({REF}/) (`scripts/reference_run` remakes them, then this section); "
        "every figure below is computed from its file. Times are medians of each case's "
        'rounds; "within noise" is where the run\'s intervals overlap.'
    )
