"""The one rich console every subcommand prints to."""

from __future__ import annotations

from rich.console import Console

out = Console(soft_wrap=True)
