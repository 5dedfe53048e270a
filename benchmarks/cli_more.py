"""Subcommands over results files: plot, report, compare (added as they land)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def commands(add_results_arg: Callable[[argparse.ArgumentParser], None]) -> dict[str, Any]:
    """name -> (function, argument adder) for the results subcommands."""
    return {}
