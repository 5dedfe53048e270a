"""README's lakehouse section, generated from the reference results (never typed by hand).

Two blocks: (a) the table operations per table format from a ``fmtbench run`` results
file (commit p50/p99, update/delete/merge time and what each wrote, time travel, compact
with the read before and after, the table's metadata after the commits) and (b) the
longevity summary from ``scripts/longevity.py``'s JSON (read-time growth per 100 commits,
share of it compaction recovered) with a link to its chart. A missing file gives one
placeholder line saying which command makes it. ``scripts/readme_lakehouse.py`` puts the
text between README's markers.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.analysis.cells import format_seconds
from benchmarks.analysis.readme_markers import splice as splice_block
from benchmarks.run.results import load_results, tidy

#: The table operations in the order the table shows them.
TABLE_OPS = ("commit", "update", "delete", "merge", "time_travel", "compact", "read")
#: What tells one case of a table operation from another.
TABLE_PARAMS = ("batch_rows", "commits", "change", "versions_back")


def _seconds(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else format_seconds(float(value))


def _mb(value: Any) -> str:
    if value is None or pd.isna(value):
        return "—"
    if not value:
        return "0"
    mb = float(value) / 1e6
    return f"{mb:.3g} MB" if mb >= 0.1 else f"{float(value) / 1e3:.3g} kB"


def _count(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{int(value):,}"


def _params(row: pd.Series) -> tuple:
    return tuple(
        (k, row[k]) for k in TABLE_PARAMS if k in row and pd.notna(row[k])
    )  # fmt: skip


def chosen_cases(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per table operation, the cases of one parameter set: the set most formats ran
    (the first in the file on a tie), so every row of the table compares like with like."""
    chosen = {}
    for op in TABLE_OPS:
        cases = frame[frame["operation"] == op]
        if cases.empty:
            continue
        keys = cases.apply(_params, axis=1)
        counts = keys.value_counts(sort=False)
        best = max(counts.index, key=lambda k: (counts[k], -list(keys).index(k)))
        chosen[op] = cases[keys == best]
    return chosen


def _param_text(cases: pd.DataFrame) -> str:
    row = cases.iloc[0]
    return " ".join(f"{k}={_plain(v)}" for k, v in _params(row))


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _cell(cases: dict[str, pd.DataFrame], op: str, adapter: str) -> pd.Series | None:
    """The adapter's case of ``op``; None when it did not run (absent or skipped)."""
    if op not in cases:
        return None
    found = cases[op][cases[op]["adapter"] == adapter]
    return None if found.empty else found.iloc[0]


def _time(case: pd.Series | None, key: str = "median") -> str:
    if case is None:
        return "n/a"
    if isinstance(case.get("error"), str) and case.get("error"):
        return "failed"
    return _seconds(case.get(key))


def _written(case: pd.Series | None) -> str:
    if case is None or (isinstance(case.get("error"), str) and case.get("error")):
        return "—"
    files, size = case.get("files_written"), case.get("bytes_written")
    return f"{_count(files)} / {_mb(size)}"


def _adapters(frame: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(frame["adapter"]))


def ops_table(frame: pd.DataFrame, source: str) -> list[str]:
    """Markdown lines: the times table and the written-bytes table, per table format."""
    frame = frame[frame["operation"].isin(TABLE_OPS)]
    if frame.empty:
        return [f"_{source} holds no table operation._"]
    cases = chosen_cases(frame)
    head = "| format | commit p50 | commit p99 | update | delete | merge | time travel "
    head += "| compact | read before → after compact | read (as written) |"
    lines = [head, "|---|" + "---:|" * 9]
    capped = []
    for name in _adapters(frame):
        c = {op: _cell(cases, op, name) for op in TABLE_OPS}
        merge = _time(c["merge"])
        if c["merge"] is not None and c["merge"].get("merge_capped") is True:
            merge += " †"
            capped.append(f"{name}: {c['merge'].get('merge_cap_reason')}")
        compact = c["compact"]
        before_after = "n/a"
        if compact is not None and not _failed(compact):
            before_after = f"{_time(compact, 'read_before_s')} → {_time(compact, 'read_after_s')}"
        cells = [
            name, _time(c["commit"], "commit_p50_s"), _time(c["commit"], "commit_p99_s"),
            _time(c["update"]), _time(c["delete"]), merge, _time(c["time_travel"]),
            _time(compact), before_after, _time(c["read"]),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *_written_table(frame, cases), *_requests_table(frame, cases)]
    lines += ["", _caption(cases, source)]
    lines += [f"† merge capped — {why}" for why in capped]
    return lines


def _failed(case: pd.Series) -> bool:
    return isinstance(case.get("error"), str) and bool(case.get("error"))


