"""The report's knobs section: which layout knobs each format's cases were written with.

A figure depends on them (a Parquet page index costs write time, a row group size moves
take and scan), so the report names them, and marks those set away from the adapter's
default (``--option``), which is its library's default unless the adapter says why not.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from benchmarks.analysis.report_blocks import Block, heading, para, table


def _defaults(adapter: str) -> dict[str, Any]:
    """The adapter's declared knob defaults ({} for an adapter not registered here)."""
    import formats

    cls = formats.registry.get(adapter)
    if cls is None:
        return {}
    return {name: spec.default for name, spec in cls.option_specs.items()}


def knob_text(options: dict[str, Any], defaults: dict[str, Any]) -> str:
    """'row_group_size=16384 (not default), ...'."""
    parts = []
    for name, value in options.items():
        mark = " (not default)" if name in defaults and defaults[name] != value else ""
        parts.append(f"{name}={value}{mark}")
    return ", ".join(parts) or "-"


def knob_blocks(frame: pd.DataFrame) -> list[Block]:
    """One row per (format, knobs) combination the run used."""
    if "options" not in frame:
        return []
    rows, seen = [], set()
    for adapter, options in zip(frame["adapter"], frame["options"], strict=True):
        if not isinstance(options, dict):
            continue
        text = knob_text(options, _defaults(str(adapter)))
        if (adapter, text) not in seen:
            seen.add((adapter, text))
            rows.append([adapter, text])
    if not rows:
        return []
    return [
        heading("Knobs each format used", 3),
        para(
            "Layout knobs each case was written with; '(not default)' marks a value away from "
            "the adapter's default (--option, or chosen from the data). Defaults are the "
            "library's own, except where the knob's help says why not (fmtbench formats "
            "--json lists them)."
        ),
        table(["format", "knobs"], rows),
    ]
