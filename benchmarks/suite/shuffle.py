"""How random a delivered order is: ``shuffle_quality`` in [0, 1], measured, never assumed.

The statistic, on the storage positions ``d[0..n)`` in the order a loader delivered them:

1. *Coarse independence.* Cut storage positions and delivery positions into ``K`` equal
   bins each (``K = max(2, floor(sqrt(n / 64)))``, so a uniform permutation puts about 64
   rows in each of the K x K cells) and take the total variation distance ``TV`` between
   the joint histogram and the uniform one. TV is ``1 - 1/K`` when delivery bins map to
   storage bins one to one (sequential order, a shuffle buffer much smaller than the data,
   or whole blocks in random order) and about ``TV0 = K / 2 * sqrt(2 / (pi n))`` (sampling
   noise) for a uniform permutation; ``independence = 1 - (TV - TV0) / (1 - 1/K - TV0)``,
   clipped to [0, 1].
2. *Local adjacency.* ``adjacent`` = share of consecutive deliveries that are neighbours
   in storage (``|d[i+1] - d[i]| == 1``); about ``2/n`` for a uniform permutation.

``shuffle_quality = independence * (1 - adjacent)``: about 1 for a uniform permutation,
0 for storage order (or its reverse), near 0 for a small buffer over a large dataset, and
in between for block shuffles (row groups or shards in random order).
"""

from __future__ import annotations

import math

import numpy as np

#: Rows per cell of the joint histogram a uniform permutation gives on average.
ROWS_PER_CELL = 64


def bins_for(n: int) -> int:
    """K, the number of storage (and delivery) bins for ``n`` rows."""
    return max(2, int(math.sqrt(n / ROWS_PER_CELL)))


def independence(order: np.ndarray) -> float:
    """1 - normalised TV distance of the (delivery bin, storage bin) histogram from uniform."""
    n = len(order)
    k = bins_for(n)
    delivered = np.arange(n) * k // n
    stored = np.asarray(order, dtype=np.int64) * k // max(int(np.max(order)) + 1, n)
    counts = np.bincount(delivered * k + stored, minlength=k * k) / n
    tv = 0.5 * float(np.abs(counts - 1 / (k * k)).sum())
    noise = min(k / 2 * math.sqrt(2 / (math.pi * n)), 0.5 * (1 - 1 / k))
    return float(np.clip(1 - (tv - noise) / (1 - 1 / k - noise), 0.0, 1.0))


def adjacent_share(order: np.ndarray) -> float:
    """Share of consecutive deliveries that are storage neighbours."""
    if len(order) < 2:
        return 0.0
    return float(np.mean(np.abs(np.diff(np.asarray(order, dtype=np.int64))) == 1))


def shuffle_quality(order: np.ndarray) -> float:
    """The statistic in this module's docstring; 1.0 for fewer than two rows."""
    if len(order) < 2:
        return 1.0
    return round(independence(order) * (1 - adjacent_share(order)), 4)
