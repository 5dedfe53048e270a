"""--processes: each case timed in several fresh workers, kept part by part, resumed, merged."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.helpers import PROBES_ON, ROOT, cli_env, fmtbench, fmtbench_main, start_fmtbench

TINY = ("--datasets", "mixed", "--rows", "300", "--quiet", "--no-charts")
RUN = ("run", *TINY, "--formats", "feather", "--ops", "read,write", "--rounds", "4")


def _finished(out: Path) -> list[dict]:
    path = out.with_name(out.stem + ".journal.jsonl")
    lines = path.read_text().splitlines() if path.exists() else []
    return [r for r in map(json.loads, lines) if r.get("event") == "finish"]


@pytest.mark.slow
def test_a_missing_part_is_run_on_resume_and_the_journaled_parts_are_kept(tmp_path):
    out = tmp_path / "r.json"
    env = {**cli_env(), **PROBES_ON}  # the fresh memory probe runs once per case, in part 0
    proc = start_fmtbench(*RUN, "--processes", "2", "--out", str(out), env=env, cwd=ROOT)
    deadline = time.monotonic() + 300
    while len(_finished(out)) < 2:  # both cases' part 0; part 1 needs a new worker first
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    kept = {r["id"]: r for r in _finished(out) if r["part"] == 0}
    assert len(kept) == 2 and not [r for r in _finished(out) if r["part"] == 1]

    resumed = fmtbench("run", "--resume", str(out), "--quiet", "--no-charts", env=env)
    assert resumed.returncode == 0, resumed.stderr
    for bench in json.loads(out.read_text())["benchmarks"]:
        info, stats = bench["extra_info"], bench["stats"]
        part0 = kept[info["case_id"]]["entry"]["stats"]
        assert info["processes"] == 2 and info["process_rounds"] == [2, 2]
        assert info["process_medians"][0] == part0["median"]  # not timed again
        assert stats["data"][:2] == part0["data"] and stats["rounds"] == 4
        assert info["ci_low"] <= min(info["process_medians"])
        assert info["ci_high"] >= max(info["process_medians"])
        assert info["memory_method"].startswith("fresh-process")  # probed once, in part 0


@pytest.mark.slow
def test_merged_results_report_and_compare(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(*RUN, "--processes", "2", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert fmtbench("compare", str(out), str(out)).returncode == 0
    report = fmtbench("report", str(out), "--out", str(tmp_path / "rep"))
    assert report.returncode == 0, report.stderr


def test_processes_must_be_positive(tmp_path):
    proc = fmtbench_main(*RUN, "--processes", "0", "--out", str(tmp_path / "r.json"))
    assert proc.returncode == 2 and "--processes must be a whole number >= 1" in proc.stderr
    assert not (tmp_path / "r.json").exists()


@pytest.mark.slow
def test_a_case_failing_in_its_first_process_is_not_run_again(tmp_path):
    out = tmp_path / "r.json"
    args = ("run", *TINY, "--formats", "test-failing", "--ops", "write", "--rounds", "2")
    proc = fmtbench(*args, "--processes", "2", "--out", str(out),
                    env=cli_env("tests.fault_adapters"))  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    (bench,) = json.loads(out.read_text())["benchmarks"]
    assert bench["stats"] is None and "injected failure" in bench["extra_info"]["error"]


def test_the_default_count_is_recorded_so_resume_accepts_it_given_again(tmp_path):
    from benchmarks.suite.config import RunConfig

    cfg = RunConfig().validate()
    assert cfg.processes == 2 and RunConfig.from_json(cfg.to_json()).process_count() == 2
