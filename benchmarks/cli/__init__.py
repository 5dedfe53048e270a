"""The ``fmtbench`` command (console script ``benchmarks.cli:main``)."""

from benchmarks.cli.main import COMMANDS, build_parser, main

__all__ = ["COMMANDS", "build_parser", "main"]
