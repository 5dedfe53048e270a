"""The ``training`` profile: the fastest format whose delivered order is random enough.

A training loop wants two things a format trades against each other: samples per second
and a random order. ``--min-shuffle Q`` (a shuffle quality in [0, 1], measured on the
order each epoch actually delivered, ``suite/shuffle.py``) states how random is random
enough; then every format counts at its fastest epoch case (any shuffle, any loader
workers) that reached Q, and the formats are ranked on those samples/s. A format whose
every epoch stayed below Q is excluded, with the best quality it reached.

Pure functions over the tidy frame, like ``recommend`` and ``advice``.
"""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis.shuffle_floor import DEFAULT_MIN_SHUFFLE, check_min_shuffle

#: What makes one epoch setting comparable with another: everything but how it shuffled.
SETTING_KEYS = ("shuffle", "loader_workers")
SAME_WORK = ("dataset", "rows", "cache", "batch_size", "decode", "order_from")
__all__ = ["DEFAULT_MIN_SHUFFLE", "check_min_shuffle", "training_frame", "below_quality"]


def _epochs(frame: pd.DataFrame) -> pd.Series:
    """Which rows are passed epoch cases with both a rate and a measured quality."""
    if not {"operation", "samples_per_s", "shuffle_quality"} <= set(frame.columns):
        return pd.Series(False, index=frame.index)
    ok = frame["error"].isna() if "error" in frame else True
    measured = frame["samples_per_s"].notna() & frame["shuffle_quality"].notna()
    return (frame["operation"] == "epoch") & ok & measured


def training_frame(frame: pd.DataFrame, min_shuffle: float) -> pd.DataFrame:
    """``frame`` with each format's epoch cases cut to its fastest one reaching
    ``min_shuffle`` per (dataset, rows, batch size, ...); its shuffle and workers are moved
    to ``setting`` so formats at different settings are compared as one case."""
    epochs = _epochs(frame)
    if not epochs.any():
        return frame
    good = frame[epochs & (frame["shuffle_quality"] >= min_shuffle)]
    keys = [k for k in (*SAME_WORK, "adapter", "codec") if k in good]
    best = good.sort_values("samples_per_s", ascending=False).drop_duplicates(keys)
    best = best.assign(setting=[setting_text(r) for _, r in best.iterrows()])
    best = best.assign(**{k: None for k in SETTING_KEYS if k in best})
    return pd.concat([frame[~epochs], best])


def setting_text(row: pd.Series) -> str:
    """'shuffle global, 2 loader workers' for a ranking label."""
    workers = row.get("loader_workers")
    n = int(workers) if pd.notna(workers) else 0
    return f"shuffle {row.get('shuffle')}, {n} loader worker{'s' if n != 1 else ''}"


def below_quality(frame: pd.DataFrame, min_shuffle: float) -> dict[str, str]:
    """Adapter -> why it is excluded: its epochs ran, none reached ``min_shuffle``."""
    epochs = frame[_epochs(frame)]
    out = {}
    for adapter, rows in epochs.groupby("adapter", sort=False):
        best = float(rows["shuffle_quality"].max())
        if best < min_shuffle:
            out[str(adapter)] = (
                f"its delivered order reached shuffle quality {best:.2f} at most, below "
                f"--min-shuffle {min_shuffle:g} (lower it, or run --shuffle global)"
            )
    return out


def nothing_reached(frame: pd.DataFrame, min_shuffle: float) -> str:
    """Why training has no ranking though epochs ran ('' when some case reached Q)."""
    epochs = frame[_epochs(frame)]
    if epochs.empty or (epochs["shuffle_quality"] >= min_shuffle).any():
        return ""
    best = float(epochs["shuffle_quality"].max())
    return (
        f"no epoch reached shuffle quality {min_shuffle:g} (the best reached {best:.2f}): "
        "lower --min-shuffle or run --shuffle global"
    )


def winner_setting(frame: pd.DataFrame, adapter: str) -> str:
    """The setting of ``adapter``'s fastest qualifying epoch in a ``training_frame``."""
    if "setting" not in frame:
        return ""
    rows = frame[(frame["adapter"] == adapter) & frame["setting"].notna()]
    if rows.empty:
        return ""
    return str(rows.sort_values("samples_per_s", ascending=False)["setting"].iloc[0])
