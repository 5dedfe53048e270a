"""Regenerate results/reference/README.md and README's claims table.

Usage: python scripts/reference_docs.py [--check]
results/reference/README.md gets one line per step of scripts/reference_run: the question
it answers, its command (read from scripts/reference_run itself, so it cannot drift) and
the chart to look at first (from STEPS below). README.md gets the table of published
claims from results/reference/claims.json (written by ``scripts/claims``) between its
``claims-table`` markers. ``--check`` writes nothing and exits 1 when either is stale or
when a step of scripts/reference_run has no row in STEPS.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import NamedTuple

from benchmarks.analysis.readme_markers import splice as splice_block

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- claims-table:begin (scripts/reference_docs.py) -->"
END = "<!-- claims-table:end -->"
RUN_SHORTHAND = "fmtbench run --case-budget {budget} --force --quiet"  # reference_run's run()


class Step(NamedTuple):
    """One reference step: what it answers and where to look first."""

    results: str  # file under results/reference/
    question: str
    chart: str  # path under results/reference/ ("" none)


#: Every step of scripts/reference_run by its key. m, t and l are added to reference_run by
#: the ML and lakehouse work; a row whose key reference_run lacks is left out.
STEPS: dict[str, Step] = {
    "1": Step(
        "core.json",
        "Which format writes, reads and reads one column fastest, and how big is it?",
        "core/pareto_size_vs_read_tpch-lineitem_600572.png",
    ),
    "8": Step(
        "engines_tpch.json",
        "Is a slow format slow, or only one library reading it?",
        "engines_tpch/engines_tpch-lineitem_600572.png",
    ),
    "2": Step(
        "access_tpch.json",
        "Which formats fetch a few rows, filter and stream without reading everything?",
        "access_tpch/take_latency_tpch-lineitem_600572.png",
    ),
    "3": Step(
        "take_scaling.json",
        "Does a lookup stay fast as the file grows?",
        "take_scaling/scaling_take_mixed.png",
    ),
    "4": Step(
        "iterate.json",
        "Row-wise or column-wise iteration: what does each cost?",
        "iterate/time_iterate_mixed_200000.png",
    ),
    "5": Step(
        "knobs_tpch.json", "What Parquet row group size should I use?", "knobs_tpch/report.md"
    ),
    "6": Step(
        "append_logs.json",
        "Which format takes small appends to a growing log?",
        "append_logs/append_tradeoff_logs_50000.png",
    ),
    "7": Step(
        "s3_tpch.json",
        "How many requests and bytes does each operation cost on "
        "object storage, and what does latency do?",
        "s3_tpch/storage_take_k-1_pattern-uniform_tpch-lineitem_600572.png",
    ),
    "9": Step(
        "scaling_tpch.json",
        "How do time and peak memory grow with the rows when each format is streamed?",
        "scaling_tpch/scaling_memory_tpch-lineitem.png",
    ),
    "0": Step(
        "files_tpch.json",
        "What does splitting a table into many small files cost?",
        "files_tpch/files_tpch-lineitem_600572.png",
    ),
    "m": Step(
        "ml_epoch.json",
        "Which format feeds a training epoch fastest, shuffled?",
        "ml_epoch/report.md",
    ),
    "t": Step(
        "tables_tpch.json",
        "What do commits, updates, deletes and merges cost in each table format?",
        "tables_tpch/report.md",
    ),
    "l": Step(
        "longevity.json",
        "Do reads slow down as commits pile up, and does compaction recover them?",
        "longevity.png",
    ),
    "c": Step("claims.json", "Do published claims about these formats hold on this machine?", ""),
}

_STEP = re.compile(r"^\[\[ \$steps == \*(\w)\* \]\] && (.*)$")


def parse_steps(script: str) -> dict[str, str]:
    """Each step's command in reference_run, continuation lines joined, in script order."""
    found, lines = {}, script.splitlines()
    for i, line in enumerate(lines):
        m = _STEP.match(line)
        if not m:
            continue
        cmd, j = m.group(2), i
        while cmd.endswith("\\"):
            j += 1
            cmd = cmd[:-1].rstrip() + " " + lines[j].strip()
        found[m.group(1)] = _expand(cmd, script)
    return found


