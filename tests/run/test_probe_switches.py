"""The probe switches (benchmarks.suite.switches) the test suite runs with.

Off, a run records empty ceilings and in-process memory, labelled as such in the results;
on (a user's default), the ceilings probe and the fresh memory probe both run and are
recorded; a value that is neither is a one-line error before any work.
"""

from __future__ import annotations

import json

import pytest

from benchmarks.suite.fresh import FRESH_PROCESS, IN_PROCESS
from benchmarks.suite.switches import CEILINGS_ENV, MEMORY_ENV, ceilings_wanted, default_memory
from tests.helpers import PROBES_ON, assert_one_line_error, cli_env, fmtbench, fmtbench_main

TINY = ("--datasets", "mixed", "--rows", "300", "--rounds", "1", "--quiet", "--no-charts")
RUN = ("run", *TINY, "--formats", "feather", "--ops", "write,read")
OFF = {CEILINGS_ENV: "0", MEMORY_ENV: "in-process"}


def _run(tmp_path, switches: dict[str, str]) -> dict:
    out = tmp_path / "r.json"
    proc = fmtbench(*RUN, "--out", str(out), env={**cli_env(), **switches})
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text())


@pytest.mark.slow
def test_probes_switched_off_are_skipped_and_labelled(tmp_path):
    data = _run(tmp_path, OFF)
    assert data["fmtbench"]["ceilings"] == {}
    assert data["fmtbench"]["config"]["memory"] == "in-process"
    infos = [b["extra_info"] for b in data["benchmarks"]]
    assert len(infos) == 2 and all(i["memory_method"] == IN_PROCESS for i in infos)


@pytest.mark.slow
def test_probes_switched_on_measure_ceilings_and_fresh_memory(tmp_path):
    data = _run(tmp_path, PROBES_ON)
    ceilings = data["fmtbench"]["ceilings"]
    assert ceilings["memory_copy_mb_s"] > 0 and ceilings["page_cache_read_mb_s"] > 0
    assert data["fmtbench"]["config"]["memory"] == "fresh"
    for bench in data["benchmarks"]:
        info = bench["extra_info"]
        assert info["memory_method"] == FRESH_PROCESS, info.get("memory_probe_error")
        assert info["peak_memory_bytes"] > 0


def test_unset_switches_keep_a_users_run_unchanged(monkeypatch):
    monkeypatch.delenv(CEILINGS_ENV, raising=False)
    monkeypatch.delenv(MEMORY_ENV, raising=False)
    assert ceilings_wanted() is True and default_memory() == "fresh"
    monkeypatch.setenv(CEILINGS_ENV, "0")
    monkeypatch.setenv(MEMORY_ENV, "in-process")
    assert ceilings_wanted() is False and default_memory() == "in-process"


@pytest.mark.parametrize(("name", "value"), [(CEILINGS_ENV, "no"), (MEMORY_ENV, "fast")])
def test_a_bad_switch_value_is_one_line_before_any_work(name, value, tmp_path):
    proc = fmtbench_main(*RUN, cwd=tmp_path, env={name: value})
    line = assert_one_line_error(proc, 2)
    assert f"{name}='{value}'" in line
    assert not (tmp_path / "results").exists()
