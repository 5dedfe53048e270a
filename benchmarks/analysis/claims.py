"""Published claims about data formats, each with the experiment that checks it here.

A claim names the reference results file that may already hold its experiment
(``results/reference/<reference>.json``) and the small run that measures it when that file
does not (``experiment``: ``fmtbench run`` arguments, or ``scripts/longevity.py``'s).
``measure`` reads a results document and returns the figure measured here, whether the
claim holds (yes / partly / no) and, when it does not fully, the likely reason; ``None``
when the document does not contain the experiment. Judging is by direction and order of
magnitude, never by a close match: this machine, its data and its library versions differ
from the source's.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]


@dataclass(frozen=True)
class Measured:
    """What one claim's experiment gave here."""

    figure: str
    value: float | None
    holds: str  # yes | partly | no
    reason: str = ""


@dataclass(frozen=True)
class Claim:
    """A published claim, where it was said, and how it is checked here."""

    id: str
    text: str
    source: str
    published: str
    reference: str  # results/reference/<reference>.json that may hold it ("" none)
    experiment: str  # fmtbench run arguments (or scripts/longevity.py's), shell-quoted
    measure: Callable[[Doc], Measured | None]
    tool: str = "fmtbench run"  # or "scripts/longevity.py"


def cases(doc: Doc) -> Iterator[tuple[dict[str, Any], float]]:
    """(extra_info, median seconds) of every case that passed."""
    for b in doc.get("benchmarks", []):
        if b.get("stats") and not b["extra_info"].get("error"):
            yield b["extra_info"], b["stats"]["median"]


def _pick(doc: Doc, adapter: str, op: str, **want: Any) -> list[tuple[dict, float]]:
    """Cases of ``adapter`` and ``op`` whose extra_info (or options) match ``want``;
    a callable value is a predicate."""

    def ok(e: dict, key: str, value: Any) -> bool:
        got = e.get(key, (e.get("options") or {}).get(key))
        return value(got) if callable(value) else got == value

    return [
        (e, t)
        for e, t in cases(doc)
        if e.get("adapter") == adapter
        and e.get("operation") == op
        and all(ok(e, k, v) for k, v in want.items())
    ]


def _median(doc: Doc, adapter: str, op: str, **want: Any) -> float | None:
    found = _pick(doc, adapter, op, **want)
    return statistics.median(t for _, t in found) if found else None


def _grade(ratio: float, yes: float, partly: float = 1.0) -> str:
    return "yes" if ratio >= yes else "partly" if ratio > partly else "no"


def _take_claim(fmt: str, k_ok: Callable[[Any], bool], published: float) -> Callable:
    def measure(doc: Doc) -> Measured | None:
        fast = _pick(doc, fmt, "take", k=k_ok, pattern="uniform")
        if not fast:
            return None
        k = fast[0][0]["k"]
        t_fmt = _median(doc, fmt, "take", k=k, pattern="uniform")
        t_pq = _median(doc, "parquet-pyarrow", "take", k=k, pattern="uniform")
        if t_pq is None or not t_fmt:
            return None
        ratio = t_pq / t_fmt
        rows = fast[0][0].get("rows")
        figure = (
            f"{fmt} {t_fmt * 1e3:.2f} ms vs Parquet (pyarrow) {t_pq * 1e3:.2f} ms per "
            f"{k}-row take on {rows:,} rows ({ratio:.1f}x)"
        )
        grade = _grade(ratio, published / 10)
        reason = (
            ""
            if grade == "yes"
            else (
                "fmtbench's Parquet take reads only the row groups (122,880 rows each) the rows "
                "fall in; the published Parquet figure reads far more per lookup (another "
                "reader, default layout, a wider table)"
            )
        )
        return Measured(figure, ratio, grade, reason)

    return measure


