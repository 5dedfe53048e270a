"""``scripts/stability``: run one configuration twice; do the ratios and rankings hold?

Usage: scripts/stability [fmtbench run options], added to the issue's check (a flag given
again wins, e.g. --processes 1 or --formats ...):
    --rows 200000 --formats parquet-pyarrow,parquet-polars,feather,orc-pyarrow,csv-pyarrow,
    lance,vortex,jsonl-orjson
Prints each run's wall time, the share of cases >= 10 ms whose ratio to their group's
fastest agrees within 5%, the same for medians (scripts/precision's figure), and the
groups whose order differs beyond a tie. Both results files are kept (--out-dir).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchmarks.cli.console import out
from benchmarks.cli.precision_cmd import parser as precision_parser
from benchmarks.errors import FmtbenchError

DEFAULT_ARGS = [
    "--rows", "200000", "--formats",
    "parquet-pyarrow,parquet-polars,feather,orc-pyarrow,csv-pyarrow,lance,vortex,jsonl-orjson",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Two identical runs, then ratio agreement, ranking agreement and wall times."""
    from benchmarks.analysis import precision, stability
    from benchmarks.cli.run_cmd import config_from_args
    from benchmarks.run.runner import RunOptions, run

    argv = list(sys.argv[1:] if argv is None else argv)
    args = precision_parser().parse_args(DEFAULT_ARGS + argv)  # given flags win
    if args.out or args.resume:
        precision_parser().error("--out and --resume do not apply; use --out-dir")
    try:
        folder = args.out_dir or Path(tempfile.mkdtemp(prefix="fmtbench-stability-"))
        folder.mkdir(parents=True, exist_ok=True)
        paths = [folder / "run1.json", folder / "run2.json"]
        walls = []
        for path in paths:
            cfg = config_from_args(args)  # a fresh config each time: nothing carries over
            opts = RunOptions(out=path, force=True, progress=not args.quiet,
                              case_timeout=args.case_timeout, isolate=args.isolate)  # fmt: skip
            walls.append(run(cfg, opts).data["fmtbench"]["wall_s"])
        found = stability.ratio_pairs(*paths)
        ranks = stability.rankings(*paths)
        medians = precision.pairs(*paths)
    except FmtbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    out.print(f"wall time: {walls[0]:.0f} s, {walls[1]:.0f} s", markup=False)
    for line in stability.verdict(found, ranks):
        out.print(line, markup=False)
    out.print("medians: " + precision.verdict(medians), markup=False)
    for r in ranks:
        if not r.agrees:
            out.print(f"  order differs in {r.group}: {r.first} vs {r.second}", markup=False)
    for p in found:
        if not p.within():
            out.print(f"  {p.case}: {p.first:.3f} vs {p.second:.3f}", markup=False)
    out.print(f"results: {paths[0]} {paths[1]}", markup=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
