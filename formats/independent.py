"""An independent reader per format family: what another tool finds in an engine's file.

An engine's own read-back can hide what its writer did: DuckDB writes the ends of the
nanosecond range as the text ``infinity`` / ``-infinity`` and its own reader turns that
back, while pyarrow and polars read strings. So the fidelity matrix also reads each file
with the family's reference reader (the library most other tools share).

What that reader finds counts when it differs from what the same reader finds in its own
engine's file of the same column: a reader's own limits (pyarrow inferring a CSV's uint64
as double, failing to parse the last nanosecond of 2262) are the same for every file of the
format and say nothing about this engine's. When it counts and is worse than the engine's
own read-back, the cell takes it, naming the reader. The reference engine itself, and
formats with one engine, are judged on their own read-back alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa

from formats.base import FormatAdapter
from formats.compare import compare_column, parses_to, reraise_interrupts, values_of
from formats.registry import registry

#: Format -> the adapter whose reader checks every other engine's file of that format:
#: Arrow's readers for CSV, JSON Lines, Parquet, Feather and ORC; fastavro for Avro; for a
#: JSON array (Arrow has no reader for one) orjson building Arrow columns; the reference
#: libraries of the table formats.
INDEPENDENT_READERS: dict[str, str] = {
    "CSV": "csv-pyarrow",
    "JSON Lines": "jsonl-orjson",
    "JSON": "json-orjson",
    "Parquet": "parquet-pyarrow",
    "Feather": "feather",
    "ORC": "orc-pyarrow",
    "Avro": "avro-fastavro",
    "Delta Lake": "delta",
    "Apache Iceberg": "iceberg",
}

#: Verdicts from best to worst; an unreadable file is worse than any.
_RANK = {"lossless": 0, "retyped": 1, "changed": 2, "error": 3}


def independent_reader(adapter: FormatAdapter) -> FormatAdapter | None:
    """The reader that checks ``adapter``'s files, told what ``adapter``'s reader is told
    (the same ``schema`` mode); None for the reference engine itself, a format with one
    engine, or a reader not installed here."""
    name = INDEPENDENT_READERS.get(adapter.format)
    if name is None or name == adapter.name:
        return None
    cls = registry.get(name)
    if cls is None:
        return None
    options = {}
    if "schema" in cls.option_specs and "schema" in adapter.options:
        options["schema"] = adapter.options["schema"]
    reader = cls(options)
    return reader if reader.available().ok else None


class IndependentCheck:
    """One reader checking other engines' one-column files, with its own engine's file of
    each column read once (the baseline) in ``workdir``."""

    def __init__(self, reader: FormatAdapter, workdir: Path) -> None:
        self.reader = reader
        self.workdir = workdir
        self._own: dict[str, pa.Table | str | None] = {}

    def verdict(self, single: pa.Table, path: Path, status: str) -> tuple[str, str] | None:
        """(verdict, detail) when reading ``path`` finds something the reader does not find
        in its own engine's file and worse than ``status`` (the engine's own); else None."""
        found = self._read(single, path)
        own = self.baseline(single)
        if _same_read(found, own) or _both_past_the_reader(found, own, single):
            return None
        if isinstance(found, str):
            other, why = "error", found
        elif found.column_names != single.column_names:
            other, why = "changed", f"columns {found.column_names}"
        else:
            other, why = compare_column(single.column(0), found.column(0))
        if _RANK[other] <= _RANK[status]:
            return None
        told = f"{self.reader.name} reads the file: {why or other}"
        return ("changed" if other == "error" else other), told

    def baseline(self, single: pa.Table) -> pa.Table | str | None:
        """What the reader finds in its own engine's file of this column (None: that
        engine cannot write it, so there is nothing to tell apart)."""
        column = single.column_names[0]
        if column not in self._own:
            path = self.workdir / self.reader.file_name(f"independent-{column}")
            try:
                self.reader.write(single, path)
            except BaseException as exc:
                reraise_interrupts(exc)
                self._own[column] = None
            else:
                self._own[column] = self._read(single, path)
        return self._own[column]

    def _read(self, single: pa.Table, path: Path) -> pa.Table | str:
        """The table read, or the error's text."""
        self.reader.know_source(single)
        try:
            return self.reader.read(path)
        except BaseException as exc:
            reraise_interrupts(exc)
            message = str(exc).replace(str(path), "the file")  # comparable across files
            return f"read failed: {type(exc).__name__}: {message}"


def _same_read(found: pa.Table | str, own: pa.Table | str | None) -> bool:
    """Whether two reads by one reader agree: both failed with the same message (the value
    it names included), or the same columns, types and values (NaN equal to NaN, -0.0 not
    0.0)."""
    if own is None:
        return False
    if isinstance(found, str) or isinstance(own, str):
        return found == own
    if found.column_names != own.column_names or found.schema != own.schema:
        return False
    return all(
        compare_column(own.column(i), found.column(i))[0] == "lossless"
        for i in range(found.num_columns)
    )


#: How Arrow's CSV and JSON readers quote the text they could not convert.
_QUOTED_VALUE = re.compile(r"invalid value '(.*)'$|couldn't parse:(.*)$")


def _both_past_the_reader(
    found: pa.Table | str, own: pa.Table | str | None, single: pa.Table
) -> bool:
    """Both files failed the reader on a text that is a source value written another way
    ('1677-09-21T00:12:43.145224193' where its own file has a space): the reader's limit,
    not the file's. A text that is no source value ('-infinity') is the file's."""
    if not (isinstance(found, str) and isinstance(own, str)):
        return False
    match = _QUOTED_VALUE.search(found)
    if match is None:
        return False
    text = match.group(1) if match.group(1) is not None else match.group(2)
    column = single.column(0)
    return any(parses_to(text, v, column.type) for v in values_of(column) if v is not None)
