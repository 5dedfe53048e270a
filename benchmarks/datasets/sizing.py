"""How big a dataset is in memory as an Arrow table, estimated before anything is loaded.

A whole-table run holds the dataset plus up to two more copies (a read's result, a
writer's scratch), so a dataset that would not fit must be refused while that is still
cheap: generators are measured on a few rows and scaled, real data and user files are
sized from their metadata. Nothing here writes to disk or allocates the dataset.
"""

from __future__ import annotations

import functools
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil
import pyarrow as pa

from benchmarks.datasets import real, synthetic
from benchmarks.errors import UsageError

#: Copies of the table a whole-table case can hold at once (dataset, result, scratch).
COPIES = 3
#: Rows generated to measure a synthetic family's bytes per row.
SAMPLE_ROWS = 1_000
#: A family argument (features, dim) above this is measured at two small values and scaled
#: linearly: the width of wide and embeddings grows linearly with it.
SAMPLE_ARG = 32
#: lineitem rows per unit of scale factor (TPC-H: 6,001,215 at SF 1).
LINEITEM_ROWS_PER_SF = 6_001_215
#: Arrow bytes per file byte for files whose footer does not say (text is at most its size
#: in Arrow for numbers and about its size for strings; Avro's varints expand about 2x).
_EXPANSION = {".csv": 1.0, ".jsonl": 1.0, ".ndjson": 1.0, ".avro": 2.0}


@dataclass(frozen=True)
class SizeEstimate:
    """Rows and Arrow bytes of a dataset; ``peak_bytes`` is what loading it whole needs."""

    rows: int
    nbytes: int
    peak_bytes: int  # loading may need more than the result (a source sampled down)


def _family_bytes_per_row(name: str, arg: int | None, seed: int) -> float:
    """Arrow bytes per row of a synthetic family, measured on SAMPLE_ROWS generated rows."""
    family = synthetic.FAMILIES[name]
    if family.arg_name is None or arg is None or arg <= SAMPLE_ARG:
        return synthetic.generate(name, SAMPLE_ROWS, seed, arg).nbytes / SAMPLE_ROWS
    low, high = SAMPLE_ARG // 2, SAMPLE_ARG
    b_low = synthetic.generate(name, SAMPLE_ROWS, seed, low).nbytes / SAMPLE_ROWS
    b_high = synthetic.generate(name, SAMPLE_ROWS, seed, high).nbytes / SAMPLE_ROWS
    return b_low + (b_high - b_low) * (arg - low) / (high - low)


def estimate_synthetic(name: str, arg: int | None, rows: int, seed: int) -> SizeEstimate:
    """Rows x measured bytes per row for a synthetic family."""
    nbytes = int(rows * _family_bytes_per_row(name, arg, seed))
    return SizeEstimate(rows, nbytes, nbytes)


@functools.cache
def lineitem_bytes_per_row(data_dir: Path) -> float:
    """Arrow bytes per lineitem row: one row group of a cached file, else a tiny generation."""
    import pyarrow.parquet as pq

    cached = sorted((data_dir / "tpch").glob("sf*/lineitem.parquet"))
    if cached:
        return _first_group_bytes_per_row(pq.ParquetFile(cached[0]))
    # nothing cached: SF 0.001 (6,000 rows, well under a second) into a scratch dir
    with tempfile.TemporaryDirectory(prefix="fmtbench-size-") as scratch:
        args = [real.tpchgen_binary(), "parquet", "--scale-factor", "0.001", "--tables",
                "lineitem", "--output-dir", scratch, "--quiet"]  # fmt: skip
        subprocess.run(args, capture_output=True, check=True)
        return _first_group_bytes_per_row(pq.ParquetFile(Path(scratch) / "lineitem.parquet"))


def _first_group_bytes_per_row(file: object) -> float:
    """Arrow bytes per row of the first row group, read in the plain schema loads use."""
    group = file.read_row_group(0)  # type: ignore[attr-defined]
    plain = group.cast(real.plain_schema(group.schema))
    return plain.nbytes / max(plain.num_rows, 1)


