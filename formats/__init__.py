"""Format adapters: every storage format behind one interface (see docs/ARCHITECTURE.md).

Importing the package registers every adapter module below; optional libraries are
imported lazily inside the adapters, so a missing one only makes its adapter unavailable.
"""

from formats import (  # noqa: F401  (imported for their @register side effect)
    arrow_family,
    avro_format,
    delta_format,
    duckdb_engine,
    duckdb_lake,
    fastparquet_format,
    hdf5_format,
    iceberg_format,
    lance_format,
    lance_table,
    numpy_format,
    parquet_dataset,
    polars_engine,
    polars_rows,
    proto_format,
    row_binary,
    text_formats,
    tfrecord_format,
    vortex_format,
    webdataset_format,
    zarr_format,
)
from formats import registry as _registry_module
from formats.base import (
    Availability,
    CannotWriteIncrementally,
    Filter,
    FormatAdapter,
    FormatError,
    FormatReadError,
    Option,
    UnsupportedCodec,
    UnsupportedOption,
    UnsupportedType,
)
from formats.registry import UnknownFormat, adapters, get, load_plugins, names, register, registry

try:
    load_plugins()
except _registry_module.PluginError as _exc:  # the CLI reports it as one line
    _registry_module.plugin_error = _exc

__all__ = [
    "Availability",
    "CannotWriteIncrementally",
    "Filter",
    "FormatAdapter",
    "FormatError",
    "FormatReadError",
    "Option",
    "UnsupportedOption",
    "UnknownFormat",
    "UnsupportedCodec",
    "UnsupportedType",
    "adapters",
    "get",
    "names",
    "register",
    "registry",
]
