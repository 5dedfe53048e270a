"""DuckDB's readers for Delta and Iceberg tables, listed so ``fmtbench formats`` says why they
are absent: DuckDB reads these tables only through its ``delta`` and ``iceberg``
extensions, downloaded from extensions.duckdb.org on first use, which this machine cannot
reach. DuckDB could still query the Arrow dataset deltalake or pyiceberg hands it, but that
measures those libraries, not DuckDB, so fmtbench does not pretend it is DuckDB's reader.

The check asks DuckDB whether the extension is installed (no download is attempted).
"""

from __future__ import annotations

from typing import ClassVar

from formats.base import Availability, FormatAdapter
from formats.registry import register


def extension_installed(name: str) -> bool:
    """Whether DuckDB has extension ``name`` installed locally (never downloads it)."""
    try:
        import duckdb
    except ImportError:
        return False
    with duckdb.connect() as con:
        row = con.execute(
            "SELECT installed FROM duckdb_extensions() WHERE extension_name = ?", [name]
        ).fetchone()
    return bool(row and row[0])


class DuckDBTableReader(FormatAdapter):
    """A table format read by a DuckDB extension; unavailable while the extension is not."""

    engine = "duckdb"
    orientation = "column"
    encoding = "binary"
    codecs = ("snappy",)
    requires = ("duckdb",)
    extra = "duckdb"
    writes_directory = True
    in_default_run = False
    extension_name: ClassVar[str]
    library: ClassVar[str]
    libraries: ClassVar[tuple[str, ...]] = ("duckdb",)
    readers: ClassVar[frozenset[str]] = frozenset()
    unsafe: ClassVar[str] = ""
    data_suffixes: ClassVar[tuple[str, ...]] = ()

    def available(self) -> Availability:
        """Never runs here: the extension is missing, or installed with no reader wired."""
        if extension_installed(self.extension_name):
            return Availability(
                False,
                f"DuckDB's '{self.extension_name}' extension is installed, but fmtbench has "
                f"no reader wired for it yet; read {self.format} with {self.library}",
            )
        return Availability(
            False,
            f"DuckDB reads {self.format} only through its '{self.extension_name}' extension, "
            "which cannot be downloaded here (extensions.duckdb.org is unreachable); querying "
            f"the Arrow data {self.library} hands DuckDB would measure {self.library}, not DuckDB",
        )


@register
class DeltaDuckDB(DuckDBTableReader):
    """Delta through DuckDB's ``delta_scan`` (absent: see the module docstring)."""

    name = "delta-duckdb"
    format = "Delta Lake"
    extension = "delta"
    extension_name = "delta"
    library = "deltalake"


@register
class IcebergDuckDB(DuckDBTableReader):
    """Iceberg through DuckDB's ``iceberg_scan`` (absent: see the module docstring)."""

    name = "iceberg-duckdb"
    format = "Apache Iceberg"
    extension = "iceberg"
    extension_name = "iceberg"
    library = "pyiceberg"
