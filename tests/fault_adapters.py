"""Adapters that misbehave on purpose, registered only by the reliability tests.

Loaded into the benchmark worker with ``FMTBENCH_PLUGINS=tests.fault_adapters``.
"""

from __future__ import annotations

import os
import shlex
import time

import pyarrow as pa
import pyarrow.feather as feather

from formats.base import FormatAdapter
from formats.registry import register


class _FeatherLike(FormatAdapter):
    format = "Test"
    engine = "test"
    orientation = "column"
    encoding = "binary"
    extension = "arrow"

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        self.resolve_codec(codec)
        feather.write_feather(table, path, compression="uncompressed")

    def read(self, path: str | os.PathLike) -> pa.Table:
        return feather.read_table(path)


@register
class Failing(_FeatherLike):
    """Every write raises: all its cases must be recorded as errors."""

    name = "test-failing"

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        raise RuntimeError("injected failure")


@register
class Slow(_FeatherLike):
    """Reads take a while, so a run can be interrupted part-way."""

    name = "test-slow"

    def read(self, path: str | os.PathLike) -> pa.Table:
        time.sleep(0.25)
        return super().read(path)


@register
class Hanging(_FeatherLike):
    """Reads never finish in time: the case timeout must stop them."""

    name = "test-hanging"

    def read(self, path: str | os.PathLike) -> pa.Table:
        time.sleep(3600)
        return super().read(path)


@register
class Bloated(_FeatherLike):
    """Writes 8 MB whatever the table, to fill a small disk."""

    name = "test-bloated"

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        with open(path, "wb") as fh:
            for _ in range(8):
                fh.write(b"\0" * 1_000_000)


@register
class CrashingColumns(_FeatherLike):
    """The process dies inside read_columns: a case id with parameters must be recorded."""

    name = "test-crash-columns"

    def read_columns(self, path, columns):
        os._exit(3)


@register
class HangingUnicode(Hanging):
    """A non-ASCII name (pytest escapes it in node ids) whose reads never finish."""

    name = "test-hängend"


@register
class SlowToLoad(_FeatherLike):
    """Reads a ``slow-load*`` user file in C code that defers Python's signal handlers."""

    name = "test-slow-load"
    engine = "pyarrow"  # user files are read by pyarrow-engine adapters only (datasets/user)
    data_suffixes = (".arrow",)  # --data FILE.arrow may be read by this adapter too

    def read(self, path: str | os.PathLike) -> pa.Table:
        if "slow-load" in os.fspath(path):
            # glibc's system() retries its wait on EINTR. The shell writes its pid (the sleep's,
            # after exec) to PATH.loading: the test waits for that file, not a fixed time,
            # and kills the sleep afterwards; the sleep holds none of the CLI's pipes.
            marker = shlex.quote(f"{os.fspath(path)}.loading")
            os.system(
                f"echo $$ > {marker}.tmp && mv {marker}.tmp {marker} && "
                "exec sleep 30 </dev/null >/dev/null 2>&1"
            )
        return super().read(path)
