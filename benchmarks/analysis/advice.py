"""Advice a user can act on: the ranking of ``recommend`` restricted to formats that keep
this data, are safe to load anywhere, and natively do what the profile needs.

A format is excluded from a profile, with a one-line reason, when

- its round trip changed the user's data (``round_trip: changed``: values, nulls, zone or
  meaning), unless ``allow_lossy`` (then it is ranked, with the change named);
- its round trip returned another type with the same values (``round_trip: retyped``)
  and ``strict_types`` asks for the source's types; by default it is ranked, the type
  change named in one line;
- it runs code when loaded or only one language reads it (the adapter's declared
  ``unsafe``), unless
  ``allow_unsafe``;
- the profile needs an access pattern (``NEEDS``) the format only emulates or lacks.

A profile whose operation was not run at all (``NEEDS``, ``MEASURED``: serving is
single-row latency, so it needs ``take``) says "not measured" rather than ranking on what
was.

Each format is then ranked at its best engine and codec ("Avro via fastavro (null)").
Pure functions over the tidy frame, like ``recommend``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmarks.analysis import facts, training
from benchmarks.analysis import recommend as rec
from benchmarks.errors import FmtbenchError
from formats.retype import summarise

#: How an exclusion for the data's sake begins: it holds for every profile.
CHANGES = "changes this data"
RETYPES = "retypes this data"

#: Profile -> the operation whose native support it needs, and what it is in words.
NEEDS: dict[str, tuple[str, str]] = {
    "lookups": ("take", "a native take (an index or row groups, not a full read per lookup)"),
    "logging": ("append", "the append operation"),
}

#: Profile -> the operations (one of them at least, comma-separated) it must have measured
#: to answer at all (native or not), and what they are in words.
MEASURED: dict[str, tuple[str, str]] = {
    "serving": ("take", "single-row latency by position or id (take)"),
    "training": ("epoch", "an epoch of shuffled mini-batches (epoch)"),
    "lakehouse": ("commit,update,delete,merge", "table work (commits, row-level changes)"),
}


@dataclass
class Advice:
    """One profile's answer: eligible formats best first, and every exclusion's reason."""

    profile: str
    weights: dict[str, float]
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)
    excluded: dict[str, str] = field(default_factory=dict)  # adapter -> reason
    notes: dict[str, str] = field(default_factory=dict)  # adapter -> admitted change
    unmeasured: str = ""  # why there is no ranking at all
    min_shuffle: float = training.DEFAULT_MIN_SHUFFLE  # training: how random is enough

    @property
    def reason(self) -> str:
        """The one line saying why the winner wins (with the measured ratio)."""
        return self.unmeasured or rec.explain(self.ranking, self.weights)


def _moved(frame: pd.DataFrame, adapter: str, key: str) -> list[str]:
    """Every 'col: how' entry under ``key`` in this adapter's rows, full reads first, one
    per column (the first case that saw it)."""
    if key not in frame:
        return []
    rows = frame[frame["adapter"] == adapter]
    if "operation" in rows:
        rows = pd.concat([rows[rows["operation"] == "read"], rows[rows["operation"] != "read"]])
    seen: dict[str, str] = {}
    for listed in rows[key].dropna():
        for entry in [listed] if isinstance(listed, str) else listed:
            seen.setdefault(str(entry).partition(": ")[0], str(entry))
    return list(seen.values())


def data_change(frame: pd.DataFrame, adapter: str) -> str:
    """Every column this adapter's round trips changed (values, nulls, zone or meaning),
    in one line; '' when none."""
    if "round_trip" not in frame:
        return ""
    changed = frame[(frame["adapter"] == adapter) & (frame["round_trip"] == "changed")]
    if changed.empty:
        return ""
    entries = _moved(changed, adapter, "round_trip_changes") or _moved(
        changed, adapter, "round_trip_change"
    )
    return summarise(entries) if entries else "values changed"


def data_retype(frame: pd.DataFrame, adapter: str) -> str:
    """Every column this adapter returned as another type with the same values, in one
    line ('category: string -> string_view'); '' when none, or when the data changed."""
    if "round_trip" not in frame or data_change(frame, adapter):
        return ""
    return summarise(_moved(frame, adapter, "round_trip_retyped"))


def _need_reason(frame: pd.DataFrame, adapter: str, op: str) -> str:
    """'' when ``adapter`` does ``op`` natively in these results, else why not."""
    ok = frame[(frame["adapter"] == adapter) & (frame["operation"] == op)]
    if "error" in ok:
        ok = ok[ok["error"].isna()]
    if op == "append":
        return "" if not ok.empty else _append_refusal(frame, adapter)
    if ok.empty:
        return ""  # not measured: rank lists it as missing
    if "native" in ok and not ok["native"].fillna(False).astype(bool).any():
        return f"no native {op}: each {op} reads the whole file"
    return ""


def _append_refusal(frame: pd.DataFrame, adapter: str) -> str:
    """Why an adapter has no append result: it cannot append, or its cases failed."""
    import formats

    cls = formats.registry.get(adapter)
    if cls is not None and not cls.append_modes:
        return f"cannot append: {cls.append_refusal}"
    failed = frame[(frame["adapter"] == adapter) & (frame["operation"] == "append")]
    if "error" in failed and failed["error"].notna().any():
        return f"its append cases failed: {failed['error'].dropna().iloc[0]}"
    return "no append result in this run"


def exclusions(
    frame: pd.DataFrame,
    profile: str,
    allow_lossy: bool = False,
    allow_unsafe: bool = False,
    strict_types: bool = False,
) -> tuple[dict[str, str], dict[str, str]]:
    """(excluded adapter -> reason, admitted adapter -> the change or retype it is ranked
    with: --allow-lossy's changes, and by default the value-preserving type changes)."""
    excluded, notes = {}, {}
    need = NEEDS.get(profile)
    for adapter in dict.fromkeys(frame["adapter"].dropna()):
        unsafe = facts.unsafe(frame, adapter)
        change = data_change(frame, adapter)
        retype = "" if change else data_retype(frame, adapter)
        if unsafe and not allow_unsafe:
            excluded[adapter] = unsafe
        elif change and not allow_lossy:
            excluded[adapter] = f"{CHANGES}: {change} (allow with --allow-lossy)"
        elif retype and strict_types:
            excluded[adapter] = f"{RETYPES}: {retype} (values kept; ranked without --strict-types)"
        elif need and (why := _need_reason(frame, adapter, need[0])):
            excluded[adapter] = why
        elif change or retype:
            notes[adapter] = change or f"{RETYPES}: {retype} (values kept)"
    return excluded, notes


def label(frame: pd.DataFrame, adapter: str, codec: str) -> str:
    """'Avro via fastavro (null)': the format, the engine that reads and writes it, the codec."""
    rows = frame[frame["adapter"] == adapter]
    if rows.empty or "format" not in rows or "engine" not in rows:
        return f"{adapter} ({codec})"
    first = rows.iloc[0]
    return f"{first['format']} via {first['engine']} ({codec})"


def best_per_format(frame: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """The ranking with one row per format: its best engine and codec, labelled."""
    if ranking.empty:
        return ranking
    fmt = frame.drop_duplicates("adapter").set_index("adapter")
    families = ranking["adapter"].map(fmt["format"] if "format" in fmt else pd.Series(dtype=str))
    # object dtype: a map that found no format is all-NaN float, which pandas will not
    # fill with strings much longer (Pandas4Warning)
    best = ranking.assign(_format=families.astype(object).fillna(ranking["adapter"]))
    best = best.drop_duplicates("_format").drop(columns="_format").reset_index(drop=True)
    pairs = zip(best["adapter"], best["codec"], strict=True)
    best.insert(0, "label", [label(frame, a, c) for a, c in pairs])
    best.attrs = ranking.attrs
    return best


def advise(
    frame: pd.DataFrame,
    profile: str,
    weights: dict[str, float] | None = None,
    allow_lossy: bool = False,
    allow_unsafe: bool = False,
    strict_types: bool = False,
    min_shuffle: float = training.DEFAULT_MIN_SHUFFLE,
) -> Advice:
    """The eligible formats for ``profile`` (or custom ``weights``), best first, and the rest."""
    weights = weights or rec.PROFILES[profile]
    advice = Advice(profile, weights, min_shuffle=min_shuffle)
    need = NEEDS.get(profile)
    if unmeasured := _not_run(frame, profile) or _unreached(frame, profile, min_shuffle):
        advice.unmeasured = unmeasured
        return advice
    advice.excluded, advice.notes = exclusions(
        frame, profile, allow_lossy, allow_unsafe, strict_types
    )
    if profile == "training":  # each format at its fastest epoch that is random enough
        for adapter, why in training.below_quality(frame, min_shuffle).items():
            advice.excluded.setdefault(adapter, why)
        frame = training.training_frame(frame, min_shuffle)
    eligible = frame[~frame["adapter"].isin(list(advice.excluded))]
    try:
        ranking = rec.rank(eligible, weights)
    except FmtbenchError:
        needs = sorted({rec.METRICS[m].needs() for m in weights})
        advice.unmeasured = f"not measured in this run (needs: {', '.join(needs)})"
        return advice
    advice.ranking = best_per_format(frame, ranking)
    _label_settings(frame, advice, need)
    if advice.ranking.empty:
        advice.unmeasured = "every format measured here is excluded (see the reasons)"
    return advice


def _unreached(frame: pd.DataFrame, profile: str, min_shuffle: float) -> str:
    return training.nothing_reached(frame, min_shuffle) if profile == "training" else ""


def _label_settings(frame: pd.DataFrame, advice: Advice, need: tuple[str, str] | None) -> None:
    """Name how each ranked format got its figure: its append mode, its epoch setting."""
    ranking = advice.ranking
    if ranking.empty:
        return
    if need and need[0] == "append":
        extra = [best_append_mode(frame, a) for a in ranking["adapter"]]
    elif advice.profile == "training":
        extra = [training.winner_setting(frame, a) for a in ranking["adapter"]]
    else:
        return
    ranking["label"] = [
        f"{lb}, {m}" if m else lb for lb, m in zip(ranking["label"], extra, strict=True)
    ]


def _not_run(frame: pd.DataFrame, profile: str) -> str:
    """Why ``profile`` cannot be answered from this run ('' when it can): its operation
    (NEEDS, MEASURED) was not run at all."""
    ran = set(frame["operation"].dropna()) if "operation" in frame else set()
    if (need := NEEDS.get(profile)) and need[0] not in ran:
        return f"needs {need[1]}: run with --ops {need[0]}"
    if (measured := MEASURED.get(profile)) and not set(measured[0].split(",")) & ran:
        return f"{measured[1]} was not measured: run with --ops {measured[0]}"
    return ""


def ranked_on(advice: Advice) -> str:
    """The metrics a profile's ranking used ('read_column, scan'), for its one line."""
    used = [m for m in advice.weights if m in advice.ranking.columns]
    text = ", ".join(used) or ", ".join(advice.weights)
    if advice.profile == "training":
        text += f", shuffle quality >= {advice.min_shuffle:g}"
    return text


def best_append_mode(frame: pd.DataFrame, adapter: str) -> str:
    """The append mode with the lowest geometric-mean time over batch sizes."""
    rows = frame[(frame["adapter"] == adapter) & (frame["operation"] == "append")]
    rows = rows[rows["median"].notna()]
    if rows.empty or "append_mode" not in rows:
        return "append"
    logs = np.log(rows["median"].astype(float)).groupby(rows["append_mode"]).mean()
    return str(logs.idxmin())


def profile_order(first: str | None) -> list[str]:
    """Built-in profiles with ``first`` (--profile) at the front."""
    names = list(rec.PROFILES)
    return ([first] + [n for n in names if n != first]) if first in names else names


def answer_lines(
    frame: pd.DataFrame,
    first: str | None = None,
    allow_lossy: bool = False,
    allow_unsafe: bool = False,
    strict_types: bool = False,
    min_shuffle: float = training.DEFAULT_MIN_SHUFFLE,
) -> list[tuple[str, list[str]]]:
    """Per (dataset, rows): a title and the short answer: winner per profile (with the
    metrics it ranked on), the retyped formats ranked, the exclusions."""
    blocks = []
    for (dataset, rows), part in frame.groupby(["dataset", "rows"], sort=False):
        lines, unmeasured, excluded, retyped = [], [], {}, {}
        for name in profile_order(first):
            advice = advise(part, name, None, allow_lossy, allow_unsafe, strict_types, min_shuffle)
            for adapter, why in advice.excluded.items():
                scoped = why if _general(why, part, adapter) else f"for {name}: {why}"
                excluded.setdefault(adapter, scoped)
            if advice.ranking.empty:
                unmeasured.append(f"{name} ({advice.unmeasured})")
                continue
            lines.append(f"{name} (ranked on {ranked_on(advice)}): {advice.reason}")
            win = advice.ranking.iloc[0]["adapter"]
            if win in advice.notes and not advice.notes[win].startswith(RETYPES):
                lines.append(f"  admitted with --allow-lossy: {advice.notes[win]}")
            for adapter in advice.ranking["adapter"]:
                if advice.notes.get(adapter, "").startswith(RETYPES):
                    retyped.setdefault(adapter, advice.notes[adapter])
        if unmeasured:
            lines.append("not ranked: " + "; ".join(unmeasured))
        lines += [
            f"ranked {a}, which {why[:-1]}; --strict-types excludes it)"
            for a, why in retyped.items()
        ]
        lines += [f"excluded {adapter}: {why}" for adapter, why in excluded.items()]
        blocks.append((f"Recommendation for {dataset} ({int(rows):,} rows)", lines))
    return blocks


def _general(reason: str, frame: pd.DataFrame, adapter: str) -> bool:
    """Whether an exclusion holds for every profile (unsafe, lossy), not just one's need."""
    unsafe = facts.unsafe(frame, adapter)
    return bool(unsafe) and reason == unsafe or reason.startswith((CHANGES, RETYPES))
