"""Interleaved timing: which cases form a group, the shuffled order of their rounds."""

from __future__ import annotations

import random

import pytest

from benchmarks.errors import UsageError
from benchmarks.suite import groups
from benchmarks.suite.cases import Case
from benchmarks.suite.interleave import Member, time_interleaved, time_one_after_another


def _case(adapter="feather", codec="lz4", op="read", params=(), **kw) -> Case:
    return Case("mixed", 1000, adapter, codec, op, tuple(params), **kw)


def test_cases_differing_only_in_format_codec_or_knob_share_a_group():
    base = _case()
    same = [
        _case("parquet-pyarrow", "snappy"),
        _case("parquet-pyarrow", "zstd", options=(("row_group_size", 16384),)),
        _case("parquet-polars", "zstd", files=4),
    ]
    for other in same:
        assert groups.group_key(other) == groups.group_key(base)
        assert groups.group_label(other) == "mixed@1000/*/*/read"
    different = [
        _case(op="write"),
        Case("mixed", 2000, "feather", "lz4", "read"),
        Case("logs", 1000, "feather", "lz4", "read"),
        _case(threads=1),
        _case(latency_ms=20.0),
        _case(op="read_column", params=(("column", "id"),)),
    ]
    keys = {groups.group_key(c) for c in different}
    assert groups.group_key(base) not in keys and len(keys) == len(different)
    col = {groups.group_key(_case(op="read_column", params=(("column", c),))) for c in "ab"}
    assert len(col) == 2  # another column is another question


def test_append_modes_of_one_batch_size_are_compared_in_one_group():
    a = _case(op="append", params=(("batch_rows", 100), ("append_mode", "append")))
    modes = (("batch_rows", 100), ("append_mode", "row_group"))
    b = _case("parquet-pyarrow", "snappy", "append", modes)
    c = _case(op="append", params=(("batch_rows", 1), ("append_mode", "append")))
    assert groups.group_key(a) == groups.group_key(b) != groups.group_key(c)
    assert groups.interleave_mode(a) == groups.PROCESS
    assert groups.interleave_mode(_case()) == groups.ROUND
    assert groups.interleave_mode(_case(), stream=True) == groups.PROCESS


def test_grouped_order_puts_each_groups_cases_together_in_run_order():
    cases = [_case(a, "x", op) for a in ("feather", "lance", "vortex") for op in ("write", "read")]
    order = groups.grouped_order(cases)
    assert [c.op for c in order] == ["write"] * 3 + ["read"] * 3
    assert [c.adapter for c in order[:3]] == ["feather", "lance", "vortex"]
    assert sorted(c.id for c in order) == sorted(c.id for c in cases)


def test_member_folders_tell_two_engines_and_two_knobs_of_one_format_apart():
    names = {
        groups.member_folder(_case("parquet-pyarrow", "zstd")),
        groups.member_folder(_case("parquet-polars", "zstd")),
        groups.member_folder(_case("parquet-polars", "zstd", options=(("row_group_size", 1),))),
    }
    assert len(names) == 3 and all("/" not in n for n in names)


def test_schedule_runs_every_member_once_per_round_in_shuffled_orders():
    plan = groups.schedule([20, 20, 20], random.Random(1))
    assert len(plan) == 20 and all(sorted(r) == [0, 1, 2] for r in plan)
    assert len({tuple(r) for r in plan}) > 1  # not the same order every round
    firsts = {r[0] for r in plan}
    assert firsts == {0, 1, 2}  # every member is sometimes first
    assert plan == groups.schedule([20, 20, 20], random.Random(1))  # seeded: repeatable


def test_schedule_drops_a_member_after_its_own_rounds():
    plan = groups.schedule([2, 5, 0], random.Random(0))
    assert [sorted(r) for r in plan] == [[0, 1], [0, 1], [1], [1], [1]]


