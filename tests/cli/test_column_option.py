"""--column NAME: read_column targets whose names hold commas or quotes."""

from __future__ import annotations


def test_column_option_keeps_names_with_commas_whole():
    from benchmarks.cli.main import build_parser
    from benchmarks.cli.run_cmd import config_from_args

    args = build_parser().parse_args(["run", "--column", "a,b", "--column", 'say "hi"'])
    assert config_from_args(args).columns == ["a,b", 'say "hi"']
    args = build_parser().parse_args(["run", "--columns", "x,y", "--column", "a,b"])
    assert config_from_args(args).columns == ["x", "y", "a,b"]
