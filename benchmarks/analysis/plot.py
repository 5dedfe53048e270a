"""Charts of a results file: ``fmtbench plot`` and ``scripts/plot_results.py`` call this.

Each chart family lives in its own ``benchmarks.analysis.charts`` module; this one loads the
results once, shapes the table, and hands it to every family in turn.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from benchmarks.analysis.charts import (
    append,
    bars,
    curves,
    engines,
    epoch,
    files,
    knobs,
    pareto,
    scaling,
    sizes,
    speedup,
    storage,
    take,
    throughput,
)
from benchmarks.analysis.charts.common import Context, machine_label
from benchmarks.analysis.charts.data import chart_frame
from benchmarks.analysis.charts.pareto import pareto_front
from benchmarks.analysis.charts.style import format_palette
from benchmarks.errors import UsageError
from benchmarks.run.results import load_results

#: Chart families, in the order their files are written.
CHARTS: tuple[Callable[[Context, pd.DataFrame], None], ...] = (
    bars.plot_operation_bars,
    sizes.plot_sizes,
    pareto.plot_size_vs_read,
    speedup.plot_column_speedup,
    scaling.plot_scaling,
    throughput.plot_throughput,
    take.plot_take_latency,
    curves.plot_scan_selectivity,
    curves.plot_stream_batches,
    engines.plot_engine_spread,
    knobs.plot_knob_sweeps,
    files.plot_files_effect,
    append.plot_append,
    storage.plot_storage,
    epoch.plot_epoch_pareto,
    epoch.plot_first_batch,
)


def default_out_dir(results_path: Path) -> Path:
    """The folder beside the results named after its stem: results/0001_mixed/."""
    return results_path.parent / results_path.stem


def plot_results(
    results_path: Path, out_dir: Path | None = None, log_scale: bool = False
) -> list[Path]:
    """Write every chart of a results file as PNG and SVG; return the written paths."""
    results_path = Path(results_path)
    data = load_results(results_path)
    if not any(isinstance(b, dict) and b.get("stats") for b in data["benchmarks"]):
        raise UsageError(
            f"{results_path}: every case failed, so there is nothing to chart; "
            f"see the errors with: fmtbench results {results_path}"
        )
    frame = chart_frame(data)
    ctx = Context(
        out_dir=Path(out_dir) if out_dir is not None else default_out_dir(results_path),
        machine=machine_label(data),
        log_scale=log_scale,
        palette=_palette(frame),
        ceilings=(data.get("fmtbench") or {}).get("ceilings") or {},
    )
    for chart in CHARTS:
        chart(ctx, frame)
    return ctx.written


def _palette(frame: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """One colour and marker per format for the line charts, the same in every figure."""
    labels = frame[["label", "orientation"]]
    base = frame[["base_label", "orientation"]].set_axis(["label", "orientation"], axis=1)
    both = pd.concat([labels, base]).drop_duplicates("label")
    return format_palette(both.astype(str).itertuples(index=False, name=None))


__all__ = ["plot_results", "pareto_front", "default_out_dir"]
