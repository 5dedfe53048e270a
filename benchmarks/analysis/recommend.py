"""Which format for which workload: weighted scores over the measured metrics.

Each metric is normalised per case by the best format's value, so every format gets a
ratio >= 1 (1 = best, 2 = twice the best's time, bytes or memory). A profile's weights
combine those ratios with a weighted geometric mean, because:

- ratios are multiplicative: "2x slower" means the same on a 1 ms read and a 10 s write,
  and the geometric mean treats it so (an arithmetic mean would let the slowest
  operation's ratio drown the others);
- it is unit-free: seconds, bytes and a universality score combine without choosing
  units or scales;
- it is order-preserving under rescaling, so the ranking does not depend on which
  format happens to be the best (and the score of a format best at everything is 1).

A format with no value for a weighted metric (the case failed or was not run for it) is
ranked after every format that has them all, since a missing number is not a good one.

Timed metrics use each case's ratio to its group's fastest, from rounds taken side by
side, where every format of the case has one (analysis/paired.py): the same ranking a
median would give, without the drift two medians measured apart carry.

These are pure functions over the tidy frame (``benchmarks.run.results.tidy``) so they can be
tested on a hand-made table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.analysis import facts
from benchmarks.analysis.cells import PARAM_KEYS
from benchmarks.analysis.paired import relative_times
from benchmarks.errors import UsageError

#: Columns that identify one case apart from the format: ratios are taken within a case.
#: Not the append mode: it is how a format appends, and each format counts at its best one.
CASE_KEYS = ("dataset", "rows", "cache", *(k for k in PARAM_KEYS if k != "append_mode"))


@dataclass(frozen=True)
class Metric:
    """One measured quantity: which rows it comes from, which column, and how to compare."""

    description: str
    operation: str | None  # the operation whose rows hold the value; None: any row
    column: str
    higher_is_better: bool = False
    per_case: bool = True  # False: one value per (dataset, rows), e.g. the file size
    word: str = "faster"  # for explain(): "2.1x faster"
    where: tuple[tuple[str, object], ...] = ()  # only rows with these parameters (k=1)

    def needs(self) -> str:
        """What a run must measure for this metric, in words: 'take k=1', 'epoch'."""
        wanted = " ".join(f"{k}={v}" for k, v in self.where)
        return " ".join(filter(None, [self.operation or "any", wanted]))


#: Universality is a fact about a format, not a timing: which of these widely used tools
#: read its files out of the box (no plugin, no schema file, no extra package). Each
#: adapter declares its set (``FormatAdapter.readers``); this is the vocabulary.
TOOLS: dict[str, str] = {
    "spreadsheet": "Excel, LibreOffice and Google Sheets open the file",
    "python": "Python's standard library parses it",
    "javascript": "JavaScript parses it with no library (JSON.parse)",
    "shell": "Unix text tools work on it (grep, awk, jq)",
    "postgres": "PostgreSQL loads it with COPY",
    "pandas": "pandas has a reader (read_csv, read_parquet, read_orc, ...)",
    "duckdb": "DuckDB reads it with its built-in readers",
    "spark": "Apache Spark reads it with no extra package",
    "warehouse": "BigQuery and Snowflake load jobs accept it",
    "polars": "Polars has a reader",
}

METRICS: dict[str, Metric] = {
    "write": Metric("median time to write the table", "write", "median"),
    "read": Metric("median time to read the whole file", "read", "median"),
    "read_column": Metric("median time to read one column", "read_column", "median"),
    "scan": Metric("median time of a filtered scan", "scan", "median"),
    "take_p50": Metric("median latency of a row lookup (take)", "take", "p50_s"),
    "take_p99": Metric("99th percentile latency of a row lookup (take)", "take", "p99_s"),
    "lookup_p50": Metric(
        "median latency of a single-row lookup (take k=1)", "take", "p50_s", where=(("k", 1),)
    ),
    "samples_per_s": Metric(
        "samples per second of an epoch of shuffled mini-batches",
        "epoch",
        "samples_per_s",
        higher_is_better=True,
    ),
    "time_to_first_batch": Metric(
        "time to an epoch's first mini-batch", "epoch", "time_to_first_batch", word="sooner"
    ),
    "append": Metric(
        "time to append the rows in batches of B (per batch size)", "append", "median"
    ),
    "append_p99": Metric("99th percentile latency of one append", "append", "append_p99_s"),
    "commit": Metric("time of N commits of B rows (per batch size)", "commit", "median"),
    "commit_p99": Metric("99th percentile latency of one commit", "commit", "commit_p99_s"),
    "update": Metric("median time to update a fraction of the rows", "update", "median"),
    "delete": Metric("median time to delete a fraction of the rows", "delete", "median"),
    "merge": Metric("median time to upsert a fraction of the rows", "merge", "median"),
    "time_travel": Metric("median time to read an old version", "time_travel", "median"),
    "compact": Metric("median time to compact small files", "compact", "median"),
    "file_bytes": Metric("bytes on disk", None, "file_bytes", per_case=False, word="smaller"),
    "cost": Metric(
        "US dollars at list prices: a month of the case's storage + one call's requests "
        "(median over the format's cases)",
        None,
        "cost_usd",
        word="cheaper",
    ),
    "memory": Metric("peak memory of a full read", "read", "peak_memory_bytes", word="leaner"),
    "universality": Metric(
        "1 + how many common tools read the format (the adapter's declared readers)",
        None,
        "universality",
        higher_is_better=True,
        per_case=False,
        word="more widely readable",
    ),
}

PROFILES: dict[str, dict[str, float]] = {
    "logging": {"append": 1.0, "append_p99": 0.5, "file_bytes": 0.3},
    "analytics": {"read_column": 1.0, "scan": 1.0},
    "serving": {"lookup_p50": 1.0},
    "lookups": {"take_p99": 1.0, "take_p50": 0.5},
    "storage": {"file_bytes": 1.0},
    "interchange": {"universality": 1.0, "read": 0.3},
    # only epochs whose delivered order reaches --min-shuffle count (analysis/training.py)
    "training": {"samples_per_s": 1.0},
    "lakehouse": {
        "commit": 1.0, "update": 0.5, "delete": 0.5, "merge": 0.5, "read": 1.0, "cost": 0.25,
    },
}  # fmt: skip

PROFILE_TITLES: dict[str, str] = {
    "logging": "Logging: many small appends (append time, tail latency, some size)",
    "analytics": "Analytics: scans and reading a few columns",
    "serving": "Serving: single-row lookups by position or id (median latency of take k=1)",
    "lookups": "Random lookups: tail latency of rows by position",
    "storage": "Smallest storage: bytes on disk",
    "interchange": "Interchange with other tools, read speed second",
    "training": "Training: the fastest epoch whose delivered order reaches --min-shuffle",
    "lakehouse": "Lakehouse tables: commits, row-level changes and reads, cost shown",
}


def parse_weights(text: str) -> dict[str, float]:
    """``"write=1,read=0.2"`` -> weights; UsageError naming the bad item."""
    weights: dict[str, float] = {}
    for item in (t.strip() for t in text.split(",")):
        name, sep, number = (s.strip() for s in item.partition("="))
        if not sep or not name:
            raise UsageError(f"--weights: expected METRIC=NUMBER, got {item!r}")
        if name not in METRICS:
            raise UsageError(f"--weights: unknown metric '{name}'; known: {', '.join(METRICS)}")
        try:
            value = float(number)
        except ValueError:
            raise UsageError(f"--weights: {number!r} for {name} is not a number") from None
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"--weights: weight of {name} must be >= 0, got {number}")
        weights[name] = value
    if not any(weights.values()):
        raise UsageError("--weights: at least one weight must be positive")
    return weights


def _usable(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows without an error and with a positive finite value in ``column``."""
    ok = frame[frame["error"].isna()] if "error" in frame else frame
    if column not in ok:
        return ok.iloc[0:0]
    values = pd.to_numeric(ok[column], errors="coerce")
    return ok[np.isfinite(values) & (values > 0)].assign(**{column: values})


