"""A tiny run end to end, in-process: groups timed side by side, ratios in the results."""

from __future__ import annotations

import json

from benchmarks.analysis import stability
from benchmarks.cli.main import main
from benchmarks.run.ratios import ROUND_METHOD


def test_a_run_records_groups_and_ratios_from_side_by_side_rounds(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main([
        "run", "--datasets", "mixed", "--rows", "300", "--formats",
        "feather,parquet-pyarrow,parquet-polars", "--ops", "write,read", "--rounds", "4",
        "--processes", "2", "--no-charts", "--quiet", "--out", str(out),
    ])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    benches = json.loads(out.read_text())["benchmarks"]
    assert len(benches) == 6
    by_group: dict[str, list[dict]] = {}
    for bench in benches:
        info, stats = bench["extra_info"], bench["stats"]
        assert "error" not in info
        by_group.setdefault(info["group"], []).append(bench)
        # pytest-benchmark's stats are exactly the rounds taken, 2 per worker
        assert stats["rounds"] == len(stats["data"]) == 4 and info["process_rounds"] == [2, 2]
        assert len(set(info["process_workers"])) == 2 and info["interleave"] == "round"
        assert info["ratio_method"] == ROUND_METHOD and info["ratio_pairs"] == 4
        assert info["ratio_low"] <= info["ratio_to_fastest"] <= info["ratio_high"]
        assert info["peak_memory_bytes"] > 0 and info["file_bytes"] > 0  # measured in part 0
    assert sorted(by_group) == ["mixed@300/*/*/read", "mixed@300/*/*/write"]
    for members in by_group.values():
        assert len(members) == 3 and all(b["extra_info"]["group_size"] == 3 for b in members)
        fastest = min(members, key=lambda b: b["stats"]["median"])
        named = {b["extra_info"]["fastest_case"] for b in members}
        assert named == {fastest["extra_info"]["case_id"]}
        assert fastest["extra_info"]["ratio_to_fastest"] == 1.0
    # two engines of one format wrote files of one name: each in its own folder, both read
    sizes = {b["extra_info"]["adapter"]: b["extra_info"]["file_bytes"] for b in benches}
    assert sizes["parquet-pyarrow"] > 0 and sizes["parquet-polars"] > 0
    # a run agrees with itself: every ratio within 5%, every ranking the same
    assert all(p.within() for p in stability.ratio_pairs(out, out, min_s=0))
    ranks = stability.rankings(out, out)
    assert len(ranks) == 2 and all(r.agrees for r in ranks)


def test_compare_and_the_summary_read_the_ratios(tmp_path, capsys):
    out = tmp_path / "r.json"
    args = ["run", "--datasets", "mixed", "--rows", "200", "--formats", "feather,csv-pyarrow",
            "--ops", "read", "--rounds", "3", "--no-charts", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "x fastest" in printed and "1.0x" in printed
    assert main(["compare", str(out), str(out)]) == 0
    assert "ratio to the group's fastest" in capsys.readouterr().out
