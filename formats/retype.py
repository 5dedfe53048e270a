"""Which type changes can keep every value: the line between ``retyped`` and ``changed``.

A round trip that returns another type is ``retyped`` when the values, cast back to the
source type, are the source's values, and the two types mean the same kind of thing:
string <-> large_string/string_view, a wider (or narrower, when every value fits) integer,
another timestamp unit in the same zone, dictionary <-> plain, another decimal precision,
an integer held as a decimal of scale 0 (DuckDB reads JSON integers as HUGEINT).
A cast back that happens to succeed across kinds is not enough: a timestamp read back as
text, a decimal as a float, a naive instant as a zoned one mean something else, so those
stay ``changed`` whatever their values.
"""

from __future__ import annotations

import pyarrow as pa

#: Spellings of UTC that name the same zone (Arrow keeps the zone as the writer spelt it).
_UTC = frozenset({"UTC", "utc", "Etc/UTC", "+00:00", "Z", "GMT", "Etc/GMT"})

_KINDS: tuple[tuple[str, object], ...] = (
    ("null", pa.types.is_null),
    ("boolean", pa.types.is_boolean),
    ("integer", pa.types.is_integer),
    ("float", pa.types.is_floating),
    ("decimal", pa.types.is_decimal),
    ("string", lambda t: pa.types.is_string(t) or pa.types.is_large_string(t)),
    ("string", lambda t: getattr(pa.types, "is_string_view", lambda _: False)(t)),
    ("binary", lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t)),
    ("binary", pa.types.is_fixed_size_binary),
    ("binary", lambda t: getattr(pa.types, "is_binary_view", lambda _: False)(t)),
    ("date", pa.types.is_date),
    ("time", pa.types.is_time),
    ("timestamp", pa.types.is_timestamp),
    ("duration", pa.types.is_duration),
    ("interval", pa.types.is_interval),
    ("list", lambda t: pa.types.is_list(t) or pa.types.is_large_list(t)),
    ("list", pa.types.is_fixed_size_list),
    ("list", lambda t: getattr(pa.types, "is_list_view", lambda _: False)(t)),
    ("list", lambda t: getattr(pa.types, "is_large_list_view", lambda _: False)(t)),
    ("struct", pa.types.is_struct),
    ("map", pa.types.is_map),
)


def kind(type_: pa.DataType) -> str:
    """The kind of value a type holds ('string' for string, large_string and string_view)."""
    if pa.types.is_dictionary(type_):
        return kind(type_.value_type)
    for name, test in _KINDS:
        if test(type_):  # type: ignore[operator]
            return name
    return str(type_)


def zone(tz: str | None) -> str | None:
    """The zone a timestamp type names, with UTC's spellings made one."""
    return "UTC" if tz in _UTC else tz


def same_kind(source: pa.DataType, back: pa.DataType) -> bool:
    """Whether ``back`` can hold ``source``'s values with their meaning (not yet whether it
    does: the values decide that)."""
    source = source.value_type if pa.types.is_dictionary(source) else source
    back = back.value_type if pa.types.is_dictionary(back) else back
    if pa.types.is_null(source) or pa.types.is_null(back):
        return True  # an all-null column: nothing but nulls to compare
    if {kind(source), kind(back)} == {"integer", "decimal"}:
        decimal = source if pa.types.is_decimal(source) else back
        return decimal.scale == 0  # whole numbers either way; the values decide the rest
    if kind(source) != kind(back):
        return False
    if pa.types.is_timestamp(source):
        return zone(source.tz) == zone(back.tz)  # naive -> zoned, or another zone: meaning
    if kind(source) == "list":
        return same_kind(source.value_type, back.value_type)
    if pa.types.is_struct(source):
        names = [f.name for f in source], [f.name for f in back]
        return names[0] == names[1] and all(
            same_kind(a.type, b.type) for a, b in zip(source, back, strict=True)
        )
    if pa.types.is_map(source):
        return same_kind(source.key_type, back.key_type) and same_kind(
            source.item_type, back.item_type
        )
    return True


def cast_back(back: pa.ChunkedArray, source: pa.DataType) -> pa.ChunkedArray | None:
    """``back`` as ``source``'s type (a safe cast: nothing truncated), None when impossible."""
    try:
        return back.cast(source)
    except (pa.ArrowException, NotImplementedError, TypeError):
        pass
    if pa.types.is_dictionary(source):  # compare decoded values
        try:
            return back.cast(source.value_type)
        except (pa.ArrowException, NotImplementedError, TypeError):
            return None
    return None


def decoded(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary column as its plain values (what ``cast_back`` may return for one)."""
    if pa.types.is_dictionary(column.type):
        return column.cast(column.type.value_type)
    return column


def bits_equal(a: pa.ChunkedArray, b: pa.ChunkedArray) -> bool:
    """Arrow's equality, plus bit-for-bit floats: Arrow calls -0.0 equal to 0.0."""
    if not a.equals(b):
        return False
    if not pa.types.is_floating(a.type) or pa.types.is_float16(a.type):
        return True
    ints = pa.int64() if a.type.bit_width == 64 else pa.int32()
    left = pa.chunked_array([c.view(ints) for c in a.chunks], ints)
    right = pa.chunked_array([c.view(ints) for c in b.chunks], ints)
    return left.equals(right)  # NaN payloads may differ: the caller's slow path decides


def summarise(entries: list[str]) -> str:
    """'col: how' entries as one line, columns sharing a type change named together:
    'l_quantity, l_tax: decimal128(15, 2) -> double; values: ...'."""
    groups: dict[str, list[str]] = {}
    details: dict[str, str] = {}
    for entry in entries:
        name, _, how = entry.partition(": ")
        head, _, rest = how.partition("; values: ")
        groups.setdefault(head, []).append(name)
        if rest:
            details.setdefault(head, rest)
    parts = []
    for head, names in groups.items():
        more = f"; values: {details[head]}" if head in details else ""
        parts.append(f"{', '.join(names)}: {head}{more}")
    return "; ".join(parts)