def estimate_tpch(arg: str | None, rows: int | None, data_dir: Path) -> SizeEstimate:
    """lineitem's rows from the cached footer (or the TPC-H row rule) x bytes per row."""
    import pyarrow.parquet as pq

    scale_factor = real.parse_scale_factor(arg)
    path = data_dir / "tpch" / f"sf{real.format_scale_factor(scale_factor)}" / "lineitem.parquet"
    source_rows = (
        pq.ParquetFile(path).metadata.num_rows
        if path.is_file()
        else int(LINEITEM_ROWS_PER_SF * scale_factor)
    )
    per_row = lineitem_bytes_per_row(data_dir)
    kept = min(rows, source_rows) if rows is not None else source_rows
    # the whole source is read before a sample is drawn from it
    return SizeEstimate(kept, int(kept * per_row), int(source_rows * per_row))


def estimate_file(path: Path, rows: int | None = None) -> SizeEstimate | None:
    """A user file's Arrow size from its footer (Parquet, Arrow IPC, ORC) or its byte size."""
    suffix = path.suffix.lower()
    if not path.is_file():
        return None  # the loader reports missing files with the fix
    try:
        total_rows, nbytes = _file_rows_bytes(path, suffix)
    except (pa.ArrowException, OSError, ValueError):
        return None  # unreadable footer: the loader reports it with the fix
    kept = min(rows, total_rows) if rows is not None and total_rows else total_rows
    share = kept / total_rows if total_rows else 1.0
    return SizeEstimate(kept, int(nbytes * share), nbytes)


def _file_rows_bytes(path: Path, suffix: str) -> tuple[int, int]:
    """(rows, Arrow bytes) of a file, without reading its data (rows 0 when unknown)."""
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        return meta.num_rows, size
    if suffix in (".feather", ".arrow"):
        import pyarrow.ipc as ipc

        with pa.memory_map(str(path)) as source:  # a map reads only what is touched
            reader = ipc.open_file(source)
            rows = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
        return rows, path.stat().st_size  # uncompressed IPC is the Arrow layout itself
    if suffix == ".orc":
        from pyarrow import orc

        file = orc.ORCFile(path)
        first = file.read_stripe(0) if file.nstripes else None
        per_row = first.nbytes / max(first.num_rows, 1) if first is not None else 0
        return file.nrows, int(file.nrows * per_row)
    return 0, int(path.stat().st_size * _EXPANSION.get(suffix, 1.0))


def estimate(spec: str, rows: int | None, seed: int, data_dir: Path) -> SizeEstimate | None:
    """The size of the dataset a spec names (None: small or unknown, nothing to check)."""
    if spec.startswith("file:"):
        return estimate_file(Path(spec.removeprefix("file:")), rows)
    name, _, arg = spec.partition(":")
    if name in synthetic.FAMILIES:
        family = synthetic.FAMILIES[name]
        value = family.parse_arg(arg) if arg and family.parse_arg else family.arg_default
        return estimate_synthetic(name, value, rows or family.default_rows, seed)
    if name == "tpch-lineitem":
        return estimate_tpch(arg or None, rows, data_dir)
    return None  # flights: a fixed 336,776 rows, always small


def available_memory() -> int:
    """Bytes the OS can give this process now without swapping (psutil's ``available``)."""
    return int(psutil.virtual_memory().available)


def _gb(n: float) -> str:
    return f"{n / 1e9:.0f}" if n >= 10e9 else f"{n / 1e9:.1f}"


def check_fits(
    spec: str, rows: int | None, seed: int, data_dir: Path, available: int | None = None
) -> SizeEstimate | None:
    """Refuse (UsageError) a whole-table run whose copies would not fit in memory."""
    size = estimate(spec, rows, seed, data_dir)
    if size is None:
        return None
    free = available_memory() if available is None else available
    need = max(COPIES * size.nbytes, size.peak_bytes + (COPIES - 1) * size.nbytes)
    if need > free:
        label = spec.removeprefix("file:") + (f" at {rows:,} rows" if rows is not None else "")
        raise UsageError(
            f"{label} needs about {_gb(need)} GB in memory as a table, {_gb(free)} GB is "
            "available; rerun with --stream (bounded memory) or fewer --rows"
        )
    return size
