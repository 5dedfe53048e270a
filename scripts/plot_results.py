"""Draw the charts of a fmtbench results file: python scripts/plot_results.py RESULTS.json.

A thin wrapper over ``benchmarks.analysis.plot.plot_results`` (the same as ``fmtbench plot``) that
also works from a checkout where the package is not installed.

Example: python scripts/plot_results.py results/0001_mixed.json --out charts/ --log
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

try:
    from benchmarks.analysis.plot import plot_results
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.analysis.plot import plot_results


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, write the charts, print where they went."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, help="a results .json written by fmtbench run")
    parser.add_argument("--out", type=Path, help="chart folder (default: beside the results)")
    parser.add_argument("--log", action="store_true", help="log-scale time axes in bar charts")
    args = parser.parse_args(argv)
    from benchmarks.errors import FmtbenchError

    try:
        written = plot_results(args.results, args.out, log_scale=args.log)
    except FmtbenchError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return exc.exit_code
    print(f"wrote {len(written)} chart files to {written[0].parent if written else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
