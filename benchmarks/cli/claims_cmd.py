"""``scripts/claims``: published claims checked against experiments run on this machine.

Usage: scripts/claims [--reference-dir DIR] [--out FILE] [--only ID,ID] [--smoke]
Each claim's figure is read from the reference results file that holds its experiment
(``DIR/<name>.json``, written by ``scripts/reference_run``); a claim whose file is missing
or lacks the experiment runs its own small experiment (results kept in ``DIR/claims/``).
Writes ``DIR/claims.json``: per claim its text, source, the exact command, the figure here,
the published figure, whether it holds and the likely reason when not; plus the step's run
time and the machine load before and after. ``--smoke`` shrinks every experiment to a few
thousand rows: it checks the step works, its figures judge nothing.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.analysis.claims import CLAIMS, Claim, Doc, by_id
from benchmarks.suite import machine

ROOT = Path(__file__).resolve().parents[2]
SMOKE_ROWS = "3000"


def parser() -> argparse.ArgumentParser:
    """The options of ``scripts/claims``."""
    p = argparse.ArgumentParser(prog="scripts/claims", description=__doc__.splitlines()[0])
    p.add_argument(
        "--reference-dir",
        type=Path,
        default=ROOT / "results" / "reference",
        help="where the reference results are read and claims.json is written",
    )
    p.add_argument("--out", type=Path, help="claims file (default REFERENCE_DIR/claims.json)")
    p.add_argument("--only", help="claim ids, comma separated (default: all)")
    p.add_argument("--smoke", action="store_true", help="tiny experiments: checks the step only")
    return p


def smoke_args(claim: Claim) -> tuple[str, ...]:
    """The claim's experiment on a few thousand rows of the smallest TPC-H table."""
    args, out = shlex.split(claim.experiment), []
    for i, a in enumerate(args):
        if a in ("--rows", "--rounds", "--commits") or (
            i and args[i - 1] in ("--rows", "--rounds", "--commits")
        ):
            continue
        out.append("tpch-lineitem:0.01" if i and args[i - 1] in ("--datasets", "--dataset") else a)
    extra = ("--commits", "2") if claim.tool != "fmtbench run" else ()
    return (*out, "--rows", SMOKE_ROWS, "--rounds", "1", *extra)


def _run(claim: Claim, args: tuple[str, ...], folder: Path) -> tuple[str, Path]:
    """Run the experiment; its command line and the results file it wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    if claim.tool == "fmtbench run":
        path = folder / f"{claim.id}.json"
        full = ["run", *args, "--out", str(path), "--force", "--quiet", "--no-charts"]
        command = shlex.join(["fmtbench", *full]).replace(str(path), _relative(path))
        from benchmarks.cli.main import main as fmtbench

        code = fmtbench(full)
    else:
        path = folder / claim.id / "longevity.json"
        full = [
            sys.executable,
            str(ROOT / "scripts" / "longevity.py"),
            *args,
            "--out",
            str(path.parent),
        ]
        command = shlex.join(["python", "scripts/longevity.py", *full[2:]])
        command = command.replace(str(path.parent), _relative(path.parent))
        path.parent.mkdir(parents=True, exist_ok=True)
        code = subprocess.run(full, cwd=ROOT, check=False).returncode
    if not path.exists():
        raise RuntimeError(f"{command} wrote no results (exit {code})")
    return command, path


def check(claim: Claim, ref_dir: Path, smoke: bool, done: dict) -> dict[str, Any]:
    """One claim's record: from its reference file, else from its own experiment."""
    ref = ref_dir / f"{claim.reference}.json"
    measured, command, path = None, "", None
    if claim.reference and ref.exists() and not smoke:
        measured = claim.measure(json.loads(ref.read_text()))
        command, path = f"scripts/reference_run (results {ref.name})", ref
    if measured is None:
        args = smoke_args(claim) if smoke else tuple(shlex.split(claim.experiment))
        if (claim.tool, args) not in done:  # two claims, one experiment: run it once
            done[(claim.tool, args)] = _run(claim, args, ref_dir / "claims")
        command, path = done[(claim.tool, args)]
        measured = claim.measure(_load(path))
    record = {
        "id": claim.id,
        "claim": claim.text,
        "source": claim.source,
        "experiment": command,
        "results": _relative(path),
        "published": claim.published,
    }
    if measured is None:
        return {
            **record,
            "measured": None,
            "holds": "not measured",
            "reason": "the experiment gave no passing case for it (see its results)",
        }
    return {
        **record,
        "measured": measured.figure,
        "value": measured.value,
        "holds": measured.holds,
        "reason": measured.reason,
    }


def _load(path: Path) -> Doc:
    return json.loads(path.read_text())


def _relative(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    """Check every (or each --only) claim, write claims.json, print one line per claim."""
    args = parser().parse_args(argv)
    known = by_id()
    wanted = args.only.split(",") if args.only else list(known)
    unknown = [w for w in wanted if w not in known]
    if unknown:
        print(
            f"error: --only {','.join(unknown)}: no such claim; one of {','.join(known)}",
            file=sys.stderr,
        )
        return 2
    if not args.reference_dir.is_dir():
        print(
            f"error: --reference-dir {args.reference_dir}: not a directory; e.g. results/reference",
            file=sys.stderr,
        )
        return 2
    if args.smoke and args.reference_dir.resolve() == (ROOT / "results" / "reference"):
        print(
            "error: --smoke with --reference-dir results/reference would overwrite the "
            "reference claims with tiny figures; pass another, e.g. --reference-dir /tmp/c",
            file=sys.stderr,
        )
        return 2
    started, load_before, done = time.time(), machine.load(), {}
    try:
        records = [check(c, args.reference_dir, args.smoke, done) for c in CLAIMS if c.id in wanted]
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = args.out or args.reference_dir / "claims.json"
    doc = {
        "claims": records,
        "smoke": args.smoke,
        **machine.provenance(started, load_before),
    }
    out.write_text(json.dumps(doc, indent=1) + "\n")
    for r in records:
        print(f"{r['id']:<18} {r['holds']:<7} {r['measured'] or ''}")
    print(f"wrote {out} ({doc['wall_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
