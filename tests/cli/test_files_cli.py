"""``fmtbench run --files N`` and ``--partition-by COLUMN`` as a user runs them (tiny data)."""

from __future__ import annotations

import json

import pytest

from tests.helpers import assert_one_line_error, fmtbench_main
from tests.helpers import fmtbench as cli


def run(tmp_path, *args: str) -> tuple[dict, list[dict]]:
    out = tmp_path / "r.json"
    proc = cli(
        "run", "--datasets", "mixed", "--rows", "3000", "--rounds", "1", "--no-charts",
        "--quiet", "--out", str(out), *args, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    ran = {e["extra_info"]["case_id"]: e["extra_info"] for e in data["benchmarks"]}
    return ran, data["fmtbench"]["skipped"]


def reasons(skipped: list[dict]) -> set[str]:
    return {s.get("reason") or s.get("error") or json.dumps(s) for s in skipped}


@pytest.mark.slow
def test_three_files_written_and_read_back(tmp_path) -> None:
    ran, skipped = run(
        tmp_path, "--files", "3", "--formats", "parquet-pyarrow,lance,avro-fastavro",
        "--ops", "write,read",
    )  # fmt: skip
    for adapter, codec in (("parquet-pyarrow", "snappy"), ("lance", "default")):
        write = ran[f"mixed@3000/{adapter}{{files=3}}/{codec}/write"]
        assert write["files"] == 3 and write["files_written"] == 3 and not write.get("error")
        read = ran[f"mixed@3000/{adapter}{{files=3}}/{codec}/read"]
        assert read["round_trip"] == "lossless", read  # every row back, in order
        assert read["files_total"] == 3
    assert "avro-fastavro cannot write a multi-file dataset" in reasons(skipped)


@pytest.mark.slow
def test_scan_on_the_partition_column_skips_partitions(tmp_path) -> None:
    ran, skipped = run(
        tmp_path, "--partition-by", "status", "--formats", "parquet-pyarrow,csv-pyarrow,lance",
        "--ops", "read,scan", "--selectivity", "0.1",
    )  # fmt: skip
    # CSV is read from the files alone (schema=file): its numbers come back wider, retyped
    kept = {"parquet-pyarrow": ("lossless",), "csv-pyarrow": ("lossless", "retyped")}
    for adapter, codec in (("parquet-pyarrow", "snappy"), ("csv-pyarrow", "none")):
        key = f"mixed@3000/{adapter}{{partition_by=status}}/{codec}"
        read = ran[f"{key}/read"]
        assert read["partition_by"] == "status" and read["round_trip"] in kept[adapter]
        assert read["round_trip_order"].startswith("any")  # hive regroups rows
        pruned = ran[f"{key}/scan[filter=partition]"]
        assert pruned["round_trip"] in kept[adapter] and pruned["filter_column"] == "status"
        assert 1 == pruned["files_read"] < pruned["files_total"]
        assert pruned["files_skipped"] == pruned["files_total"] - 1
        other = ran[f"{key}/scan[filter=sorted,selectivity=0.1]"]
        assert other["files_read"] == other["files_total"]  # id is not the partition column
    assert any(r.startswith("Lance has no hive-style partitioning") for r in reasons(skipped))


def test_bad_partition_column_is_one_line(tmp_path) -> None:
    proc = fmtbench_main(
        "run", "--datasets", "mixed", "--rows", "300", "--partition-by", "colour",
        "--out", str(tmp_path / "r.json"), cwd=tmp_path,
    )  # fmt: skip
    line = assert_one_line_error(proc, 2)
    assert line.startswith("error: --partition-by colour: mixed has no column 'colour'; "), line
    assert "its columns: id, created_at, user_id" in line
    assert list(tmp_path.iterdir()) == []
