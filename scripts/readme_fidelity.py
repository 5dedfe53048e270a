"""Regenerate README's type-fidelity matrix from the command that measures it.

Usage: python scripts/readme_fidelity.py [--check]
Runs ``fmtbench fidelity --markdown`` (every adapter, text readers given the file alone)
and puts its output between README's ``fidelity-matrix`` markers; ``--check`` only says
whether README holds what the command prints now (exit 1 when it does not).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.analysis.readme_markers import splice as splice_block

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- fidelity-matrix:begin (scripts/readme_fidelity.py) -->"
END = "<!-- fidelity-matrix:end -->"


def splice(readme: str, block: str) -> str:
    """``readme`` with the text between the markers replaced by ``block``."""
    return splice_block(readme, block, BEGIN, END)


def main() -> int:
    """Regenerate (or --check) README's matrix."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.cli", "fidelity", "--markdown"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        print(f"error: fmtbench fidelity failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return 1
    path = ROOT / "README.md"
    old = path.read_text()
    new = splice(old, proc.stdout)
    if args.check:
        print("README's matrix is current" if new == old else "README's matrix is stale")
        return 0 if new == old else 1
    path.write_text(new)
    print(f"README.md: fidelity matrix regenerated ({proc.stdout.count(chr(10))} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