def _values(frame: pd.DataFrame, metric: Metric) -> tuple[pd.DataFrame, list[str]]:
    """One value per (case, adapter, codec) for ``metric``, and the case key columns."""
    if metric.column == "universality":
        scores = {a: facts.universality(frame, a) for a in frame["adapter"].dropna().unique()}
        frame = frame.assign(universality=frame["adapter"].map(scores).astype(float))
    if metric.column == "cost_usd" and "cost_usd" not in frame:
        frame = frame.assign(cost_usd=cost_usd(frame))
    if metric.column == "median":  # side-by-side ratios where every case has one
        frame = relative_times(frame, CASE_KEYS)
    sub = _usable(frame, metric.column)
    if metric.operation is not None and "operation" in sub:
        sub = sub[sub["operation"] == metric.operation]
    for key, wanted in metric.where:
        sub = sub[sub[key] == wanted] if key in sub else sub.iloc[0:0]
    keys = CASE_KEYS if metric.per_case else ("dataset", "rows")
    # universality is a fact about the format, not the case: one value per format
    keys = [k for k in keys if k in sub and metric.column != "universality"]
    if sub.empty:
        return pd.DataFrame(columns=[*keys, "adapter", "codec", "value"]), keys
    group = [*keys, "adapter", "codec"]
    if "append_mode" in sub and metric.operation == "append":
        # each format at its best way of appending (a true append, row groups, files)
        per_mode = sub.groupby([*group, "append_mode"], dropna=False)[metric.column].median()
        values = per_mode.groupby(group, dropna=False).min().reset_index()
        return values.rename(columns={metric.column: "value"}), keys
    values = sub.groupby(group, dropna=False)[metric.column].median().reset_index()
    return values.rename(columns={metric.column: "value"}), keys


