"""Row sampling: take a representative subset of a table, and measure what it costs in fidelity.

A benchmark on a sample is only honest if the sample compresses like the source, so each
method keeps a defining property (``head`` is a prefix, ``stratified`` keeps group
proportions, ``reservoir`` is uniform in one pass) and ``compression_ratio_delta`` reports
how far the sample's compression ratio drifts from the full table's.

Every method keeps the source's row order: a random subset of a sorted column stays sorted,
which is what the source's encoders (delta, run-length) would have seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.errors import UsageError
from formats.registry import unknown_message

#: Each method and the argument forms it accepts (also the help text of a bad spec).
METHODS = {
    "head": "head:N",
    "random": "random:FRACTION|N",
    "stratified": "stratified:COLUMN:FRACTION",
    "quota": "quota:COLUMN:N",
    "systematic": "systematic:K",
    "reservoir": "reservoir:N",
}
_FORMS = ", ".join(METHODS.values())


@dataclass(frozen=True)
class SampleSpec:
    """A parsed sample method: which method, and its column, fraction, count or step."""

    method: str
    n: int | None = None
    fraction: float | None = None
    column: str | None = None

    def __str__(self) -> str:
        """The spec in its command-line form, e.g. ``stratified:status:0.1`` (for params)."""
        size = self.n if self.n is not None else _format_fraction(self.fraction)
        parts = [self.method, self.column, size]
        return ":".join(str(p) for p in parts if p is not None)


def _format_fraction(fraction: float | None) -> str | None:
    """A fraction as written back into a spec: ``0.1``, never ``0.1000000001``."""
    return None if fraction is None else repr(float(fraction))


def _bad(spec: str, what: str) -> UsageError:
    """One-line error for a malformed spec, listing the accepted forms."""
    return UsageError(f"bad sample '{spec}': {what}; use one of {_FORMS}")


def _parse_count(spec: str, text: str, name: str = "N") -> int:
    """A positive integer argument (``N`` or ``K``)."""
    try:
        value = int(text)
    except ValueError:
        raise _bad(spec, f"{name} must be a whole number, got '{text}'") from None
    if value < 1:
        raise _bad(spec, f"{name} must be at least 1, got {value}")
    return value


def _parse_fraction(spec: str, text: str) -> float:
    """A fraction in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise _bad(spec, f"FRACTION must be a number in (0, 1], got '{text}'") from None
    if not 0.0 < value <= 1.0:
        raise _bad(spec, f"FRACTION must be in (0, 1], got {text}")
    return value


def _is_integer_literal(text: str) -> bool:
    """``random:10`` means ten rows; ``random:0.1`` or ``random:1.0`` mean a fraction."""
    return text.strip().lstrip("+-").isdigit()


def parse_sample(spec: str) -> SampleSpec:
    """Parse ``METHOD:ARGS`` (see METHODS); a bad spec is a one-line UsageError."""
    method, _, rest = spec.strip().partition(":")
    if not method:
        raise UsageError(f"empty sample spec; use one of {_FORMS}")
    if method not in METHODS:
        raise UsageError(f"{unknown_message('sample method', method, list(METHODS))}; use {_FORMS}")
    if not rest:
        raise _bad(spec, f"{method} needs an argument ({METHODS[method]})")
    if method in ("stratified", "quota"):
        column, sep, arg = rest.rpartition(":")
        if not sep or not column:
            raise _bad(spec, f"{method} needs a column and a size ({METHODS[method]})")
        if method == "quota":
            return SampleSpec(method, n=_parse_count(spec, arg), column=column)
        return SampleSpec(method, fraction=_parse_fraction(spec, arg), column=column)
    if method == "random" and not _is_integer_literal(rest):
        return SampleSpec(method, fraction=_parse_fraction(spec, rest))
    return SampleSpec(method, n=_parse_count(spec, rest, "K" if method == "systematic" else "N"))


def _check_size(spec: SampleSpec, rows: int) -> None:
    """N or K larger than the source is an error, never a silently smaller sample."""
    if spec.n is not None and spec.n > rows and spec.method != "quota":
        raise UsageError(
            f"sample '{spec}' asks for {spec.n:,} rows but the source has {rows:,}; "
            f"use a value of at most {rows:,}"
        )


