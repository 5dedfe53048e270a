"""Format adapters: every storage format behind one interface (see DESIGN.md).

Importing the package registers every adapter module below; optional libraries are
imported lazily inside the adapters, so a missing one only makes its adapter unavailable.
"""

from formats import (  # noqa: F401  (imported for their @register side effect)
    text_formats,
    row_binary,
    avro_format,
    proto_format,
    arrow_family,
    fastparquet_format,
    lance_format,
    vortex_format,
)
from formats.base import (
    Availability,
    FormatAdapter,
    FormatError,
    FormatReadError,
    Filter,
    UnsupportedCodec,
    UnsupportedType,
)
from formats.registry import UnknownFormat, adapters, get, names, register, registry

__all__ = [
    "Availability",
    "Filter",
    "FormatAdapter",
    "FormatError",
    "FormatReadError",
    "UnknownFormat",
    "UnsupportedCodec",
    "UnsupportedType",
    "adapters",
    "get",
    "names",
    "register",
    "registry",
]
