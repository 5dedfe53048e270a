"""``--min-shuffle``: how random an epoch's delivered order must be for the training profile.

Kept apart from ``training`` (which needs pandas) so the CLI can check the flag, and show
its default in ``--help``, without importing any data library.
"""

from __future__ import annotations

import math

from benchmarks.errors import UsageError

#: Near-uniform by default: in practice only a global shuffle by random access reaches it;
#: a shuffle buffer much smaller than the data, or whole row groups in random order, do not.
DEFAULT_MIN_SHUFFLE = 0.9


def check_min_shuffle(value: float) -> float:
    """``value`` if it is a shuffle quality in [0, 1]; UsageError naming the flag otherwise."""
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise UsageError(
            f"--min-shuffle {value:g}: a shuffle quality lies in [0, 1] (0 storage order, "
            f"1 a uniform permutation); use e.g. {DEFAULT_MIN_SHUFFLE}"
        )
    return value