def _expand(cmd: str, script: str) -> str:
    """The command as a reader would type it: $out, simple variables and run() spelled out."""
    for name, value in re.findall(r"^(\w+)=([^\s(]+)\s*$", script, re.M):
        cmd = cmd.replace(f'"${name}"', value).replace(f"${name}", value)
    cmd = re.sub(r'"([^"\s]*)"', r"\1", cmd)  # "results/reference/core.json" needs no quotes
    if cmd.startswith("run "):
        budget = re.search(r"FMTBENCH_CASE_BUDGET:-([\d.]+)", script)
        cmd = RUN_SHORTHAND.format(budget=budget.group(1) if budget else "?") + cmd[3:]
    return cmd


def steps_readme(commands: dict[str, str]) -> str:
    """results/reference/README.md: one line per step, in reference_run's order."""
    rows = []
    for key, cmd in commands.items():
        step = STEPS[key]
        chart = f"[{Path(step.chart).name}]({step.chart})" if step.chart else "README's table"
        rows.append(
            f"| `{key}` | {step.question} | [{step.results}]({step.results}) | `{cmd}` | {chart} |"
        )
    return "\n".join(
        [
            "# Reference results",
            "",
            "Generated by `scripts/reference_docs.py` from `scripts/reference_run`; do not edit.",
            "Regenerate every step with `scripts/reference_run` on a quiet machine, one step with",
            "`scripts/reference_run KEY` (e.g. `scripts/reference_run 2c`). Each results file",
            "records its run time (`wall_s`) and the load average before and after the run.",
            "",
            "| step | question | results | command | look first at |",
            "|---|---|---|---|---|",
            *rows,
            "",
        ]
    )


def claims_table(path: Path) -> str:
    """README's claims block from claims.json (a note when it was not produced yet)."""
    if not path.exists():
        return (
            "Not measured yet: `scripts/claims` (step `c` of `scripts/reference_run`) "
            "writes `results/reference/claims.json`."
        )
    doc = json.loads(path.read_text())
    rows = [
        "| claim | source | published | experiment here | measured here | holds | likely reason |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in doc["claims"]:
        cells = [
            c["claim"],
            c["source"],
            c["published"],
            f"`{c['experiment']}`",
            c.get("measured") or "-",
            f"**{c['holds']}**",
            c.get("reason") or "",
        ]
        rows.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    note = (
        f"Measured {doc['datetime'][:10]} in {doc['wall_s']:.0f} s, load "
        f"{doc['load_before']['1min']:.1f} before, {doc['load_after']['1min']:.1f} after "
        f"({doc['load_before']['cores']} cores); `scripts/claims` reproduces it."
    )
    if doc.get("smoke"):
        note += " **Smoke run: tiny data, the figures judge nothing.**"
    return "\n".join([*rows, "", note])


def splice(readme: str, block: str) -> str:
    """``readme`` with the text between the claims markers replaced by ``block``."""
    return splice_block(readme, block, BEGIN, END)


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or --check) both files."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare only, write nothing")
    p.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)  # tests
    args = p.parse_args(argv)
    ref = args.root / "results" / "reference"
    commands = parse_steps((args.root / "scripts" / "reference_run").read_text())
    missing = [k for k in commands if k not in STEPS]
    if missing:
        print(
            f"error: scripts/reference_run step(s) {','.join(missing)} have no row in "
            "scripts/reference_docs.py STEPS: add the question and chart",
            file=sys.stderr,
        )
        return 1
    readme = args.root / "README.md"
    targets = {
        ref / "README.md": steps_readme(commands),
        readme: splice(readme.read_text(), claims_table(ref / "claims.json")),
    }
    stale = [t for t, text in targets.items() if not t.exists() or t.read_text() != text]
    if args.check:
        for t in stale:
            print(f"{t.relative_to(args.root)} is stale: run python scripts/reference_docs.py")
        return 1 if stale else 0
    for t in stale:
        t.write_text(targets[t])
        print(f"wrote {t.relative_to(args.root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
