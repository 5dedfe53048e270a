"""Published claims: each judge says yes when the source's figure is met and no when it is
not; scripts/reference_docs.py lists every reference_run step and splices the claims table."""

from __future__ import annotations

import importlib.util
import json

import pytest

from benchmarks.analysis.claims import CLAIMS, by_id
from tests.helpers import ROOT


def _case(adapter: str, op: str, median: float, **extra) -> dict:
    info = {"adapter": adapter, "operation": op, "dataset": "d", "rows": 1000, **extra}
    return {"extra_info": info, "stats": {"median": median}}


def _doc(*cases: dict) -> dict:
    return {"benchmarks": list(cases)}


def _measure(claim_id: str, doc: dict):
    return by_id()[claim_id].measure(doc)


def test_take_claims_hold_at_the_published_ratio_and_fail_when_parquet_is_as_fast():
    take = {"pattern": "uniform"}
    fast = _doc(
        _case("vortex", "take", 0.00035, k=1, **take),
        _case("parquet-pyarrow", "take", 0.094, k=1, **take),
    )
    assert _measure("vortex-take", fast).holds == "yes"
    even = _doc(
        _case("lance", "take", 0.01, k=50, **take),
        _case("parquet-pyarrow", "take", 0.009, k=50, **take),
    )
    got = _measure("lance-take", even)
    assert got.holds == "no" and got.reason
    assert _measure("lance-take", fast) is None  # no Lance case: the claim's own run is due


def test_size_claim_reads_file_bytes_of_csv_and_parquet():
    def doc(csv: int, pq: int) -> dict:
        return _doc(
            _case("csv-pyarrow", "write", 1, file_bytes=csv, codec="none"),
            _case("parquet-pyarrow", "write", 1, file_bytes=pq, codec="snappy"),
        )

    assert _measure("csv-parquet-size", doc(14_000_000, 6_000_000)).holds == "yes"
    assert _measure("csv-parquet-size", doc(10_000_000, 10_000_000)).holds == "no"
    assert "14.0 MB -> 6.0 MB" in _measure("csv-parquet-size", doc(14_000_000, 6_000_000)).figure


def test_column_speedup_needs_columnar_gains_over_csv():
    cases = [_case("csv-pyarrow", "read", 1.0), _case("csv-pyarrow", "read_column", 0.9)]
    good = cases + [
        _case("parquet-pyarrow", "read", 1.0),
        _case("parquet-pyarrow", "read_column", 0.1),
    ]
    bad = cases + [
        _case("parquet-pyarrow", "read", 1.0),
        _case("parquet-pyarrow", "read_column", 1.0),
    ]
    assert _measure("column-speedup", _doc(*good)).holds == "yes"
    assert _measure("column-speedup", _doc(*bad)).holds == "no"


def test_threads_claim_judges_the_fewest_row_groups():
    def doc(one: float, two: float) -> dict:
        rg = {"options": {"row_group_size": 1048576}}
        return _doc(
            _case("parquet-pyarrow", "read", one, threads=1, **rg),
            _case("parquet-pyarrow", "read", two, threads=2, **rg),
        )

    assert _measure("arrow-threads", doc(0.08, 0.04)).holds == "yes"
    assert _measure("arrow-threads", doc(0.04, 0.04)).holds == "no"


def test_zstd_claim_wants_smaller_files_at_higher_levels():
    def doc(*sizes: int) -> dict:
        return _doc(
            *[
                _case(
                    "parquet-duckdb",
                    "write",
                    1,
                    codec="zstd",
                    file_bytes=b,
                    options={"compression_level": lv},
                )
                for lv, b in zip((1, 3, 10, 22), sizes, strict=True)
            ]
        )

    assert _measure("zstd-level", doc(161, 155, 147, 137)).holds == "yes"
    assert _measure("zstd-level", doc(100, 100, 100, 100)).holds == "no"


def test_longevity_claim_reads_the_longevity_summary():
    def doc(slope: float, rec: float | None) -> dict:
        return {
            "summary": [
                {
                    "adapter": "delta",
                    "degradation_per_100_commits": slope,
                    "compaction_recovery": rec,
                }
            ]
        }

    assert _measure("lst-longevity", doc(0.4, 0.9)).holds == "yes"
    assert _measure("lst-longevity", doc(-0.1, None)).holds == "no"
    assert _measure("lst-longevity", {"benchmarks": []}) is None


def test_every_claim_names_its_source_and_a_runnable_experiment():
    for claim in CLAIMS:
        assert claim.source and claim.published and claim.text
        assert claim.experiment.startswith("--dataset")


def _docs_script():
    spec = importlib.util.spec_from_file_location(
        "reference_docs", ROOT / "scripts" / "reference_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_reference_run_step_has_a_row_and_its_command():
    docs = _docs_script()
    commands = docs.parse_steps((ROOT / "scripts" / "reference_run").read_text())
    assert {"1", "2", "c"} <= set(commands)
    assert set(commands) <= set(docs.STEPS)
    assert commands["1"].startswith("fmtbench run --case-budget 1 --force --quiet --datasets")
    assert "$access_formats" not in commands["2"] and "lance,vortex" in commands["2"]
    assert commands["5"].endswith("--out results/reference/knobs_tpch.json")  # continued lines


def _tree(tmp_path, run_script: str):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "results" / "reference").mkdir(parents=True)
    (tmp_path / "scripts" / "reference_run").write_text(run_script)
    docs = _docs_script()
    (tmp_path / "README.md").write_text(f"intro\n{docs.BEGIN}\nold\n{docs.END}\nrest\n")
    return docs


def test_docs_write_the_claims_table_and_check_finds_it_stale(tmp_path, capsys):
    docs = _tree(tmp_path, (ROOT / "scripts" / "reference_run").read_text())
    claims = {
        "claims": [
            {
                "claim": "A | B",
                "source": "s",
                "published": "p",
                "experiment": "x",
                "measured": "m",
                "holds": "partly",
                "reason": "r",
            }
        ],
        "datetime": "2026-12-07T00:00:00",
        "wall_s": 12.0,
        "smoke": False,
        "load_before": {"1min": 0.1, "cores": 2},
        "load_after": {"1min": 0.2},
    }
    (tmp_path / "results" / "reference" / "claims.json").write_text(json.dumps(claims))
    assert docs.main(["--root", str(tmp_path), "--check"]) == 1
    assert docs.main(["--root", str(tmp_path)]) == 0
    assert docs.main(["--root", str(tmp_path), "--check"]) == 0
    readme = (tmp_path / "README.md").read_text()
    assert "| A \\| B | s | p | `x` | m | **partly** | r |" in readme
    assert readme.startswith("intro\n") and readme.endswith("rest\n")
    steps = (tmp_path / "results" / "reference" / "README.md").read_text()
    assert "| `c` |" in steps and "scripts/claims" in steps


def test_docs_refuse_a_reference_step_without_a_row(tmp_path, capsys):
    docs = _tree(tmp_path, "[[ $steps == *z* ]] && run --datasets mixed --out x.json\n")
    assert docs.main(["--root", str(tmp_path), "--check"]) == 1
    assert "step(s) z have no row" in capsys.readouterr().err


def test_splice_needs_the_markers():
    with pytest.raises(ValueError, match="markers"):
        _docs_script().splice("no markers", "x")


def test_readme_claims_block_is_current():
    """README's table is what scripts/reference_docs.py makes from the committed files."""
    assert _docs_script().main(["--check"]) == 0
