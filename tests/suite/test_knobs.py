"""Layout knobs (--option) and thread counts (--threads) as run axes."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

import formats
from benchmarks.errors import UsageError
from benchmarks.suite.cases import Case, build_cases, option_grid
from benchmarks.suite.config import RunConfig
from formats.base import UnsupportedOption
from tests.helpers import assert_one_line_error, fmtbench, fmtbench_main


def test_option_values_are_parsed_by_the_adapter_and_crossed():
    parquet = formats.get("parquet-pyarrow")
    grid = option_grid(parquet, {"row_group_size": ["10", "1e3"], "use_dictionary": ["false"]})
    assert grid == [
        (("row_group_size", 10), ("use_dictionary", False)),
        (("row_group_size", 1000), ("use_dictionary", False)),
    ]
    assert option_grid(formats.get("csv-pyarrow"), {"row_group_size": ["10"]}) == [()]


@pytest.mark.parametrize(
    ("swept", "expected"),
    [
        ({"row_group_size": ["0"]}, "below 1 for parquet-pyarrow"),
        ({"row_group_size": ["many"]}, "parquet-pyarrow"),
        ({"use_dictionary": ["maybe"]}, "not true or false"),
    ],
)
def test_bad_option_values_name_adapter_option_and_allowed(swept, expected):
    with pytest.raises(UsageError, match=expected) as info:
        option_grid(formats.get("parquet-pyarrow"), swept)
    assert "allowed:" in str(info.value)


def test_an_option_no_chosen_adapter_has_is_refused():
    cfg = RunConfig(formats=["csv-pyarrow"], rows=[100], options={"row_group_size": ["10"]})
    with pytest.raises(UsageError, match="none of the chosen adapters"):
        build_cases(cfg)


def test_adapter_refuses_unknown_option_and_wrong_type():
    with pytest.raises(UnsupportedOption, match="no option 'rowgroups'"):
        formats.get("parquet-pyarrow", {"rowgroups": 1})
    with pytest.raises(UnsupportedOption, match="is not int"):
        formats.get("parquet-pyarrow", {"row_group_size": True})


def test_plain_case_ids_do_not_change_and_knobs_show_when_set():
    plain = Case("mixed", 100, "parquet-pyarrow", "snappy", "read")
    assert plain.id == "mixed@100/parquet-pyarrow/snappy/read"
    tuned = Case("mixed", 100, "parquet-pyarrow", "snappy", "read", (), None,
                 (("row_group_size", 10),), 1)  # fmt: skip
    assert tuned.id == "mixed@100/parquet-pyarrow{row_group_size=10,threads=1}/snappy/read"


def test_threads_is_the_outer_axis_so_each_count_gets_one_worker():
    cfg = RunConfig(formats=["feather", "csv-pyarrow"], rows=[100], ops=["read"], threads=[1, 2])
    cases = build_cases(cfg)
    assert [c.threads for c in cases] == [1, 1, 2, 2]


@pytest.mark.slow
def test_a_swept_option_changes_the_file_and_is_recorded(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--rows", "2000", "--rounds", "1", "--formats", "parquet-pyarrow",
        "--ops", "write", "--option", "row_group_size=100,2000", "--threads", "1",
        "--no-charts", "--quiet", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    entries = json.loads(out.read_text())["benchmarks"]
    info = {e["extra_info"]["options"]["row_group_size"]: e["extra_info"] for e in entries}
    assert set(info) == {100, 2000}
    assert all(e["threads"] == 1 and e["options"]["use_dictionary"] is True for e in info.values())
    assert info[100]["file_bytes"] > info[2000]["file_bytes"]  # 20 footers' worth more


def test_an_adapter_built_with_an_option_writes_with_it(tmp_path):
    import pyarrow as pa

    table = pa.table({"x": list(range(2000))})
    formats.get("parquet-pyarrow", {"row_group_size": 100}).write(table, tmp_path / "a.parquet")
    assert pq.ParquetFile(tmp_path / "a.parquet").num_row_groups == 20


@pytest.mark.parametrize(
    "args",
    [
        ("--option", "row_group_size"),
        ("--option", "=5"),
        ("--option", "row_group_size=0", "--formats", "parquet-pyarrow"),
        ("--option", "nope=1", "--formats", "parquet-pyarrow"),
        ("--option", "row_group_size=1", "--option", "row_group_size=2"),
        ("--threads", "0"),
    ],
)
def test_bad_knob_input_is_one_line_exit_2_and_nothing_on_disk(tmp_path, args):
    proc = fmtbench_main("run", "--rows", "100", *args, cwd=tmp_path)
    assert_one_line_error(proc, code=2)
    assert list(tmp_path.iterdir()) == []


def test_formats_json_lists_each_adapters_options():
    proc = fmtbench("formats", "--json")
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    rg = rows["parquet-pyarrow"]["options"]["row_group_size"]
    assert rg["default"] == 122_880 and rg["type"] == "int"
    assert rows["pickle"]["options"] == {}


def test_default_run_leaves_out_non_default_engines_and_all_runs_everything():
    from benchmarks.suite.cases import select_adapters
    from formats.arrow_family import Feather
    from formats.registry import register, unregister

    @register
    class SpareFeather(Feather):
        name = "feather-spare-engine"
        in_default_run = False

    try:
        assert "feather-spare-engine" not in [a.name for a in select_adapters(None)]
        assert "feather-spare-engine" in [a.name for a in select_adapters(["all"])]
        assert [a.name for a in select_adapters(["feather-spare-engine"])] == [SpareFeather.name]
    finally:
        unregister("feather-spare-engine")