def _written_table(frame: pd.DataFrame, cases: dict[str, pd.DataFrame]) -> list[str]:
    """Files / bytes each change wrote, and the table's files after the commits."""
    lines = [
        "| format | update wrote | delete wrote | merge wrote | after the commits: data files "
        "| metadata files | metadata bytes | change mode |",
        "|---|" + "---:|" * 6 + "---|",
    ]
    for name in _adapters(frame):
        commit = _cell(cases, "commit", name)
        ok = commit is not None and not _failed(commit)
        mode = next(
            (str(r["change_mode"]) for op in ("update", "commit")
             if (r := _cell(cases, op, name)) is not None and pd.notna(r.get("change_mode"))),
            "—",
        )  # fmt: skip
        cells = [
            name, *(_written(_cell(cases, op, name)) for op in ("update", "delete", "merge")),
            _count(commit.get("data_files")) if ok else "—",
            _count(commit.get("metadata_files")) if ok else "—",
            _mb(commit.get("metadata_bytes")) if ok else "—", mode,
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _requests_table(frame: pd.DataFrame, cases: dict[str, pd.DataFrame]) -> list[str]:
    """On object storage: each op's requests and its cost at the run's list prices (one
    call's requests plus a month of the bytes it left); nothing on local disk."""
    if "requests" not in frame or not frame["requests"].map(_is_dict).any():
        return []
    ops = [op for op in TABLE_OPS if op in cases]
    lines = ["", "| format | " + " | ".join(f"{op}: requests / cost" for op in ops) + " |"]
    lines.append("|---|" + "---:|" * len(ops))
    for name in _adapters(frame):
        cells = [name]
        for op in ops:
            case = _cell(cases, op, name)
            if case is None or _failed(case) or not _is_dict(case.get("requests")):
                cells.append("n/a" if case is None else "—")
                continue
            cost = case.get("cost") if _is_dict(case.get("cost")) else {}
            usd = f"${cost['usd']:.2g}" if cost.get("usd") is not None else "—"
            cells.append(f"{sum(case['requests'].values()):,} / {usd}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _caption(cases: dict[str, pd.DataFrame], source: str) -> str:
    """Which parameters each column's cases ran with, and where the figures come from."""
    some = next(iter(cases.values())).iloc[0]
    rows = some.get("rows")
    where = f"{some.get('dataset_spec', some.get('dataset'))}"
    if rows is not None and pd.notna(rows):
        where += f" ({int(rows):,} rows)"
    storage = some.get("storage")
    if isinstance(storage, str) and storage != "local":
        where += f" on {storage}"
    per_op = "; ".join(
        f"{op} {text}" for op, c in cases.items() if (text := _param_text(c))
    )  # fmt: skip
    return (
        f"Medians from [`{source}`]({source}), {where}: {per_op}. Files/bytes written: data "
        "and metadata files the change created or rewrote. n/a: the format cannot (see "
        "the results' skipped cases); —: not measured."
    )


def longevity_block(result: dict[str, Any], source: str, chart: str | None) -> list[str]:
    """Markdown lines: per format the degradation and compaction's recovery, then the chart."""
    seq = result.get("sequence") or {}
    lines = [
        "| format | commits | read after load | after the last round | after compact "
        "| growth per 100 commits | growth compaction recovered | data files | metadata |",
        "|---|" + "---:|" * 8,
    ]
    for s in result.get("summary") or []:
        rec = s.get("compaction_recovery")
        growth = s.get("degradation_per_100_commits")
        cells = [
            s["adapter"], _count(s.get("commits")), _seconds(s.get("read_load_s")),
            _seconds(s.get("read_last_round_s")), _seconds(s.get("read_compacted_s")),
            "—" if growth is None or math.isnan(growth) else f"{growth:+.1%}",
            "— (no growth)" if rec is None else f"{rec:.0%}",
            _count(s.get("data_files_last_round")), _mb(s.get("metadata_bytes_last_round")),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    for name, why in (result.get("failed") or {}).items():
        lines.append(f"| {name} | failed: {why} |" + " |" * 7)
    lines += [
        "",
        f"From [`{source}`]({source}): {result.get('dataset', '?')} "
        f"({_count(result.get('rows'))} rows); {seq.get('rounds')} rounds of "
        f"{seq.get('commits')} commits of {_count(seq.get('batch_rows'))} rows, an update and a "
        f"delete of {seq.get('change')} of the rows each round, then compact + vacuum; read "
        f"times are medians of {seq.get('reads')} reads. Growth per 100 commits: the "
        "least-squares slope of read time over the rounds, relative to the read after the "
        "load; recovered: the share of the last round's growth that compaction took back.",
    ]
    if chart:
        lines += ["", f"![read time against commits, per table format]({chart})"]
    return lines


def relative(path: Path, start: Path) -> str:
    """``path`` as README links it: relative to README's folder, with forward slashes."""
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def block(tables: Path, longevity: Path, readme_dir: Path) -> str:
    """The whole generated text: the ops table (or a placeholder), then the longevity part."""
    lines = ["**Table operations.**", ""]
    if tables.is_file():
        src = relative(tables, readme_dir)
        lines += ops_table(tidy(load_results(tables)), src)
    else:
        lines.append(
            f"_No results yet: `scripts/reference_run t` writes `{relative(tables, readme_dir)}`"
            "; then `python scripts/readme_lakehouse.py`._"
        )
    lines += ["", "**Longevity.**", ""]
    if longevity.is_file():
        result = json.loads(longevity.read_text())
        png = result.get("chart_png")
        chart = relative(longevity.parent / png, readme_dir) if png else None
        lines += longevity_block(result, relative(longevity, readme_dir), chart)
    else:
        lines.append(
            f"_No results yet: `scripts/reference_run l` writes "
            f"`{relative(longevity, readme_dir)}` and its chart; then "
            "`python scripts/readme_lakehouse.py`._"
        )
    return "\n".join(lines) + "\n"


BEGIN = "<!-- lakehouse-tables:begin (scripts/readme_lakehouse.py) -->"
END = "<!-- lakehouse-tables:end -->"


def splice(readme: str, text: str) -> str:
    """``readme`` with the text between the lakehouse markers replaced by ``text``."""
    return splice_block(readme, text, BEGIN, END)
