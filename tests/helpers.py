"""Run the real ``fmtbench`` command in a subprocess, as a user would, or in this process.

A subprocess pays an interpreter start and the CLI's imports (seconds on a loaded machine);
error paths that stop before any work are checked in-process through ``main([...])`` with
``fmtbench_main``, and a few subprocess tests keep the real exit code, stderr and signals.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Environment for a run that measures ceilings and probes memory in a fresh process, as
#: a user's run does (tests/conftest.py switches both off for every other test).
PROBES_ON = {"FMTBENCH_CEILINGS": "1", "FMTBENCH_MEMORY": "fresh"}
#: With ``--rounds N`` the case budget only bounds the warm-up (it stops once a fifth of the
#: budget is spent, else after up to 5 rounds): a tiny budget means one warm-up round per
#: case, for tests that check what a run records, never how it times.
ONE_WARMUP = ("--case-budget", "0.01")


#: The run's pytest worker loads only the plugin it uses: an installed library's pytest11
#: entry point (zarr.testing: ~1 s of imports) would otherwise load at every worker start.
WORKER_PLUGINS = {
    "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    "PYTEST_PLUGINS": "pytest_benchmark.plugin",
}


def new_bucket() -> str:
    """A bucket name no other test of the session uses (they share one S3 server)."""
    return f"bench-{uuid.uuid4().hex[:12]}"


def cli_env(plugins: str = "", path: Path | None = None) -> dict[str, str]:
    """Environment for the CLI: the repo importable, optional test-only adapter plugins."""
    pythonpath = os.pathsep.join(str(p) for p in (ROOT, path) if p)
    return {
        **os.environ,
        **WORKER_PLUGINS,
        "PYTHONPATH": pythonpath,
        "COLUMNS": "200",
        "FMTBENCH_PLUGINS": plugins,
    }


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


def fmtbench_main(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """``main([*args])`` in this process, as ``fmtbench`` would see it; output captured.

    For commands that fail (or finish) before a run starts: no interpreter start or CLI
    import per call. ``env`` adds variables for the call only; the process environment, the
    working directory and the SIGTERM handler ``main`` installs are restored afterwards.
    Plugins load at import time, so tests of ``FMTBENCH_PLUGINS`` use ``fmtbench``.
    """
    from benchmarks.cli.main import main

    assert "FMTBENCH_PLUGINS" not in (env or {}), "plugins need a subprocess: use fmtbench()"
    saved_env, saved_term = dict(os.environ), signal.getsignal(signal.SIGTERM)
    stdout, stderr = io.StringIO(), io.StringIO()
    os.environ.update({"COLUMNS": "200", **(env or {})})
    try:
        with (
            contextlib.chdir(cwd or ROOT),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        signal.signal(signal.SIGTERM, saved_term)
    return subprocess.CompletedProcess(
        ["fmtbench", *args], code, stdout.getvalue(), stderr.getvalue()
    )
