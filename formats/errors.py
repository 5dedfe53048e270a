"""The errors the formats package raises on purpose, apart from the adapter contract so
formats/refusals.py (which base.py uses to guard every write) can raise them too.

``formats.base`` re-exports each of them: import them from there or from here.
"""

from __future__ import annotations

import os

import pyarrow as pa


class FormatError(Exception):
    """Base of every error the formats package raises on purpose."""


class UnsupportedType(FormatError):
    """A column's type cannot be stored by this format (named: column, type, format)."""

    def __init__(self, column: str, type_: pa.DataType, format_name: str, hint: str = "") -> None:
        self.column, self.type, self.format_name = column, type_, format_name
        msg = f"column '{column}' of type {type_} cannot be stored in {format_name}"
        super().__init__(f"{msg}: {hint}" if hint else msg)


class UnsupportedAppend(FormatError):
    """The adapter cannot grow a file this way (the message says why)."""


class UnsupportedCodec(FormatError):
    """The adapter does not offer the requested compression codec."""


class CannotWriteIncrementally(FormatError):
    """The format (or its library) can only write a whole table at once, not a stream."""

    def __init__(self, adapter_name: str) -> None:
        super().__init__(f"{adapter_name} cannot write incrementally")


class FormatReadError(FormatError):
    """A file could not be read as the adapter's format (wrong format, corrupt, truncated)."""

    def __init__(self, path: str | os.PathLike, format_name: str, reason: object) -> None:
        reason_line = str(reason).strip().splitlines()[0] if str(reason).strip() else "unreadable"
        super().__init__(f"{path} is not a readable {format_name} file: {reason_line}")


class UnsupportedOption(FormatError, ValueError):
    """An option name or value the adapter does not accept (names adapter, option, allowed)."""
