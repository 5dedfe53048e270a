"""Regenerate README's lakehouse reference tables from the reference results files.

Usage: python scripts/readme_lakehouse.py [--check] [--tables F] [--longevity F] [--readme F]
Reads results/reference/tables_tpch.json (``scripts/reference_run t``) and
results/reference/longevity.json (``scripts/reference_run l``; it names its chart) and puts
the table-operations table and the longevity summary with the chart between README's
``lakehouse-tables`` markers; a file not there yet gives a placeholder line. ``--check``
only says whether README holds what the files give now (exit 1 when it does not).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's code, whatever is installed
from benchmarks.analysis import lakehouse_readme as gen  # noqa: E402

REFERENCE = ROOT / "results" / "reference"


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or --check) README's lakehouse block."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only, write nothing")
    parser.add_argument("--tables", type=Path, default=REFERENCE / "tables_tpch.json")
    parser.add_argument("--longevity", type=Path, default=REFERENCE / "longevity.json")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args(argv)
    from benchmarks.errors import FmtbenchError

    try:
        old = args.readme.read_text()
        new = gen.splice(old, gen.block(args.tables, args.longevity, args.readme.parent))
    except (FmtbenchError, ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        print(f"README's lakehouse tables are {'current' if new == old else 'stale'}")
        return 0 if new == old else 1
    args.readme.write_text(new)
    print(f"{args.readme}: lakehouse tables regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
