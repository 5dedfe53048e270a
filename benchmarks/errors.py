"""Errors the CLI turns into one ``error: ...`` line: usage errors exit 2, run failures 1."""

from __future__ import annotations


class FmtbenchError(Exception):
    """Base of fmtbench's own errors; the message is one line saying what and how to fix."""

    exit_code = 1


class UsageError(FmtbenchError, ValueError):
    """Bad arguments or input files: nothing was run (exit code 2)."""

    exit_code = 2


class RunError(FmtbenchError):
    """The run started but failed (exit code 1)."""

    exit_code = 1
