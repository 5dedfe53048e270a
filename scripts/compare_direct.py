"""Suite overhead vs direct library calls (issue: the suite measures the format, not glue).

Usage: python scripts/compare_direct.py [--rows 200000] [--rounds 15] [--formats a,b]
                                        [--dataset tpch-lineitem:0.1]
Prints one row per (adapter, operation): suite median, the direct call with the adapter's
options and its ratio, the library called with its defaults and that ratio, the limit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.suite.direct import run_comparison  # noqa: E402


def main() -> int:
    """Run the comparison and print a table; exit 1 if any ratio is over its limit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="0: the dataset's own size")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--dataset", default="mixed", help="dataset spec (default: mixed)")
    parser.add_argument(
        "--formats", help="comma-separated adapters (default: all with a direct call)"
    )
    args = parser.parse_args()
    print(f"{'adapter':20} {'operation':28} {'suite ms':>10} {'direct ms':>10} {'ratio':>6} "
          f"{'defaults ms':>11} {'ratio':>6} limit")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="fmtbench-direct-") as tmp:
        chosen = args.formats.split(",") if args.formats else None
        rows = run_comparison(
            args.rows or None,
            args.rounds,
            Path(tmp),
            chosen,
            report=_print_row,
            dataset=args.dataset,
        )
    return 0 if all(r.ok for r in rows) else 1


def _print_row(r) -> None:
    flag = "" if r.ok else "  OVER"
    plain = "" if r.defaults_s is None else f"{r.defaults_s * 1e3:11.2f} {r.defaults_ratio:6.2f}"
    print(f"{r.adapter:20} {r.op:28} {r.suite_s * 1e3:10.2f} {r.direct_s * 1e3:10.2f} "
          f"{r.ratio:6.2f} {plain or '-':>18} {r.limit:.2f}{flag}", flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
