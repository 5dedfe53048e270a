"""Two writers at once: two processes commit to one table concurrently, per format.

``append``: N commits of B rows each, keyed apart; afterwards every landed commit's rows
must be in the table exactly once. ``update``: both writers update the same rows N times
(rewriting the same files); refused commits are counted with their error. Prints one line
per format and mode, writes two_writers.json.

Example: python scripts/two_writers.py --formats delta,iceberg,lance --commits 10
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

try:
    from benchmarks.suite import concurrency
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.suite import concurrency


def main(argv: list[str] | None = None) -> int:
    """Run both modes for each format; exit 1 when a row was lost or duplicated."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--formats", default="delta,iceberg,lance,parquet-dataset")
    p.add_argument("--modes", default="append,update", help="append, update or both")
    p.add_argument("--commits", type=int, default=10, help="commits per writer (default 10)")
    p.add_argument("--batch-rows", type=int, default=100, help="rows per appended commit")
    p.add_argument("--rows", type=int, default=1000, help="rows of the starting table")
    p.add_argument("--out", type=Path, default=Path("two_writers.json"))
    p.add_argument(
        "--workdir", type=Path, help="where the tables are made (default: a temp folder)"
    )
    args = p.parse_args(argv)
    for flag, n in (("--commits", args.commits), ("--batch-rows", args.batch_rows),
                    ("--rows", args.rows)):  # fmt: skip
        if n < 1:
            print(f"error: {flag} {n}: must be >= 1, e.g. {flag} 10", file=sys.stderr)
            return 2
    from benchmarks.errors import FmtbenchError
    from benchmarks.suite.table_claim import check_writable, claim_table_dir

    try:  # bad places before any table is made: an unwritable folder, a folder in use
        check_writable(args.out.parent.resolve(), "--out")
        if args.workdir is None:
            return _run(args, None)
        with claim_table_dir(args.workdir) as work:
            return _run(args, work)
    except FmtbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, workdir: Path | None) -> int:
    """Every format and mode; the tables under ``workdir`` (None: a temp folder each)."""
    from benchmarks.datasets import load_dataset
    from benchmarks.suite.table_oracle import plan

    table = load_dataset("numeric", args.rows).table
    chosen = plan(table)
    results = []
    for name in args.formats.split(","):
        for mode in args.modes.split(","):
            r = concurrency.two_writers(
                name, table, chosen.key[0], chosen.value, mode, args.commits, args.batch_rows,
                workdir,
            )  # fmt: skip
            results.append(r)
            died = [w["exitcode"] for w in r["writers"] if w["exitcode"]]
            print(
                f"{name:<16} {mode:<7} landed {r['landed']:>3} of {2 * args.commits}, "
                f"conflicts {r['conflicts']:>3}, lost {r['lost']}, duplicated "
                f"{r['duplicated']}{', writer died: ' + str(died) if died else ''}"
                f"{'' if r['ok'] else '  <-- CHECK FAILED'}"
            )
    args.out.write_text(json.dumps(results, indent=1))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
