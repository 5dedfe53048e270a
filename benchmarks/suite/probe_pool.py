"""Memory probes forked from a server that imported fmtbench once, not cold interpreters.

A probe must start from a process that never ran the operation (suite/fresh.py says why).
A cold ``python -m benchmarks.suite.fresh`` per case pays the interpreter's start and
fmtbench's own imports (~0.3-0.5 s here) every time: a default run has 60 cases, so that
was a third of its wall time. A ``forkserver`` does the same imports once, in a process
that then only forks; each probe is a fork of it, so it still never ran the operation and
has no library threads (the format's own library is imported by the probe itself, inside
the ``import_bytes`` baseline, as before). Only fmtbench's modules, pyarrow and psutil are
preloaded: no adapter's library, so what ``import_bytes`` counts does not change.

The loader of the epoch operation uses the same forkserver (suite/loader.py); whichever
starts it first sets the preload, which is only ever a speed-up.
"""

from __future__ import annotations

import multiprocessing as mp
import subprocess
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

Measure = Callable[[dict[str, Any]], dict[str, Any]]

#: Imported once by the server: fmtbench's modules, not any adapter's library.
PRELOAD = ["formats", "benchmarks.suite.loader", "benchmarks.suite.fresh", "psutil"]


def _entry(measure: Measure, request: dict[str, Any], conn: Connection) -> None:
    """The forked probe: measure, send ("ok", result) or ("error", last line)."""
    try:
        conn.send(("ok", measure(request)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which labels it
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        conn.send(("error", last))
    finally:
        conn.close()


def probe(measure: Measure, request: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """``measure(request)`` in a fork of the preloaded server; its result dict.

    RuntimeError when the probe fails or dies, subprocess.TimeoutExpired when it outlives
    ``timeout_s`` (it is killed): the caller keeps the in-process figure, labelled.
    """
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_entry, args=(measure, request, send), daemon=True)
    proc.start()
    send.close()
    try:
        if not receive.poll(timeout_s):
            raise subprocess.TimeoutExpired("memory probe", timeout_s)
        kind, payload = receive.recv()
    except EOFError:
        proc.join(5)
        raise RuntimeError(f"memory probe exited {proc.exitcode} without a result") from None
    finally:
        if proc.is_alive() and not receive.closed:
            proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()
        receive.close()
    if kind != "ok":
        raise RuntimeError(f"memory probe failed: {payload}")
    return dict(payload)
