"""The epoch loader: every row once, in the order it says, and an honest shuffle quality."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formats
from benchmarks.cli.main import main
from benchmarks.suite import loader
from benchmarks.suite.epoch import _plan_positions
from benchmarks.suite.shuffle import shuffle_quality


# -- the statistic ------------------------------------------------------------------------
def test_quality_is_high_for_a_permutation_and_zero_for_storage_order():
    rng = np.random.default_rng(0)
    n = 20_000
    assert shuffle_quality(rng.permutation(n)) > 0.9
    assert shuffle_quality(np.arange(n)) == 0.0
    assert shuffle_quality(np.arange(n)[::-1]) == 0.0


def test_a_small_buffer_is_measured_as_a_poor_shuffle_and_a_full_one_as_a_good_one():
    rng = np.random.default_rng(1)
    n = 20_000
    small = shuffle_quality(loader.buffer_order(n, 100, rng))
    full = shuffle_quality(loader.buffer_order(n, n, rng))
    blocks = np.concatenate([rng.permutation(b) for b in np.array_split(np.arange(n), 10)])
    assert small < 0.1 and full > 0.9
    assert small < shuffle_quality(blocks) < full  # row groups in order, rows permuted in each


def test_buffer_order_is_a_permutation_that_only_emits_what_it_has_seen():
    order = loader.buffer_order(1000, 50, np.random.default_rng(2))
    assert sorted(order) == list(range(1000))
    assert all(order[j] < j + 50 for j in range(1000))  # never ahead of the buffer's reach


# -- the loader on real files --------------------------------------------------------------
def _table(rows: int = 300) -> pa.Table:
    lengths = np.arange(rows) % 7
    return pa.table(
        {
            "id": pa.array(np.arange(rows, dtype=np.int64)),
            "seq": pa.array([list(range(n)) for n in lengths], pa.list_(pa.int32())),
        }
    )


CASES = [
    ("numpy", {}, "global"),  # take by fancy indexing
    ("parquet-pyarrow", {"row_group_size": 64}, "global"),  # row groups + in-group permutation
    ("webdataset", {"shard_rows": 64}, "buffer:50"),
    ("hdf5", {"chunk_rows": 64}, "none"),
]


@pytest.mark.parametrize(("name", "options", "shuffle"), CASES)
def test_every_row_arrives_once_and_positions_name_the_rows(name, options, shuffle, tmp_path):
    adapter = formats.get(name, options)
    path = tmp_path / adapter.file_name("t")
    table = _table()
    adapter.write(table, path)
    kind, _, size = shuffle.partition(":")
    sizes = loader.unit_rows(adapter, path)
    plans = loader.make_plans(
        kind, int(size or 0), loader.global_mode(adapter), sizes, 32, 0, seed=5
    )
    seen = []
    for rows, batch in loader.produce(adapter, path, plans[0], sizes, decode=False):
        assert batch.column("id").to_pylist() == rows.tolist()  # the delivered order is real
        assert batch.to_pylist() == table.take(pa.array(rows)).to_pylist()
        seen.extend(rows.tolist())
    assert sorted(seen) == list(range(300))
    predicted = np.concatenate(_plan_positions(plans[0], sizes))
    assert predicted.tolist() == seen  # what --order-from replays is what was delivered
    assert (shuffle_quality(np.array(seen)) == 0.0) == (kind == "none")


def test_worker_processes_deliver_the_same_rows_round_robin(tmp_path):
    adapter = formats.get("numpy")
    path = tmp_path / "t.npy.d"
    adapter.write(_table(), path)
    sizes = loader.unit_rows(adapter, path)
    plans = loader.make_plans("global", 0, "take", sizes, 40, 2, seed=3)
    run = loader.run_epoch(adapter, path, plans, sizes, 2, decode=False)
    expected = [b for pair in zip(plans[0].batches, plans[1].batches, strict=False) for b in pair]
    expected += plans[0].batches[len(plans[1].batches) :]
    assert [r.tolist() for r in run.positions] == [b.tolist() for b in expected]
    assert run.rows == 300 and run.worker_peak_rss > 0


def test_decode_turns_images_into_pixels():
    image = pytest.importorskip("PIL.Image")
    import io

    buf = io.BytesIO()
    image.new("RGB", (4, 3), (10, 20, 30)).save(buf, format="PNG")
    batch = pa.table({"image": pa.array([buf.getvalue()], pa.binary())})
    pixels = loader.transform(batch, decode=True).column("image").to_pylist()[0]
    assert len(pixels) == 4 * 3 * 3 and pixels[:3] == [10, 20, 30]


# -- bad input: one line, exit 2, before any work -----------------------------------------
def _error(capsys, out, *args: str) -> str:
    """The run's one-line error; ``--out`` in a temp folder so a run that wrongly went ahead
    leaves nothing in the repository."""
    flags = ["--ops", "epoch", "--rows", "100", "--no-charts", "--quiet", "--out", str(out)]
    code = main(["run", *flags, *args])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error: "), err
    return err[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--batch-size", "500"], ["--batch-size 500", "use at most 100"]),
        (["--shuffle", "buffer:0"], ["--shuffle buffer:0", "buffer:10000"]),
        (["--batch-size", "10", "--shuffle", "buffer:101"], ["--shuffle buffer:101", "buffer:100"]),
        (["--shuffle", "random"], ["--shuffle random", "global"]),
        (["--loader-workers", "999"], ["--loader-workers 999", "use 0"]),
        (["--loader-workers=-1"], ["--loader-workers -1"]),
    ],
)
def test_bad_epoch_flags_are_one_line_errors(capsys, tmp_path, args, words):
    line = _error(capsys, tmp_path / "r.json", "--datasets", "tokens", "--formats", "numpy", *args)
    for word in words:
        assert word in line, line


def test_a_format_that_cannot_hold_a_column_is_refused_by_name(capsys, tmp_path):
    data = tmp_path / "money.parquet"
    pq.write_table(pa.table({"price": pa.array([1, 2], pa.decimal128(5, 2))}), data)
    line = _error(
        capsys, tmp_path / "r.json", "--data", str(data), "--formats", "numpy", "--batch-size", "1"
    )
    assert "--formats numpy" in line and "'price'" in line