def _members(log: list[str], times: dict[str, float], fail_at: dict[str, int] | None = None):
    fail_at = fail_at or {}
    made = {}
    for name, seconds in times.items():
        calls = {"n": 0}

        def run_once(name=name, seconds=seconds, calls=calls) -> float:
            calls["n"] += 1
            if fail_at.get(name) == calls["n"]:
                raise RuntimeError(f"{name} broke")
            log.append(name)
            return seconds * (1.2 if calls["n"] % 2 else 1.0)  # some spread, as real rounds

        made[name] = Member(run_once, fixed=None, budget_s=1.0)
    return made


def test_interleaved_rounds_alternate_members_and_keep_each_ones_count():
    log: list[str] = []
    m = _members(log, {"a": 0.001, "b": 0.002, "c": 0.004})
    for member in m.values():
        member.fixed = 6
    time_interleaved(list(m.values()), random.Random(3), warmup_min=1)
    warm = sum(len(x.pilot) for x in m.values())
    timed = log[warm:]
    assert all(len(x.data) == 6 and x.planned == 6 for x in m.values())
    for r in range(6):  # round r of every member before round r + 1 of any
        assert sorted(timed[3 * r : 3 * r + 3]) == ["a", "b", "c"]
    assert len({tuple(timed[3 * r : 3 * r + 3]) for r in range(6)}) > 1


def test_auto_rounds_follow_each_members_own_budget():
    log: list[str] = []
    m = _members(log, {"quick": 0.001, "slow": 0.4})
    time_interleaved(list(m.values()), random.Random(0), warmup_min=1)
    assert m["quick"].planned > m["slow"].planned >= 5  # the minimum, as when timed alone
    assert len(m["quick"].data) == m["quick"].planned and len(m["slow"].data) == m["slow"].planned


def test_a_failing_member_drops_out_and_the_others_finish():
    log: list[str] = []
    m = _members(log, {"a": 0.001, "b": 0.001}, fail_at={"b": 4})
    for member in m.values():
        member.fixed = 5
    time_interleaved(list(m.values()), random.Random(0), warmup_min=1)
    assert len(m["a"].data) == 5 and m["a"].error is None
    assert isinstance(m["b"].error, RuntimeError) and len(m["b"].data) < 5


def test_process_mode_runs_each_members_rounds_at_once_in_a_shuffled_order():
    log: list[str] = []
    m = _members(log, {"a": 0.001, "b": 0.001, "c": 0.001})
    for member in m.values():
        member.fixed = 3
    time_one_after_another(list(m.values()), random.Random(5), warmup_min=0)
    assert len(log) == 9
    runs = [log[i] for i in range(0, 9, 3)]
    assert sorted(runs) == ["a", "b", "c"]
    assert all(log[i : i + 3] == [log[i]] * 3 for i in range(0, 9, 3))  # back to back


@pytest.mark.parametrize("minimum", [0, 1])
def test_no_warm_up_when_asked_for_none_with_fixed_rounds(minimum):
    log: list[str] = []
    m = _members(log, {"a": 0.001})
    m["a"].fixed = 2
    m["a"].budget_s = 1e-9  # one warm-up round is the budget's
    time_interleaved([m["a"]], random.Random(0), warmup_min=minimum)
    assert (len(m["a"].pilot) == 0) == (minimum == 0) and len(m["a"].data) == 2


def test_a_groups_rounds_start_after_the_disk_is_settled(monkeypatch):
    """Every dirty page is written out before a group is timed, unless switched off."""
    from benchmarks.suite import timing

    calls = []
    monkeypatch.setattr(timing.os, "sync", lambda: calls.append(1))
    monkeypatch.delenv("FMTBENCH_SETTLE", raising=False)
    timing.settle_disk()
    monkeypatch.setenv("FMTBENCH_SETTLE", "0")
    timing.settle_disk()
    assert calls == [1]
    monkeypatch.setenv("FMTBENCH_SETTLE", "yes")
    with pytest.raises(UsageError, match="FMTBENCH_SETTLE"):
        timing.settle_disk()
