"""Run the real ``fmtbench`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli_env(plugins: str = "", path: Path | None = None) -> dict[str, str]:
    """Environment for the CLI: the repo importable, optional test-only adapter plugins."""
    pythonpath = os.pathsep.join(str(p) for p in (ROOT, path) if p)
    return {**os.environ, "PYTHONPATH": pythonpath, "COLUMNS": "200", "FMTBENCH_PLUGINS": plugins}


def fmtbench(
    *args: str, cwd: Path | None = None, timeout: float = 600, env: dict | None = None
) -> subprocess.CompletedProcess:
    """``python -m benchmarks.cli ARGS`` with output captured as text."""
    env = env or cli_env()
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, code: int) -> str:
    """Exit ``code``, stderr a single ``error: ...`` line, no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    return lines[0]


def start_fmtbench(*args: str, env: dict, cwd: Path) -> subprocess.Popen:
    """The CLI in the background, for tests that interrupt it."""
    return subprocess.Popen(
        [sys.executable, "-m", "benchmarks.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )
