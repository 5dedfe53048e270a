"""README blocks that scripts generate between two markers (fidelity matrix, claims,
reference run, ML and lakehouse tables): one splice, so every block is replaced alike."""

from __future__ import annotations


def splice(readme: str, block: str, begin: str, end: str) -> str:
    """``readme`` with the text between ``begin`` and ``end`` replaced by ``block``
    (ValueError when the markers are missing)."""
    head, found, rest = readme.partition(begin)
    if not found or end not in rest:
        raise ValueError(f"README has no {begin} ... {end} markers")
    return f"{head}{begin}\n{block.strip()}\n{end}{rest.partition(end)[2]}"