def cost_usd(frame: pd.DataFrame) -> pd.Series:
    """Each row's recorded cost (``extra_info["cost"]["usd"]``), NaN where none."""
    if "cost" not in frame:
        return pd.Series(np.nan, index=frame.index)
    return frame["cost"].map(lambda c: c.get("usd", np.nan) if isinstance(c, dict) else np.nan)


def metric_ratios(frame: pd.DataFrame, name: str) -> pd.Series:
    """Per (adapter, codec): geometric mean over cases of value / best value (>= 1)."""
    metric = METRICS[name]
    values, keys = _values(frame, metric)
    if values.empty:
        return pd.Series(dtype=float, name=name)
    how = "max" if metric.higher_is_better else "min"
    if keys:
        best = values.groupby(keys, dropna=False)["value"].transform(how)
    else:
        best = pd.Series(values["value"].agg(how), index=values.index)
    ratio = best / values["value"] if metric.higher_is_better else values["value"] / best
    logs = np.log(ratio.astype(float)).groupby([values["adapter"], values["codec"]]).mean()
    return np.exp(logs).rename(name)


def rank(frame: pd.DataFrame, weights: dict[str, float]) -> pd.DataFrame:
    """Formats best first: adapter, codec, score, missing, then one ratio column per metric.

    Metrics no format measured are dropped (listed in ``result.attrs["unmeasured"]``);
    UsageError when none of the weighted metrics was measured at all.
    """
    wanted = {m: w for m, w in weights.items() if w > 0}
    ratios = {m: metric_ratios(frame, m) for m in wanted}
    measured = {m: w for m, w in wanted.items() if not ratios[m].empty}
    if not measured:
        raise UsageError(f"no case in these results measures {', '.join(wanted)}")
    table = pd.concat([ratios[m] for m in measured], axis=1)
    logs = np.log(table[list(measured)])
    w = pd.Series(measured)
    present = logs.notna()
    weight_sum = present.mul(w, axis=1).sum(axis=1)
    table["score"] = np.exp(logs.fillna(0).mul(w, axis=1).sum(axis=1) / weight_sum)
    table["missing"] = (~present).apply(
        lambda row: ", ".join(m for m, gone in row.items() if gone), axis=1
    )
    table["n_missing"] = (~present).sum(axis=1)
    table = table.reset_index(names=["adapter", "codec"])
    table = table.sort_values(["n_missing", "score", "adapter"], kind="stable")
    table = table.drop(columns="n_missing").reset_index(drop=True)
    table = table[["adapter", "codec", "score", "missing", *measured]]
    table.attrs["unmeasured"] = [m for m in wanted if m not in measured]
    return table


def explain(ranking: pd.DataFrame, weights: dict[str, float]) -> str:
    """One sentence: why the winner wins, naming its decisive metric and the margin."""
    if ranking.empty:
        return "No format has measurements for this profile."
    win = ranking.iloc[0]
    name = _name(win)
    if len(ranking) == 1:
        return f"{name} is the only format measured for this profile."
    second = ranking.iloc[1]
    other = _name(second)
    metrics = [m for m in weights if m in ranking and pd.notna(win[m]) and pd.notna(second[m])]
    if not metrics:
        return f"{name} ranks first: it is the only one measured on {', '.join(weights)}."
    gain = {m: weights[m] * math.log(second[m] / win[m]) for m in metrics}
    best = max(gain, key=gain.__getitem__)
    margin = second[best] / win[best]
    scores = f"score {win['score']:.2f} vs {second['score']:.2f}"
    if gain[best] <= 1e-9:
        return f"{name} ties with runner-up {other} on every weighted metric ({scores})."
    if f"{margin:.2f}" == "1.00":  # "1.00x faster" would claim a win it cannot show
        return (
            f"{name} and runner-up {other} tie on {best} (within 0.5%); "
            f"{name} is listed first by its score ({scores})."
        )
    return (
        f"{name} wins on {best}: {margin:.2f}x {METRICS[best].word} than "
        f"runner-up {other} ({scores})."
    )


def _name(row: pd.Series) -> str:
    """A ranking row as words: its ``label`` (engine and codec) or ``adapter (codec)``."""
    label = row.get("label")
    return str(label) if isinstance(label, str) else f"{row['adapter']} ({row['codec']})"
