"""The one rich console every subcommand prints to."""

from __future__ import annotations

from rich.console import Console

out = Console(soft_wrap=True)
#: One-line notes about the command line (a repeated item dropped...), kept off stdout.
note = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)
