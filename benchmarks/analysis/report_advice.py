"""The report's answer: the same short block the terminal prints, each profile's ranking
of eligible formats with the excluded ones and their reasons, what each format changed in
this data, and the fixed universality facts."""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis import advice as adv
from benchmarks.analysis import facts, ties
from benchmarks.analysis import recommend as rec
from benchmarks.analysis.report_blocks import TOP, Block, Choices, bullets, heading, para, table

SCORING = (
    "Each metric is divided by the best format's value in the same case, so 1.00 is the "
    "best and 2.00 twice the best's time or size; the score is the weighted geometric mean "
    "of those ratios (lower is better), which treats '2x slower' alike on every operation "
    "and needs no units. A format missing a weighted metric (failed or not run) is ranked "
    "after those that have them all. Each format is ranked at its best engine and codec."
)

RULES = (
    "A format is eligible only if its round trip kept this data's values (--allow-lossy "
    "admits changed ones; one that returned another type with the same values, retyped, "
    "is ranked with the type change named unless --strict-types), it is safe to load in "
    "any language (--allow-unsafe admits "
    "Pickle), and it natively does what the profile needs (lookups: a native take; "
    "logging: appends; serving: a measured single-row take; training: an epoch whose "
    "delivered order reached --min-shuffle, each format at its fastest such epoch)."
)


def _weights_text(weights: dict[str, float]) -> str:
    return ", ".join(f"{m}={w:g}" for m, w in weights.items())


def profile_blocks(
    frame: pd.DataFrame, title: str, name: str, weights: dict[str, float], choices: Choices
) -> list[Block]:
    """One profile: top eligible formats with scores, why the first wins, who is excluded."""
    floor = (
        f"; only epochs whose delivered order reached shuffle quality {choices.min_shuffle:g} "
        "count (--min-shuffle), each format at its fastest one"
        if name == "training"
        else ""
    )
    blocks = [heading(title, 3), para(f"weights: {_weights_text(weights)}{floor}")]
    advice = adv.advise(
        frame,
        name,
        weights,
        choices.allow_lossy,
        choices.allow_unsafe,
        choices.strict_types,
        choices.min_shuffle,
    )
    ranking = advice.ranking
    if ranking.empty:
        why = advice.unmeasured
        blocks.append(para(f"{why[:1].upper()}{why[1:]}."))
    else:
        metrics = [c for c in ranking.columns if c in rec.METRICS]
        header = ["#", "format (engine, codec)", "score", *metrics, "missing"]
        ranks = ties.tie_ranks(frame, ranking, weights)  # '=1': within noise of the one above
        rows = [
            [ranks[i], r["label"], f"{r['score']:.2f}"]
            + [f"{r[m]:.2f}" if pd.notna(r[m]) else "-" for m in metrics]
            + [r["missing"] or "-"]
            for i, (_, r) in enumerate(ranking.head(TOP).iterrows())
        ]
        why = " ".join(filter(None, [advice.reason, ties.noise_note(frame, ranking, weights)]))
        blocks += [table(header, rows), para("Why: " + why)]
        if ranking.attrs.get("unmeasured"):
            blocks.append(para(f"Not in this run: {', '.join(ranking.attrs['unmeasured'])}."))
    ranked = set(ranking.get("adapter", []))
    notes = {a: why for a, why in advice.notes.items() if a in ranked}
    retyped = [f"{a}: {why}" for a, why in notes.items() if why.startswith(adv.RETYPES)]
    admitted = [f"{a}: {why}" for a, why in notes.items() if not why.startswith(adv.RETYPES)]
    if retyped:
        blocks += [para("Ranked with another type, the same values (--strict-types excludes):")]
        blocks.append(bullets(retyped))
    if admitted:
        blocks += [para("Admitted with --allow-lossy, with the change:"), bullets(admitted)]
    if advice.excluded:
        blocks += [
            para("Excluded:"),
            bullets([f"{a}: {why}" for a, why in advice.excluded.items()]),
        ]
    return blocks


def answer_blocks(frame: pd.DataFrame, choices: Choices) -> list[Block]:
    """The short answer, as the terminal summary ends with it."""
    blocks = []
    for title, lines in adv.answer_lines(
        frame,
        choices.profile,
        choices.allow_lossy,
        choices.allow_unsafe,
        choices.strict_types,
        choices.min_shuffle,
    ):
        blocks += [heading(title, 3), bullets(lines)]
    return blocks


def changes_blocks(frame: pd.DataFrame) -> list[Block]:
    """Per format, what its round trips changed or retyped in this data (every read case
    is checked)."""
    if "round_trip" not in frame:
        return []
    checked = frame[frame["round_trip"].notna()]
    rows = []
    for adapter in dict.fromkeys(checked["adapter"]):
        change, retype = adv.data_change(checked, adapter), adv.data_retype(checked, adapter)
        verdict = "changed" if change else "retyped" if retype else "lossless"
        rows.append([adapter, verdict, change or "-", retype or "-"])
    if not rows:
        return []
    return [
        heading("What each format changed in this data", 3),
        para(
            "Measured on every read case: the result compared with the source, untimed. "
            "lossless: same types, same values; retyped: another type of the same kind whose "
            "values, cast back, are the source's; changed: values, nulls, NaN/-0.0, zone or "
            "meaning differ."
        ),
        table(["format", "round trip", "changed columns", "retyped columns"], rows),
    ]


def advice_blocks(
    frame: pd.DataFrame, custom: dict[str, float] | None, choices: Choices
) -> list[Block]:
    """The answer first, then each profile (``choices.profile`` first), then the facts."""
    blocks = [
        heading("Recommendations"),
        *answer_blocks(frame, choices),
        para(RULES),
        para(SCORING),
    ]
    if custom:
        blocks += profile_blocks(frame, "custom (--weights)", "custom", custom, choices)
    for name in adv.profile_order(choices.profile):
        title = f"{rec.PROFILE_TITLES[name]} [{name}]"
        blocks += profile_blocks(frame, title, name, rec.PROFILES[name], choices)
    return blocks + changes_blocks(frame) + universality_blocks(frame)


def universality_blocks(frame: pd.DataFrame) -> list[Block]:
    """The universality facts each format's adapter declares, for the formats in this run."""
    names = frame["format"].fillna(frame["adapter"]) if "format" in frame else frame["adapter"]
    first = dict(zip(names.astype(str), frame["adapter"], strict=True))  # format -> an adapter
    rows = []
    for fmt in dict.fromkeys(names.astype(str)):
        readers = facts.readers(frame, first[fmt])
        if readers is None:
            rows.append([fmt, "-", "unknown: no adapter here declares it"])
        else:
            rows.append([fmt, 1 + len(readers), ", ".join(sorted(readers)) or "its own library"])
    legend = "; ".join(f"{k}: {v}" for k, v in rec.TOOLS.items())
    return [
        heading("Universality (facts each adapter declares, not a measurement)", 3),
        para(f"Score = 1 + how many of these tools read the format out of the box. {legend}."),
        table(["format", "score", "read by"], rows),
    ]
