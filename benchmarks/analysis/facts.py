"""What analysis knows about an adapter beyond its timings: who else reads its format and
whether loading it runs code. The adapter declares both (``readers``, ``unsafe``; see
docs/ARCHITECTURE.md "Facts on the adapter"); nothing here is a table keyed by name.

Where the facts come from, first found wins:

1. the registry: the adapter is installed here and declares them;
2. the results file: ``fmtbench run`` records each adapter's facts (``fmtbench.adapters``,
   which ``tidy`` copies into the ``readers`` and ``unsafe`` columns), so a report read
   on a machine without the adapter still has them;
3. a registered engine of the same ``format``: a fact about the format, not the engine
   (hand-made tables and older results files name formats only).

An adapter none of these knows has no universality (``None``): it is reported as not
measured, never silently scored as read by no one.
"""

from __future__ import annotations

import pandas as pd

import formats


def _recorded(frame: pd.DataFrame, adapter: str, column: str) -> str | None:
    """The value of ``column`` the results file recorded for ``adapter``, if any."""
    if column not in frame or "adapter" not in frame:
        return None
    values = frame.loc[frame["adapter"] == adapter, column].dropna()
    return str(values.iloc[0]) if not values.empty else None


def _same_format(frame: pd.DataFrame, adapter: str) -> type[formats.FormatAdapter] | None:
    """A registered adapter of the format ``adapter`` had in these results."""
    name = _recorded(frame, adapter, "format")
    if name is None:
        return None
    return next((c for c in formats.registry.values() if c.format == name), None)


def readers(frame: pd.DataFrame, adapter: str) -> frozenset[str] | None:
    """The tools (recommend.TOOLS keys) that read ``adapter``'s format; None: unknown."""
    cls = formats.registry.get(adapter)
    if cls is not None:
        return frozenset(cls.readers)
    recorded = _recorded(frame, adapter, "readers")
    if recorded is not None:
        return frozenset(filter(None, recorded.split(",")))
    same = _same_format(frame, adapter)
    return frozenset(same.readers) if same is not None else None


def universality(frame: pd.DataFrame, adapter: str) -> int | None:
    """1 + how many tools read the format (its own library is one); None: unknown."""
    found = readers(frame, adapter)
    return None if found is None else 1 + len(found)


def unsafe(frame: pd.DataFrame, adapter: str) -> str:
    """Why loading ``adapter``'s files runs code ('' when it is safe or nothing says)."""
    cls = formats.registry.get(adapter)
    if cls is not None:
        return cls.unsafe
    recorded = _recorded(frame, adapter, "unsafe")
    if recorded is not None:
        return recorded
    same = _same_format(frame, adapter)
    return same.unsafe if same is not None else ""
