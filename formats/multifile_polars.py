"""Multi-file Parquet through polars: ``sink_parquet(pl.PartitionBy(...))`` writes N files
(``max_rows_per_file``) or hive partitions (``key``), ``scan_parquet`` over the directory
with ``hive_partitioning`` reads them and prunes partitions from the filter.

polars does not say which files a pruned scan opened, so its scans record ``files_total``
only (pyarrow's record ``files_read`` too).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from formats.base import Filter, FormatAdapter, remove_path
from formats.multifile import DatasetIO, PathLike, data_files, rows_per_file
from formats.polars_arrow import check_polars_types, polars_expr, to_arrow


class PolarsParquetIO(DatasetIO):
    """parquet-polars' dataset writer and reader (polars' PartitionBy sink, hive scans)."""

    def __init__(self, adapter: FormatAdapter) -> None:
        super().__init__(adapter)

    def write(
        self, table: pa.Table, directory: PathLike, codec: str, files: int | None,
        partition_by: str | None,
    ) -> None:  # fmt: skip
        """One streaming sink: files of ``rows_per_file`` rows, or one folder per value."""
        import polars as pl

        check_polars_types(table, self.adapter.format)
        remove_path(directory)
        o = self.adapter.options
        target = pl.PartitionBy(
            os.fspath(directory),
            key=partition_by,
            include_key=False if partition_by else None,  # hive: the value is in the path
            max_rows_per_file=rows_per_file(table.num_rows, files),
            approximate_bytes_per_file=None,  # rows decide, as for the other engines
        )
        pl.from_arrow(table).lazy().sink_parquet(
            target,
            compression="uncompressed" if codec == "none" else codec,
            compression_level=o.get("compression_level"),
            statistics=o.get("statistics", True),
            row_group_size=o.get("row_group_size"),
            mkdir=True,
        )

    def _lazy(self, directory: PathLike, partition_by: str | None) -> Any:
        import polars as pl

        self.last_io = {"files_total": len(data_files(directory))}
        pattern = os.path.join(os.fspath(directory), "**", "*.parquet")
        if not partition_by:
            return pl.scan_parquet(pattern, hive_partitioning=False)
        schema = self.adapter.source_schema
        hive = None
        if schema is not None and partition_by in schema.names:
            empty = pl.from_arrow(schema.empty_table().select([partition_by]))
            hive = dict(empty.schema)  # the source's type, not one guessed from folder names
        return pl.scan_parquet(pattern, hive_partitioning=True, hive_schema=hive)

    def _collect(self, query: Any, names: Sequence[str] | None = None) -> pa.Table:
        """Collected and handed to Arrow as the adapter does, in the source's column order."""
        table = to_arrow(query.collect())
        source = self.adapter.source_schema
        if names is None and source is not None:
            names = [n for n in source.names if n in table.column_names]
        return table.select(list(names)) if names is not None else table

    def read(self, directory: PathLike, partition_by: str | None) -> pa.Table:
        """Every file through one lazy scan."""
        return self._collect(self._lazy(directory, partition_by))

    def read_columns(
        self, directory: PathLike, columns: Sequence[str], partition_by: str | None
    ) -> pa.Table:
        """The projection pushed into the scan of every file."""
        lazy = self._lazy(directory, partition_by).select(list(columns))
        return self._collect(lazy, columns)

    def take(self, directory: PathLike, indices: np.ndarray) -> pa.Table:
        """Gathered inside polars after the scan of every file (no pushdown)."""
        wanted = np.asarray(indices, dtype=np.int64)
        return self._collect(self._lazy(directory, None).gather(wanted))

    def scan(self, directory: PathLike, predicate: Filter, partition_by: str | None) -> pa.Table:
        """The filter pushed into the scan: partitions pruned, row groups by statistics."""
        lazy = self._lazy(directory, partition_by).filter(polars_expr(predicate))
        return self._collect(lazy)
