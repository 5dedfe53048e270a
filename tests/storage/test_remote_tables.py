"""The table adapters on object storage (moto behind the recording proxy): every table
operation gives the same rows as the Arrow oracle, no object lands outside the run's
prefix, Iceberg's SQLite catalog stays on local disk, and a run records requests."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import formats
from benchmarks.storage.location import Endpoint, Location
from benchmarks.storage.proxy import RecordingProxy
from benchmarks.suite import table_oracle as oracle
from formats.base import Filter
from formats.tables import table_ops
from tests.helpers import ONE_WARMUP, fmtbench
from tests.storage.conftest import every_object

TABLES = ["delta", "iceberg", "lance", "parquet-dataset"]


@pytest.fixture
def prefix(s3, s3_url, tmp_path, request):
    """A run prefix behind a confining proxy: (root Location, proxy)."""
    bucket = "tables"
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="other/keep.txt", Body=b"keep")
    run = f"run-{request.node.name.split('[')[-1].rstrip(']')}"
    proxy = RecordingProxy(s3_url, confine=f"{bucket}/{run}").start()
    root = Location(Endpoint(proxy.url), bucket, run, root=f"{bucket}/{run}", scratch=str(tmp_path))
    yield root, proxy
    root.remove()
    proxy.stop()


def _table(n: int = 200) -> pa.Table:
    return pa.table({"id": pa.array(range(n), pa.int64()), "v": [float(i) for i in range(n)]})


@pytest.mark.parametrize("name", TABLES)
def test_every_operation_matches_the_oracle_on_s3(name, prefix, s3, tmp_path):
    root, proxy = prefix
    before = every_object(s3)
    adapter = formats.get(name)
    ops = table_ops(adapter)
    path = root / f"t.{adapter.extension}"
    base = _table()
    adapter.write(base, path)
    ops.append_commit(path, base.slice(0, 10))
    expected = pa.concat_tables([base, base.slice(0, 10)])
    if not ops.time_travel_refusal:  # one commit back: the table as written
        oracle.check(ops.read_back(path, 1), base, "v", "one version back")
    where = Filter("id", "<", 20)
    ops.update(path, where, "v", 1)
    expected = oracle.updated(expected, where, "v", 1)
    ops.delete(path, Filter("id", ">=", 190))
    expected = oracle.deleted(expected, Filter("id", ">=", 190))
    oracle.check(adapter.read(path), expected, "v", "after the changes")
    if name in ("delta", "iceberg"):  # polars reads the same table on S3
        oracle.check(formats.get(f"{name}-polars").read(path), expected, "v", "polars")
    files = ops.files(path)
    assert files.data_files >= 1 and files.data_bytes > 0
    assert files.all_bytes == path.size()  # the listing saw every object of the table
    ops.compact(path)
    oracle.check(adapter.read(path), expected, "v", "after compact")
    ops.vacuum(path)
    assert proxy.counters.snapshot()["events"].get("refused_outside_prefix", 0) == 0
    outside = {(b, k) for b, k in every_object(s3) - before if not k.startswith(root.key + "/")}
    assert not outside  # nothing written outside the run's prefix
    local = list(tmp_path.rglob("*.db"))
    assert bool(local) == (name == "iceberg")  # only Iceberg's catalog is local


def test_a_table_run_on_s3_local_records_requests(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--storage", "s3-local", "--formats", "delta,lance,parquet-dataset,iceberg",
        "--ops", "commit,delete,time_travel", "--datasets", "numeric", "--rows", "300",
        "--commits", "2", "--versions-back", "1", "--batch-rows", "10", "--change", "0.05",
        "--rounds", "1", "--no-charts", "--quiet", "--out", str(out), *ONE_WARMUP,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    ran = {(b["extra_info"]["adapter"], b["extra_info"]["operation"]): b["extra_info"]
           for b in doc["benchmarks"]}  # fmt: skip
    for name in ("delta", "lance", "iceberg", "parquet-dataset"):
        for op in ("commit", "delete"):
            info = ran[(name, op)]
            assert info["storage"] == "s3-local" and info["oracle"] == "ok"
            assert info["requests"].get("PUT", 0) + info["requests"].get("POST", 0) > 0
            assert info["cost"]["requests_usd"] > 0 and info["cost"]["storage_usd_month"] > 0
    assert ran[("delta", "time_travel")]["requests"]["GET"] > 0
    assert ("parquet-dataset", "time_travel") not in ran  # no versions: skipped, with why
