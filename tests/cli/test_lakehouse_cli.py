"""Lakehouse runs from the command line: cost in the results and the report, the
lakehouse profile, and bad input refused in one line before any work."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from benchmarks.suite.table_claim import LOCK_FILE
from tests.helpers import ROOT
from tests.inprocess import one_line_error, run_cli


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    return lambda *args: run_cli(capsys, *args)


def test_table_cases_carry_a_cost_shown_in_the_report_and_the_lakehouse_profile(cli, tmp_path):
    out = tmp_path / "r.json"
    code, stdout, err = cli(
        "run", "--formats", "delta,parquet-dataset", "--ops", "commit,delete,read",
        "--datasets", "numeric", "--rows", "200", "--commits", "2", "--batch-rows", "10",
        "--change", "0.05", "--rounds", "1", "--processes", "1", "--no-charts",
        "--price-gb-month", "1000", "--out", str(out), "--profile", "lakehouse",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out.read_text())
    costs = {(b["extra_info"]["adapter"], b["extra_info"]["operation"]): b["extra_info"].get("cost")
             for b in doc["benchmarks"]}  # fmt: skip
    commit = costs[("delta", "commit")]
    assert commit["prices"]["gb_month"] == 1000 and "requests_usd" not in commit  # local disk
    info = next(b["extra_info"] for b in doc["benchmarks"]
                if b["extra_info"]["operation"] == "commit")  # fmt: skip
    assert commit["storage_usd_month"] == pytest.approx(info["all_bytes"] / 1e9 * 1000)
    assert costs[("delta", "read")] is None  # a local file case has no request count
    assert "lakehouse (ranked on commit, delete, read, cost)" in stdout
    code, _, err = cli(
        "report", str(out), "--price-gb-month", "0.5", "--out", str(tmp_path / "rep")
    )
    assert code == 0, err
    report = (tmp_path / "rep" / "report.md").read_text()
    assert "## Cost at list prices" in report and "0.5 per GB-month" in report


def test_lakehouse_without_table_ops_says_not_measured(cli, tmp_path):
    code, stdout, err = cli(
        "run", "--formats", "parquet-pyarrow", "--ops", "read", "--datasets", "numeric",
        "--rows", "100", "--rounds", "1", "--processes", "1", "--no-charts",
        "--out", str(tmp_path / "r.json"), "--profile", "lakehouse",
    )  # fmt: skip
    assert code == 0, err
    assert "lakehouse (table work (commits, row-level changes) was not measured" in stdout


@pytest.mark.parametrize(
    "args, needle",
    [
        (["--ops", "time_travel", "--commits", "5", "--versions-back", "8"],
         "--versions-back 8: further back than the table's history (--commits 5"),
        (["--ops", "commit", "--price-gb-month", "-1"], "--price-gb-month -1.0: a price"),
        (["--ops", "commit", "--workdir", "FILE/sub"], "FILE"),
    ],
)  # fmt: skip
def test_bad_table_input_is_one_line_before_work(cli, tmp_path, args, needle):
    blocker = tmp_path / "FILE"
    blocker.write_text("a file, not a folder")
    args = [a.replace("FILE", str(blocker)) for a in args]
    out = tmp_path / "r.json"
    line = one_line_error(
        cli("run", "--formats", "delta", "--datasets", "numeric", "--rows", "50",
            "--out", str(out), *args),
    )  # fmt: skip
    assert needle.replace("FILE", str(blocker)) in line
    assert not out.exists()


def test_longevity_refuses_an_unwritable_out_and_a_table_dir_in_use(capsys, tmp_path):
    longevity = _script("longevity")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    common = ["--dataset", "numeric", "--rows", "100", "--rounds", "1", "--commits", "1",
              "--formats", "parquet-dataset"]  # fmt: skip
    assert longevity.main([*common, "--out", str(blocker / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --out ") and "cannot write there" in err and "\n" not in err
    busy = tmp_path / "tables"
    busy.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = {"pid": holder.pid, "host": os.uname().nodename}
        (busy / LOCK_FILE).write_text(json.dumps(lock))
        out = tmp_path / "out"
        assert longevity.main([*common, "--out", str(out), "--workdir", str(busy)]) == 2
        err = capsys.readouterr().err.strip()
        assert f"another run (pid {holder.pid}" in err and "pass another --workdir" in err
        assert sorted(p.name for p in busy.iterdir()) == [LOCK_FILE]  # no table was made
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone: its lock is stale, the folder is taken over and freed afterwards
    assert longevity.main([*common, "--out", str(tmp_path / "out"), "--workdir", str(busy)]) == 0
    assert not (busy / LOCK_FILE).exists()
