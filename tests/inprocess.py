"""``fmtbench`` in the test's own process: fast, and its output read with capsys."""

from __future__ import annotations

import signal

import pytest

from benchmarks.cli.main import main


def run_cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``fmtbench ARGS``; the signal handlers it sets undone."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse refusals
            code = exc.code
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(result: tuple[int, str, str], code: int = 2) -> str:
    """The single ``error: ...`` line of a refusal (and no traceback anywhere)."""
    rc, out, err = result
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == code, result
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in out + err
    return lines[0]