def _unknown_column(column: str, names: list[str]) -> UsageError:
    """A missing sample column: the nearest name, or a few names when the table is wide."""
    message = unknown_message("column", column, names)
    if len(message) > 160:  # a 300-column table would print every name
        message = f"unknown column '{column}'; the table has {', '.join(names[:6])}, ..."
    return UsageError(f"{message}; sample by one of the table's columns")


def _group_codes(table: pa.Table, column: str) -> np.ndarray:
    """An integer group id per row for ``column`` (nulls form their own group)."""
    if column not in table.column_names:
        raise _unknown_column(column, table.column_names)
    values = table[column].combine_chunks()
    try:
        encoded = pc.dictionary_encode(values, null_encoding="encode")
    except pa.ArrowNotImplementedError:
        raise UsageError(
            f"cannot group rows by column '{column}' of type {values.type}; "
            "pick a column of plain values (string, integer, date, ...)"
        ) from None
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _first_per_group(codes: np.ndarray, order: np.ndarray, quota: np.ndarray) -> np.ndarray:
    """Rows among ``order`` that are within the first ``quota[g]`` of their group g."""
    grouped = order[np.argsort(codes[order], kind="stable")]
    sizes = np.bincount(codes, minlength=len(quota))
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rank = np.arange(len(grouped)) - starts[codes[grouped]]
    return np.sort(grouped[rank < quota[codes[grouped]]])


def _stratified(table: pa.Table, spec: SampleSpec, rng: np.random.Generator) -> np.ndarray:
    """The same fraction of each group, at least one row each, chosen at random."""
    codes = _group_codes(table, spec.column or "")
    sizes = np.bincount(codes)
    quota = np.maximum(np.rint(sizes * spec.fraction), 1).astype(np.int64)
    return _first_per_group(codes, rng.permutation(len(codes)), quota)


def _quota(table: pa.Table, spec: SampleSpec) -> np.ndarray:
    """The first N rows of each group, in table order: no randomness at all."""
    codes = _group_codes(table, spec.column or "")
    quota = np.full(codes.max(initial=-1) + 1, spec.n, dtype=np.int64)
    return _first_per_group(codes, np.arange(len(codes)), quota)


def _random(rows: int, spec: SampleSpec, rng: np.random.Generator) -> np.ndarray:
    """A seeded uniform subset without replacement, kept in table order."""
    n = spec.n if spec.n is not None else max(1, round(rows * spec.fraction))
    return np.sort(rng.choice(rows, size=n, replace=False))


def check_seed(seed: int) -> int:
    """A seed numpy accepts: a whole number of at least 0 (else a UsageError, not a traceback)."""
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise UsageError(f"bad seed {seed!r}: use a whole number of at least 0")
    return int(seed)


def seeded_rng(seed: int) -> np.random.Generator:
    """numpy's generator for a checked ``seed``."""
    return np.random.default_rng(check_seed(seed))


def apply_sample(table: pa.Table, spec: SampleSpec, seed: int = 0) -> pa.Table:
    """``table`` reduced by ``spec``; the same seed always selects the same rows."""
    rows = table.num_rows
    if rows == 0:
        raise UsageError(f"cannot take sample '{spec}' of an empty table; check the source")
    _check_size(spec, rows)
    rng = seeded_rng(seed)
    if spec.method == "head":
        return table.slice(0, spec.n)
    if spec.method == "reservoir":
        return reservoir_sample(table.to_batches(), spec.n or 0, seed)
    if spec.method == "systematic":
        # Textbook systematic sampling: a seeded random start in [0, K), then every K-th row.
        return table.take(pa.array(np.arange(rng.integers(0, spec.n), rows, spec.n)))
    if spec.method == "random":
        indices = _random(rows, spec, rng)
    elif spec.method == "stratified":
        indices = _stratified(table, spec, rng)
    else:
        indices = _quota(table, spec)
    return table.take(pa.array(indices))


