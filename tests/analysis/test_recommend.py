"""Recommendations on hand-made tidy tables: each profile's obvious winner wins."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from benchmarks.analysis.facts import universality
from benchmarks.analysis.recommend import (
    PROFILES,
    explain,
    metric_ratios,
    parse_weights,
    rank,
)
from benchmarks.analysis.training import DEFAULT_MIN_SHUFFLE, training_frame
from benchmarks.errors import UsageError

# One format excels at each workload; numbers are seconds (or MB for file size).
WORLD = {
    #  adapter: (format, write, read, read_column, scan, take_p50, take_p99, file MB)
    "logger": ("Avro", 1, 10, 10, 10, 10, 10, 5),
    "columnar": ("Parquet", 5, 3, 1, 1, 5, 8, 2),
    "server": ("Feather", 3, 1, 3, 4, 1, 4, 4),
    "indexed": ("Lance", 8, 4, 4, 3, 1.5, 1, 3),
    "tiny": ("Vortex", 10, 6, 5, 5, 6, 6, 1),
    "text": ("CSV", 4, 2, 8, 8, 8, 9, 6),
    "lake": ("Delta Lake", 9, 5, 6, 6, 7, 7, 4),
}
#: The table formats' work: adapter -> (commit, update, delete, merge, cost in dollars).
#: "lake" commits and changes fastest; "indexed" reads faster and costs less; "columnar"
#: (a plain Parquet directory) rewrites files on every change.
TABLE_WORLD = {
    "lake": (1, 1, 1, 1, 2e-5),
    "indexed": (3, 2, 0.5, 4, 1e-5),
    "columnar": (2, 10, 10, 10, 1.5e-5),
}
#: Epochs: adapter -> (shuffle, loader workers, samples/s, measured shuffle quality).
#: The fastest ones deliver an order too orderly for training (quality < 0.9, the default
#: --min-shuffle); among the random-enough ones "indexed" is fastest at its best setting.
EPOCHS = {
    "logger": [("buffer:100", 0, 3000, 0.3)],
    "columnar": [("global", 0, 5000, 0.6), ("none", 0, 9000, 0.0)],  # row groups: too coarse
    "server": [("global", 0, 600, 0.99)],
    "indexed": [("global", 0, 700, 0.99), ("global", 2, 1000, 0.98), ("none", 0, 8000, 0.0)],
    "tiny": [("global", 0, 100, 0.99)],
    "text": [("none", 0, 4000, 0.0)],
}
WINNERS = {
    "logging": "logger",
    "analytics": "columnar",
    "serving": "server",
    "lookups": "indexed",
    "storage": "tiny",
    "interchange": "text",
    "training": "indexed",
    "lakehouse": "lake",
}


def case(adapter: str, fmt: str, op: str, median: float, **extra) -> dict:
    """One tidy row as results.tidy makes it."""
    row = {"dataset": "d", "rows": 100, "cache": "warm", "adapter": adapter, "codec": "c"}
    return {**row, "format": fmt, "operation": op, "median": median, "error": None, **extra}


def world_frame(world: dict = WORLD, dataset: str = "d") -> pd.DataFrame:
    """Rows for write, read, read_column, scan and take of every format in ``world``."""
    rows = []
    for a, (fmt, write, read, col, scan, p50, p99, mb) in world.items():
        size = {"file_bytes": mb * 1e6}
        rows += [
            case(a, fmt, "write", write, **size),
            case(a, fmt, "read", read, peak_memory_bytes=1e6, **size),
            case(a, fmt, "read_column", col, column="id", **size),
            case(a, fmt, "scan", scan, filter="sorted", selectivity=0.01, **size),
            case(a, fmt, "take", p50, k=1, pattern="uniform", p50_s=p50, p99_s=p99, **size),
            case(a, fmt, "append", write, batch_rows=100, append_mode="append", append_p99_s=write),
        ]
        for shuffle, workers, rate, quality in EPOCHS.get(a, []):
            epoch = {"batch_size": 256, "shuffle": shuffle, "loader_workers": workers}
            rows.append(
                case(
                    a,
                    fmt,
                    "epoch",
                    1e5 / rate,
                    samples_per_s=rate,
                    shuffle_quality=quality,
                    time_to_first_batch=1 / rate,
                    **epoch,
                    **size,
                )  # fmt: skip
            )
        if a in TABLE_WORLD:
            *times, usd = TABLE_WORLD[a]
            cost = {"cost": {"usd": usd}}
            rows.append(case(a, fmt, "commit", times[0], batch_rows=100, commits=20, **cost))
            for op, t in zip(("update", "delete", "merge"), times[1:], strict=True):
                rows.append(case(a, fmt, op, t, change=0.01, **cost))
    return pd.DataFrame(rows).assign(dataset=dataset)


@pytest.mark.parametrize("profile", list(PROFILES))
def test_each_profile_picks_its_obvious_winner(profile):
    frame = world_frame()
    if profile == "training":  # only epochs random enough count (advice applies the floor)
        frame = training_frame(frame, DEFAULT_MIN_SHUFFLE)
    ranking = rank(frame, PROFILES[profile])
    assert ranking.iloc[0]["adapter"] == WINNERS[profile]
    assert list(ranking.columns[:4]) == ["adapter", "codec", "score", "missing"]
    # best first among formats measured on every metric; those missing some come after
    complete = ranking["missing"] == ""
    assert complete.is_monotonic_decreasing
    assert ranking[complete]["score"].is_monotonic_increasing


def test_each_format_appends_at_its_best_mode():
    frame = world_frame()
    slow = case("logger", "Avro", "append", 50, batch_rows=100, append_mode="file-per-batch")
    ratios = metric_ratios(pd.concat([frame, pd.DataFrame([slow])]), "append")
    assert ratios[("logger", "c")] == 1.0  # its true append counts, not the slow mode
    assert ratios[("tiny", "c")] == pytest.approx(10.0)


def test_ratios_are_relative_to_the_best_format_per_case():
    frame = world_frame()
    ratios = metric_ratios(frame, "write")
    assert ratios[("logger", "c")] == 1.0
    assert ratios[("tiny", "c")] == pytest.approx(10.0)
    size = metric_ratios(frame, "file_bytes")
    assert size[("tiny", "c")] == 1.0 and size[("text", "c")] == pytest.approx(6.0)


def test_score_is_the_weighted_geometric_mean_of_ratios():
    ranking = rank(world_frame(), {"write": 3, "file_bytes": 1}).set_index("adapter")
    # columnar: write ratio 5, size ratio 2 -> (5**3 * 2) ** (1/4)
    assert ranking.loc["columnar", "score"] == pytest.approx((5**3 * 2) ** 0.25)
    assert ranking.loc["logger", "write"] == 1.0


def test_ratios_average_geometrically_over_datasets():
    a = world_frame(dataset="a")
    b = world_frame(dataset="b")
    b.loc[(b["adapter"] == "tiny") & (b["operation"] == "write"), "median"] = 0.5  # tiny best here
    ratios = metric_ratios(pd.concat([a, b]), "write")
    assert ratios[("tiny", "c")] == pytest.approx(math.sqrt(10 * 1))
    assert ratios[("logger", "c")] == pytest.approx(math.sqrt(1 * 2))


def test_a_format_missing_a_metric_ranks_after_complete_ones():
    frame = world_frame()
    frame = frame[~((frame["adapter"] == "server") & (frame["operation"] == "take"))]
    ranking = rank(frame, {"read": 1.0, "take_p50": 1.0})
    assert ranking.iloc[-1]["adapter"] == "server"  # best read, but no lookup timing
    assert ranking.iloc[-1]["missing"] == "take_p50"
    assert (ranking.iloc[:-1]["missing"] == "").all()


def test_failed_cases_do_not_count():
    frame = world_frame()
    failed = (frame["adapter"] == "tiny") & (frame["operation"] == "write")
    frame.loc[failed, "median"] = float("nan")
    frame["error"] = frame["error"].astype(object)
    frame.loc[failed, "error"] = "boom"
    assert ("tiny", "c") not in metric_ratios(frame, "write").index


def test_unmeasured_metrics_are_dropped_and_reported():
    frame = world_frame()
    ranking = rank(frame[frame["operation"] != "scan"], PROFILES["analytics"])
    assert ranking.attrs["unmeasured"] == ["scan"]
    assert "scan" not in ranking.columns


def test_nothing_measured_is_a_usage_error():
    frame = world_frame()
    with pytest.raises(UsageError, match="no case in these results measures take_p99"):
        rank(frame[frame["operation"] != "take"], {"take_p99": 1})


def test_explain_names_the_decisive_metric_and_margin():
    weights = PROFILES["storage"]
    sentence = explain(rank(world_frame(), weights), weights)
    assert sentence.startswith("tiny (c) wins on file_bytes: 2.00x smaller than runner-up")
    assert "columnar (c)" in sentence


def test_explain_handles_a_single_format_and_ties():
    frame = world_frame({"only": WORLD["text"]})
    assert "only format" in explain(rank(frame, {"read": 1}), {"read": 1})
    twins = world_frame({"a": WORLD["text"], "b": WORLD["text"]})
    assert "ties with runner-up" in explain(rank(twins, {"read": 1}), {"read": 1})


def test_explain_calls_a_win_below_half_a_percent_a_tie():
    """A margin that prints as 1.00x is not a win to state ("1.00x faster than")."""
    near = ("CSV", 4, 2.005, 8, 8, 8, 9, 6)
    sentence = explain(rank(world_frame({"a": WORLD["text"], "b": near}), {"read": 1}), {"read": 1})
    assert sentence.startswith("a (c) and runner-up b (c) tie on read (within 0.5%)")
    assert "1.00x" not in sentence


def test_universality_is_what_the_adapter_declares():
    """Registered adapters score 1 + their declared readers; an adapter known only from a
    results file scores what the file recorded; an unknown one has no score (not 1)."""
    frame = pd.DataFrame(
        {
            "adapter": ["csv-pyarrow", "parquet-pyarrow", "lance", "gone", "other", "mystery"],
            "format": ["CSV", "Parquet", "Lance", "Gone", "JSON Lines", "Mystery"],
            "readers": [None, None, None, "duckdb,pandas", None, None],
        }
    )
    score = {a: universality(frame, a) for a in frame["adapter"]}
    assert score["csv-pyarrow"] > score["parquet-pyarrow"] > score["lance"] == 1
    assert score["gone"] == 3  # recorded by the results file: its adapter is not installed
    assert score["other"] == 9  # not registered: a registered JSON Lines engine declares it
    assert score["mystery"] is None


def test_parse_weights_reads_metric_number_pairs():
    assert parse_weights("write=1, read=0.2") == {"write": 1.0, "read": 0.2}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("wrte=1", "unknown metric 'wrte'"),
        ("write=fast", "'fast' for write is not a number"),
        ("write", "expected METRIC=NUMBER"),
        ("write=1,,read=1", "expected METRIC=NUMBER"),
        ("write=-1", "must be >= 0"),
        ("write=nan", "must be >= 0"),
        ("write=0", "at least one weight must be positive"),
    ],
)
def test_parse_weights_refuses_bad_input(text, needle):
    with pytest.raises(UsageError, match=needle.replace("(", r"\(")):
        parse_weights(text)


def test_the_lakehouse_profile_weighs_cost_and_names_it():
    ranking = rank(world_frame(), PROFILES["lakehouse"]).set_index("adapter")
    assert ranking.loc["indexed", "cost"] == 1.0  # the cheapest case cost
    assert ranking.loc["lake", "cost"] == pytest.approx(2.0)
    assert "cost" in ranking.columns and not ranking.loc["lake", "missing"]
    assert "commit" in ranking.loc["server", "missing"]  # no table: ranked after, says why
