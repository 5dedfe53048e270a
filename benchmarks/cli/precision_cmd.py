"""``scripts/precision``: run one configuration twice and say how well the runs agree.

Usage: scripts/precision [fmtbench run options], e.g.
    scripts/precision --rows 200000 --formats parquet-pyarrow,feather,orc-pyarrow
Both results files are kept (--out-dir, default a new temporary folder) for compare.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from benchmarks.cli.args import add_run_args
from benchmarks.cli.console import out
from benchmarks.errors import FmtbenchError


def parser() -> argparse.ArgumentParser:
    """``fmtbench run``'s options, plus where the two results files go."""
    p = argparse.ArgumentParser(prog="scripts/precision", description=__doc__.splitlines()[0])
    add_run_args(p)
    p.add_argument("--out-dir", type=Path, help="folder for run1.json and run2.json")
    return p


def main(argv: list[str] | None = None) -> int:
    """Two identical runs, then per case >= 10 ms the ratio of medians and the share within 5%."""
    from benchmarks.analysis import precision
    from benchmarks.cli.run_cmd import config_from_args
    from benchmarks.run.runner import RunOptions, run

    args = parser().parse_args(argv)
    if args.out or args.resume:
        parser().error("--out and --resume do not apply; use --out-dir")
    try:
        folder = args.out_dir or Path(tempfile.mkdtemp(prefix="fmtbench-precision-"))
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "run1.json", folder / "run2.json"]
        for path in paths:
            cfg = config_from_args(args)  # a fresh config each time: nothing carries over
            opts = RunOptions(out=path, force=True, progress=not args.quiet,
                              case_timeout=args.case_timeout, isolate=args.isolate)  # fmt: skip
            run(cfg, opts)
        found = precision.pairs(*paths)
    except FmtbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    out.print(precision.table(found))
    out.print(precision.verdict(found))
    out.print(f"results: {paths[0]} {paths[1]}", markup=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