def _sizes(doc: Doc) -> Measured | None:
    ratios = {}
    for e, _ in cases(doc):
        if e.get("adapter") == "parquet-pyarrow" and e.get("file_bytes"):
            csv = [
                c
                for c, _ in cases(doc)
                if c.get("adapter") == "csv-pyarrow"
                and c.get("dataset") == e["dataset"]
                and c.get("codec") in (None, "none")
                and c.get("file_bytes")
            ]
            if csv:
                ratios[e["dataset"]] = (csv[0]["file_bytes"], e["file_bytes"])
    if not ratios:
        return None
    parts = [
        f"{d}: {c / 1e6:.1f} MB -> {p / 1e6:.1f} MB ({c / p:.1f}x)" for d, (c, p) in ratios.items()
    ]
    value = statistics.median(c / p for c, p in ratios.values())
    grade = _grade(value, 0.75 * 14 / 6)
    reason = (
        ""
        if grade == "yes"
        else "the ratio depends on the data: short numeric text "
        "compresses less than the book's table"
    )
    return Measured("; ".join(parts), value, grade, reason)


def _column_speedups(doc: Doc) -> Measured | None:
    columnar = ("parquet-pyarrow", "orc-pyarrow", "feather", "lance", "vortex")
    speedups = {}
    for adapter in ("csv-pyarrow", *columnar):
        full = _median(doc, adapter, "read")
        one = _median(doc, adapter, "read_column")
        if full and one:
            speedups[adapter] = full / one
    csv = speedups.pop("csv-pyarrow", None)
    if csv is None or not speedups:
        return None
    figure = ", ".join(f"{a} {s:.1f}x" for a, s in speedups.items()) + f"; CSV {csv:.1f}x"
    value = statistics.median(speedups.values())
    grade = "yes" if min(speedups.values()) >= 2 * csv else "partly" if value > csv else "no"
    reason = (
        ""
        if grade == "yes"
        else (
            "a format whose full read is already near memory speed (Feather, uncompressed) has "
            "little to gain; the read_column case reads a column of a wide or narrow table alike"
        )
    )
    return Measured(figure, value, grade, reason)


def _threads(doc: Doc) -> Measured | None:
    got = {}
    groups = {(e.get("options") or {}).get("row_group_size") for e, _ in cases(doc)}
    for rgs in sorted(g for g in groups if g):
        one = _median(doc, "parquet-pyarrow", "read", threads=1, row_group_size=rgs)
        two = _median(doc, "parquet-pyarrow", "read", threads=2, row_group_size=rgs)
        if one and two:
            got[rgs] = one / two
    if not got:
        return None
    figure = "; ".join(
        f"row groups of {r:,} rows: 1 thread / 2 threads = {x:.2f}x" for r, x in got.items()
    )
    big = got[max(got)]  # the fewest row groups: the single-row-group file
    grade = _grade(big, 1.3, 1.05)
    reason = (
        ""
        if grade == "yes"
        else (
            "2 cores cap the gain at 2x (the issue's machine had more), and other work on the "
            "cores takes the second thread's share"
        )
    )
    return Measured(figure, big, grade, reason)


def _zstd_levels(doc: Doc) -> Measured | None:
    sizes = {}
    for e, _ in cases(doc):
        level = (e.get("options") or {}).get("compression_level")
        if e.get("adapter") == "parquet-duckdb" and e.get("codec") == "zstd" and level:
            sizes[level] = e["file_bytes"]
    if len(sizes) < 2:
        return None
    levels = sorted(sizes)
    figure = ", ".join(f"level {lv}: {sizes[lv] / 1e6:.3g} MB" for lv in levels)
    saving = 1 - sizes[levels[-1]] / sizes[levels[0]]
    figure += f" ({saving:.1%} smaller at {levels[-1]} than at {levels[0]})"
    shrinking = all(sizes[a] >= sizes[b] for a, b in zip(levels, levels[1:], strict=False))
    grade = "yes" if shrinking and saving >= 0.075 else "partly" if saving > 0 else "no"
    reason = (
        ""
        if grade == "yes"
        else (
            "a smaller table gives zstd less to find at high levels; dictionary and RLE "
            "encodings already removed most redundancy before the codec"
        )
    )
    return Measured(figure, saving, grade, reason)


def _longevity(doc: Doc) -> Measured | None:
    summary = doc.get("summary")
    if not summary:
        return None
    parts, degrade, recover = [], 0, 0
    for s in summary:
        rec = s.get("compaction_recovery")
        parts.append(
            f"{s['adapter']} {s['degradation_per_100_commits']:+.0%} per 100 commits, "
            + (f"compaction recovered {rec:.0%}" if rec is not None else "nothing to recover")
        )
        degrade += s["degradation_per_100_commits"] > 0.05
        recover += rec is not None and rec >= 0.5
    n = len(summary)
    grade = "yes" if degrade * 2 >= n and recover * 2 >= n else "partly" if degrade else "no"
    reason = (
        ""
        if grade == "yes"
        else (
            "a small table and few commits: the small files add little read time next to the "
            "data, and LST-Bench measured Spark and Trino on cloud storage, where each file is "
            "a request"
        )
    )
    return Measured("; ".join(parts), degrade / n, grade, reason)


