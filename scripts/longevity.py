"""Longevity of table formats: load; R rounds of {K commits, update, delete}; compact.

Writes longevity.json (every phase's read/scan time, files and metadata bytes, and per
format the read-time growth per 100 commits and how much compaction recovered) and the
chart longevity.png/.svg. Timings on a loaded machine are noisy: compare within a run.

Example: python scripts/longevity.py --dataset tpch-lineitem:0.01 --rounds 5 --commits 20
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    from benchmarks.suite import longevity
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.suite import longevity

DEFAULT_FORMATS = "delta,iceberg,lance,parquet-dataset"


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be a whole number >= 1, e.g. 5")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} must be in (0, 1], e.g. 0.01")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the sequence for each format, write the JSON and the chart, print the summary."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dataset", default="tpch-lineitem:0.01", help="a built-in dataset spec")
    p.add_argument("--rows", type=_positive, help="rows of the dataset (default: all)")
    p.add_argument("--formats", default=DEFAULT_FORMATS, help="table adapters, comma separated")
    p.add_argument("--rounds", type=_positive, default=5, help="rounds (default 5)")
    p.add_argument("--commits", type=_positive, default=20, help="commits per round (default 20)")
    p.add_argument("--batch-rows", type=_positive, default=100, help="rows per commit")
    p.add_argument("--change", type=_fraction, default=0.01, help="update/delete fraction")
    p.add_argument("--reads", type=_positive, default=3, help="reads per measurement")
    p.add_argument("--out", type=Path, default=Path("longevity"), help="output folder")
    p.add_argument(
        "--workdir", type=Path, help="where the tables are made (default: a temp folder)"
    )
    args = p.parse_args(argv)
    from benchmarks.analysis.charts.longevity import plot_longevity
    from benchmarks.datasets import load_dataset
    from benchmarks.errors import FmtbenchError
    from benchmarks.suite import machine
    from benchmarks.suite.table_claim import check_writable, claim_table_dir

    try:
        table = load_dataset(args.dataset, args.rows).table
    except FmtbenchError as exc:
        print(f"error: --dataset {args.dataset}: {exc}", file=sys.stderr)
        return 2
    seq = longevity.Sequence(args.rounds, args.commits, args.batch_rows, args.change, args.reads)
    started, load_before = time.time(), machine.load()
    try:  # bad places before any table is made: an unwritable folder, a folder in use
        check_writable(args.out, "--out")
        with _tables(args.workdir, claim_table_dir) as work:
            result = longevity.run_all(args.formats.split(","), table, work, seq)
    except FmtbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    result["dataset"], result["rows"] = args.dataset, table.num_rows
    result.update(machine.provenance(started, load_before))  # when, how long, on what
    result["chart_png"] = None
    (args.out / "longevity.json").write_text(json.dumps(result, indent=1))  # kept if no chart
    charts = plot_longevity(result, args.out) if result["points"] else []
    png = next((c for c in charts if c.suffix == ".png"), None)
    if png is not None:  # its name beside the JSON: scripts/readme_lakehouse.py links it
        result["chart_png"] = png.name
        (args.out / "longevity.json").write_text(json.dumps(result, indent=1))
    for s in result["summary"]:
        rec = s["compaction_recovery"]
        print(
            f"{s['adapter']:<16} read {s['read_load_s'] * 1e3:7.1f} -> "
            f"{s['read_last_round_s'] * 1e3:7.1f} ms after {s['commits']} commits "
            f"({s['degradation_per_100_commits']:+.0%} per 100 commits); compacted "
            f"{s['read_compacted_s'] * 1e3:7.1f} ms"
            + (f" ({rec:.0%} of the growth recovered)" if rec is not None else "")
        )
    for name, why in result["failed"].items():
        print(f"{name:<16} failed: {why}")
    print(f"wrote {args.out / 'longevity.json'}" + (f" and the chart {png}" if png else ""))
    return 1 if result["failed"] else 0


@contextlib.contextmanager
def _tables(workdir: Path | None, claim: Any) -> Iterator[Path]:
    """``--workdir`` claimed for this run (refused when another run uses it), or a temp
    folder of its own."""
    if workdir is not None:
        with claim(workdir) as folder:
            yield folder
        return
    with tempfile.TemporaryDirectory(prefix="fmtbench-longevity-") as work:
        yield Path(work)


if __name__ == "__main__":
    raise SystemExit(main())
