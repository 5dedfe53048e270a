"""The adapter against its library called with its DEFAULTS, in shuffled pairs.

Usage: python scripts/compare_direct.py [--rows 200000] [--rounds 15] [--formats a,b]
                                        [--dataset tpch-lineitem:0.1] [--seed 0]
Each round runs the adapter's operation and the direct library call once each, in an
order drawn per round; prints per (adapter, operation) both medians and the median of the
per-round ratios adapter / library with its interval and the confidence that interval has
(benchmarks/suite/direct.py). Run it on a quiet machine before reading anything into it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.suite.direct import PairedRatio, run_comparison  # noqa: E402


def main() -> int:
    """Run the comparison and print a table; exit 1 if nothing could be compared."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="0: the dataset's own size")
    parser.add_argument("--rounds", type=int, default=15, help="timed pairs per comparison")
    parser.add_argument("--dataset", default="mixed", help="dataset spec (default: mixed)")
    parser.add_argument("--formats", help="comma-separated adapters (default: all with a call)")
    args = parser.parse_args()
    if args.rounds < 1 or args.rows < 0:
        print(f"error: --rounds {args.rounds} / --rows {args.rows}: need rounds >= 1 and "
              "rows >= 0; try --rounds 15 --rows 200000", file=sys.stderr)  # fmt: skip
        return 2
    print(f"{'adapter':20} {'operation':34} {'adapter ms':>10} {'library ms':>10} "
          f"{'ratio':>6}  interval (confidence, pairs)")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="fmtbench-direct-") as tmp:
        chosen = args.formats.split(",") if args.formats else None
        rows = run_comparison(
            args.rows or None,
            args.rounds,
            Path(tmp),
            chosen,
            report=_print_row,
            dataset=args.dataset,
            skipped=lambda name, why: print(f"{name:20} skipped: {why}", flush=True),
        )
    return 0 if rows else 1


def _print_row(r: PairedRatio) -> None:
    print(f"{r.adapter:20} {r.op:34} {r.adapter_s * 1e3:10.2f} {r.direct_s * 1e3:10.2f} "
          f"{r.ratio:6.2f}  {r.low:.2f}..{r.high:.2f} ({r.confidence:.0%}, {r.pairs})",
          flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