class _Reservoir:
    """Algorithm R over record batches, vectorised per batch, holding O(n) rows."""

    def __init__(self, n: int, seed: int) -> None:
        self.n, self.seen = n, 0
        self.rng = seeded_rng(seed)
        self.rows: pa.Table | None = None  # kept rows; slot i lives at rows[src[i]]
        self.src = np.zeros(0, dtype=np.int64)
        self.position = np.zeros(0, dtype=np.int64)  # stream position of each slot's row

    def add(self, batch: pa.RecordBatch) -> None:
        """Offer every row of ``batch``: row t (0-based) replaces slot j when j = U[0, t] < n."""
        t = self.seen + np.arange(batch.num_rows, dtype=np.int64)
        self.seen += batch.num_rows
        fill = t < self.n
        slots = np.where(fill, t, self.rng.integers(0, t + 1))
        hit = np.flatnonzero(slots < self.n)
        if hit.size == 0:
            return
        # Sequential Algorithm R lets a later row overwrite an earlier one in the same slot.
        _, last = np.unique(slots[hit][::-1], return_index=True)
        hit = hit[::-1][last]
        self._store(batch.take(pa.array(hit)), slots[hit], t[hit])

    def _store(self, new: pa.RecordBatch, slots: np.ndarray, positions: np.ndarray) -> None:
        """Append the winners, point their slots at them, compact when garbage doubles."""
        base = 0 if self.rows is None else self.rows.num_rows
        new_table = pa.Table.from_batches([new])
        self.rows = new_table if self.rows is None else pa.concat_tables([self.rows, new_table])
        size = max(self.src.size, int(slots.max()) + 1)
        self.src = np.resize(self.src, size)
        self.position = np.resize(self.position, size)
        self.src[slots] = base + np.arange(len(slots))
        self.position[slots] = positions
        if self.rows.num_rows > 2 * max(self.n, 1024):
            self.rows = self.rows.take(pa.array(self.src))
            self.src = np.arange(self.src.size)

    def result(self) -> pa.Table:
        """The kept rows in stream order."""
        order = np.argsort(self.position, kind="stable")
        return self.rows.take(pa.array(self.src[order])).combine_chunks()


def reservoir_sample(batches: Iterable[pa.RecordBatch], n: int, seed: int = 0) -> pa.Table:
    """A uniform sample of ``n`` rows in one pass and O(n) memory, for files larger than RAM."""
    if n < 1:
        raise UsageError(f"reservoir sample size must be at least 1, got {n}; use reservoir:N")
    reservoir = _Reservoir(n, seed)
    for batch in batches:
        reservoir.add(batch)
    if reservoir.seen < n:
        raise UsageError(
            f"sample 'reservoir:{n}' asks for {n:,} rows but the source has {reservoir.seen:,}; "
            f"use a value of at most {reservoir.seen:,}"
        )
    return reservoir.result()


def _parquet_ratio(table: pa.Table, codec: str) -> dict:
    """Arrow bytes, in-memory Parquet bytes with ``codec``, and their ratio, for one table."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=codec)
    file_bytes = sink.getvalue().size
    return {
        "arrow_bytes": table.nbytes,
        "file_bytes": file_bytes,
        "ratio": table.nbytes / file_bytes,
    }


def compression_ratio_delta(full: pa.Table, sample: pa.Table) -> dict:
    """Parquet compression ratio (arrow_bytes / file_bytes) of both and how far they differ."""
    codec = "zstd" if pa.Codec.is_available("zstd") else "snappy"
    full_stats, sample_stats = _parquet_ratio(full, codec), _parquet_ratio(sample, codec)
    delta = sample_stats["ratio"] - full_stats["ratio"]
    result: dict = {"codec": codec, "full_rows": full.num_rows, "sample_rows": sample.num_rows}
    result |= {f"full_{key}": value for key, value in full_stats.items()}
    result |= {f"sample_{key}": value for key, value in sample_stats.items()}
    result["delta"] = delta
    result["relative_delta"] = delta / full_stats["ratio"] if full_stats["ratio"] else 0.0
    return result
