"""A user's own file (``--data PATH``) read into Arrow by the registry's adapter for its format.

Reading through the adapters, not a private reader, means a user file is parsed exactly as
the benchmark will parse it later; the suffixes come from the adapters (``data_suffixes``),
so a new format needs no change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

import formats
from benchmarks.errors import UsageError


@dataclass(frozen=True)
class FileKind:
    """A family of accepted files: its label and the suffix that names it."""

    label: str
    suffix: str


def accepted() -> dict[str, FileKind]:
    """Suffix -> kind, from what the registered adapters declare (``data_suffixes``); the
    label is the first declaring adapter's ``data_label`` or ``format``."""
    kinds: dict[str, FileKind] = {}
    for adapter in formats.adapters():
        for suffix in adapter.data_suffixes:
            label = adapter.data_label or adapter.format
            kinds.setdefault(suffix.lower(), FileKind(label, suffix.lower()))
    return kinds


_REFUSED = {".pkl", ".pickle"}


def check_file(path: Path) -> None:
    """Refuse pickles, and missing, unreadable or empty files, before any adapter runs."""
    if path.suffix.lower() in _REFUSED:
        raise UsageError(
            f"refusing to load {path}: unpickling runs code stored in the file; convert it "
            "to Parquet where you trust it (pandas.read_pickle(...).to_parquet(...)) and pass that"
        )
    if not path.exists():
        raise UsageError(f"{path}: no such file; check the --data path")
    if not path.is_file():
        raise UsageError(f"{path} is not a regular file; pass a single data file to --data")
    if path.stat().st_size == 0:  # also /proc and /sys files, whose reads may block forever
        raise UsageError(
            f"{path} is empty (0 bytes) or a special file; pass a regular file that holds data"
        )
    try:
        with path.open("rb") as handle:
            first = handle.read(1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}; check its permissions") from None
    if not first:
        raise UsageError(f"{path} is empty (0 bytes); pass a file that holds data")


def file_kind(path: Path) -> FileKind:
    """The file kind its suffix claims; an unknown suffix lists the accepted ones."""
    kinds = accepted()
    kind = kinds.get(path.suffix.lower())
    if kind is None:
        shown = path.suffix or "(none)"
        raise UsageError(
            f"{path}: extension {shown} is not accepted; use one of {', '.join(kinds)} "
            "(rename the file if its content is one of these formats)"
        )
    return kind


def readers(kind: FileKind, path: Path) -> list[formats.FormatAdapter]:
    """Available adapters able to read ``kind``: pyarrow's where it has one, in registry order."""
    matching = [a for a in formats.adapters() if kind.suffix in map(str.lower, a.data_suffixes)]
    usable = [a for a in matching if a.available().ok]
    if not usable:
        reasons = "; ".join(f"{a.name}: {a.available().reason}" for a in matching)
        raise UsageError(
            f"no available adapter reads {kind.label} files like {path}"
            + (f" ({reasons})" if reasons else "; convert it to another accepted format")
        )
    # pyarrow's readers are strict (a broken quote is an error, as a user would want to
    # know); lenient engines such as DuckDB's CSV sniffer would quietly load a damaged file,
    # so they read a user's file only when pyarrow has no reader for its kind (Avro)
    strict = [a for a in usable if a.engine == "pyarrow"]
    return strict or usable


def first_line(exc: Exception) -> str:
    """The first line of an exception's message (parser errors can span many lines)."""
    text = str(exc).strip()
    return text.splitlines()[0].rstrip(". ") if text else type(exc).__name__


def _read_with(
    readers: list[formats.FormatAdapter], path: Path, kind: FileKind
) -> tuple[pa.Table, formats.FormatAdapter]:
    """The first adapter that parses ``path`` wins; if none does, the first error is reported."""
    errors: list[Exception] = []
    for adapter in readers:
        try:
            return adapter.read(path), adapter
        except (formats.FormatReadError, pa.ArrowException, OSError, ValueError) as exc:
            # Adapters should raise FormatReadError; a raw parser error from a user's file is
            # the same situation (content is not what the suffix says), not a bug of ours.
            errors.append(exc)
    what = first_line(errors[0])
    if not isinstance(errors[0], formats.FormatReadError):
        what = f"{path} could not be read as {kind.label}: {what}"
    raise UsageError(
        f"{what}; check that the file really is {kind.label} or give it the extension "
        "of its real format"
    )


def read_user_file(path: str | Path) -> tuple[pa.Table, dict]:
    """The table in ``path`` and params recording where it came from and which adapter read it."""
    path = Path(path)
    check_file(path)
    kind = file_kind(path)
    table, adapter = _read_with(readers(kind, path), path, kind)
    if table.num_columns == 0:
        raise UsageError(f"{path} has no columns; pass a file with at least one column")
    if table.num_rows == 0:
        raise UsageError(f"{path} has no rows; pass a file with at least one row")
    check_columns(table, str(path))
    return table, {"path": str(path), "format": kind.label, "adapter": adapter.name}


#: Longer names break some formats' metadata (Avro, Protobuf field names) and every chart.
MAX_COLUMN_NAME = 256


def check_columns(table: pa.Table, where: str) -> None:
    """Refuse column names and types no benchmark could use fairly, with the fix."""
    names = table.column_names
    for name in names:
        if not isinstance(name, str):
            raise UsageError(f"{where}: column name {name!r} is not a string; rename the columns")
        if not name.strip():
            raise UsageError(f"{where}: a column has an empty name; give every column a name")
        if len(name) > MAX_COLUMN_NAME:
            raise UsageError(
                f"{where}: column name '{name[:40]}...' is {len(name)} characters; "
                f"shorten it to at most {MAX_COLUMN_NAME}"
            )
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(f"{where}: duplicate column names {', '.join(dupes)}; rename them")
    for field in table.schema:
        if pa.types.is_null(field.type):
            raise UsageError(
                f"{where}: column '{field.name}' holds only nulls, so it has no type to "
                "benchmark; drop it or fill it"
            )