TAKE_RUN = (
    "--datasets tpch-lineitem:1 --rows 3300000 --formats parquet-pyarrow,lance,vortex "
    "--ops take --k 1,50 --patterns uniform"
)

CLAIMS: tuple[Claim, ...] = (
    Claim(
        "vortex-take",
        "Vortex fetches a random row far faster than Parquet (0.35 ms vs 94 ms).",
        "https://github.com/vortex-data/vortex/pull/1246 (3.3M-row NYC taxi table)",
        "Parquet 94.0 ms, Vortex 0.35 ms per random-access run (~270x)",
        "access_tpch",
        TAKE_RUN,
        _take_claim("vortex", lambda k: k == 1, 94.0 / 0.35),
    ),
    Claim(
        "lance-take",
        "Lance takes 20-50 random rows ~100x faster than Parquet.",
        "LanceDB, 'Benchmarking random access in Lance' "
        "(https://blog.lancedb.com/benchmarking-random-access-in-lance)",
        "~100x (the post's and Lance's headline; 1,000 queries of 20-50 random rows of "
        "100M 1,000-character strings)",
        "access_tpch",
        TAKE_RUN,
        _take_claim("lance", lambda k: k is not None and 20 <= k <= 50, 100.0),
    ),
    Claim(
        "csv-parquet-size",
        "A 14 MB CSV file is 6 MB as Parquet.",
        "the book this project follows (issue 27)",
        "14 MB -> 6 MB (2.3x smaller)",
        "core",
        (
            "--datasets mixed,tpch-lineitem:0.1 --formats csv-pyarrow,parquet-pyarrow "
            "--ops write --rounds 1"
        ),
        _sizes,
    ),
    Claim(
        "column-speedup",
        "Columnar formats read one column for a fraction of a full read; CSV cannot.",
        "the book this project follows (issue 27)",
        "qualitative: a large one-column speed-up for column stores, none for CSV",
        "core",
        (
            "--datasets tpch-lineitem:0.1 --ops read,read_column --formats "
            "csv-pyarrow,parquet-pyarrow,orc-pyarrow,feather,lance,vortex"
        ),
        _column_speedups,
    ),
    Claim(
        "arrow-threads",
        "Arrow's threads halve a Parquet read of one row group; with many row groups "
        "use_threads makes no difference.",
        "https://github.com/apache/arrow/issues/38434",
        "1 row group: 79.4 ms without threads vs 38.3 ms with (2.1x); 16 row groups: "
        "50.5 vs 53.4 ms (none)",
        "",
        (
            "--datasets tpch-lineitem:0.1 --formats parquet-pyarrow "
            "--ops read --threads 1,2 --option row_group_size=65536,1048576"
        ),
        _threads,
    ),
    Claim(
        "zstd-level",
        "A higher zstd level makes Parquet smaller (and writes slower).",
        "https://github.com/duckdb/duckdb/pull/11791 (lineitem SF 10)",
        "level 1: 1.61 GB, 3: 1.55 GB, 10: 1.47 GB, 22: 1.37 GB (15% smaller at 22)",
        "",
        (
            "--datasets tpch-lineitem:0.1 --formats parquet-duckdb --codecs zstd "
            "--ops write --option compression_level=1,3,10,22 --rounds 1"
        ),
        _zstd_levels,
    ),
    Claim(
        "lst-longevity",
        "Reads of a table format degrade as commits accumulate; compaction recovers them.",
        "LST-Bench (Camacho-Rodriguez et al., SIGMOD 2024, https://arxiv.org/abs/2305.01120)",
        "qualitative: read latency grows with the number of commits, compaction restores it",
        "longevity",
        "--dataset tpch-lineitem:0.01 --rounds 3 --commits 20",
        _longevity,
        tool="scripts/longevity.py",
    ),
)


def by_id() -> dict[str, Claim]:
    """Every claim by its id."""
    return {c.id: c for c in CLAIMS}
