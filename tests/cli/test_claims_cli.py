"""scripts/claims end to end on tiny real runs: a claim is read from the reference file
that holds its experiment, else measured by its own run; bad flags are one error line.
The tiny run also shows that every results file records the load before and after."""

from __future__ import annotations

import json

from benchmarks.cli import claims_cmd
from benchmarks.cli.main import main as fmtbench


def test_claim_read_from_a_reference_file_runs_nothing(tmp_path, capsys):
    core = tmp_path / "core.json"
    assert (
        fmtbench(
            [
                "run",
                "--datasets",
                "tpch-lineitem:0.01",
                "--rows",
                "2000",
                "--formats",
                "csv-pyarrow,parquet-pyarrow",
                "--ops",
                "write",
                "--rounds",
                "1",
                "--out",
                str(core),
                "--quiet",
                "--no-charts",
            ]
        )
        == 0
    )
    meta = json.loads(core.read_text())["fmtbench"]
    assert meta["wall_s"] > 0
    assert meta["load_before"]["cores"] >= 1 and meta["load_after"]["1min"] >= 0
    code = claims_cmd.main(["--reference-dir", str(tmp_path), "--only", "csv-parquet-size"])
    assert code == 0
    doc = json.loads((tmp_path / "claims.json").read_text())
    (rec,) = doc["claims"]
    assert rec["results"].endswith("core.json") and not (tmp_path / "claims").exists()
    assert rec["holds"] in ("yes", "partly", "no") and "MB ->" in rec["measured"]
    assert doc["wall_s"] >= 0 and "1min" in doc["load_before"] and doc["smoke"] is False


def test_claim_without_a_reference_runs_its_experiment(tmp_path):
    assert (
        claims_cmd.main(["--reference-dir", str(tmp_path), "--only", "zstd-level", "--smoke"]) == 0
    )
    (rec,) = json.loads((tmp_path / "claims.json").read_text())["claims"]
    assert rec["experiment"].startswith("fmtbench run --datasets tpch-lineitem:0.01")
    assert "compression_level=1,3,10,22" in rec["experiment"]
    assert (tmp_path / "claims" / "zstd-level.json").exists()
    assert "level 22" in rec["measured"] and rec["holds"] in ("yes", "partly", "no")


def test_bad_flags_are_one_error_line(tmp_path, capsys):
    assert claims_cmd.main(["--reference-dir", str(tmp_path), "--only", "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --only nope") and "vortex-take" in err
    assert claims_cmd.main(["--smoke"]) == 2
    assert "--smoke" in capsys.readouterr().err
    assert claims_cmd.main(["--reference-dir", str(tmp_path / "missing")]) == 2
    assert not (tmp_path / "claims.json").exists()


def test_smoke_shrinks_every_experiment():
    for claim in claims_cmd.CLAIMS:
        args = claims_cmd.smoke_args(claim)
        assert "tpch-lineitem:0.01" in args and args.count("--rows") == 1
        assert "tpch-lineitem:1" not in args and "3300000" not in args


def test_every_full_size_experiment_is_a_valid_fmtbench_run():
    import shlex

    from benchmarks.cli.main import build_parser
    from benchmarks.cli.run_cmd import config_from_args

    for claim in claims_cmd.CLAIMS:
        if claim.tool == "fmtbench run":
            args = build_parser().parse_args(["run", *shlex.split(claim.experiment)])
            assert config_from_args(args).datasets, claim.id
