"""Facts shared by every engine of one format: who else reads it, which ``--data`` suffixes
it loads. An adapter copies them onto its class (``readers = PARQUET.readers``), so a new
engine of Parquet declares the same universality as the others with one line.

The reader names are the keys of ``benchmarks/analysis/recommend.TOOLS``; a format's own
library always counts as one more reader (universality = 1 + len(readers)). See
docs/ARCHITECTURE.md "Facts on the adapter".
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every tool of benchmarks/analysis/recommend.TOOLS (kept in step by tests/formats).
ALL_TOOLS = frozenset(
    {"spreadsheet", "python", "javascript", "shell", "postgres", "pandas", "duckdb", "spark"}
    | {"warehouse", "polars"}
)


@dataclass(frozen=True)
class Family:
    """One format's facts, the same whichever engine reads or writes it."""

    readers: frozenset[str] = frozenset()
    data_suffixes: tuple[str, ...] = ()
    unsafe: str = ""
    #: What a ``--data`` file of this family is called in messages and results.
    label: str = ""


CSV = Family(ALL_TOOLS - {"javascript"}, (".csv",), label="CSV")
JSON = Family(ALL_TOOLS - {"spreadsheet", "postgres"})
JSON_LINES = Family(JSON.readers, (".jsonl", ".ndjson"), label="JSON Lines")
PARQUET = Family(frozenset({"pandas", "duckdb", "spark", "warehouse", "polars"}), (".parquet",),
                 label="Parquet")  # fmt: skip
ORC = Family(frozenset({"pandas", "spark", "warehouse"}), (".orc",), label="ORC")
# Spark's Avro support is the separate spark-avro package; DuckDB's is an extension
AVRO = Family(frozenset({"warehouse", "polars"}), (".avro",), label="Avro")
ARROW_IPC = Family(frozenset({"pandas", "polars"}), (".feather", ".arrow"),
                   label="Arrow IPC/Feather")  # fmt: skip
