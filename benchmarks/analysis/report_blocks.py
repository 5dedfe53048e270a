"""The pieces a report is made of (heading, paragraph, table, list, image) and the reader's
choices: what report.py renders and the report_* modules build, kept apart so those
modules do not import report.py back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.analysis.shuffle_floor import DEFAULT_MIN_SHUFFLE
from benchmarks.storage.cost import Prices

TOP = 3  # formats listed per recommendation profile


@dataclass
class Block:
    """One piece of the report: kind is heading, para, table, list or image."""

    kind: str
    text: str = ""
    level: int = 2
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    path: Path | None = None


def heading(text: str, level: int = 2) -> Block:
    """A section title."""
    return Block("heading", text, level=level)


def para(text: str) -> Block:
    """A paragraph of plain text."""
    return Block("para", text)


def table(header: list[str], rows: list[list[Any]]) -> Block:
    """A table; cells are turned into text here so both renderers agree."""
    return Block("table", header=header, rows=[[str(c) for c in r] for r in rows])


def bullets(items: list[str]) -> Block:
    """A bulleted list."""
    return Block("list", items=items)


@dataclass(frozen=True)
class Choices:
    """What the reader asked the recommendation to allow and show first."""

    profile: str | None = None
    allow_lossy: bool = False
    allow_unsafe: bool = False
    strict_types: bool = False
    min_shuffle: float = DEFAULT_MIN_SHUFFLE  # training: the shuffle quality that is enough
    #: list prices for the cost column; None: as the run recorded them
    prices: Prices | None = None
