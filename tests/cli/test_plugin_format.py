"""A format added from ONE file, through the plugin path, reaches every room.

The module below is all a third party writes: two adapters declaring their facts
(readers, unsafe, --data suffixes, libraries). Loaded with ``FMTBENCH_PLUGINS`` (here and in
the benchmark worker), they show up in ``fmtbench formats``, ``fidelity``, a run, the report
and the recommendation with the universality and the unsafe flag they declare, and no
fmtbench file is edited for it.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

import formats
from benchmarks.cli.main import main
from formats.registry import unregister

PLUGIN = '''
"""Tiny: Arrow IPC streams under another name (safe), and pickled tables (unsafe)."""

import os
import pickle

import pyarrow as pa

from formats.base import FormatAdapter
from formats.registry import register


class _Tiny(FormatAdapter):
    format = "Tiny"
    orientation = "column"
    encoding = "binary"
    libraries = ("pyarrow",)


@register
class TinyIpc(_Tiny):
    name = "tiny-ipc"
    engine = "pyarrow-ipc-stream"
    extension = "tiny"
    readers = frozenset({"pandas", "python", "duckdb"})
    data_suffixes = (".tiny",)

    def write(self, table, path, codec=None):
        self.resolve_codec(codec)
        with pa.OSFile(os.fspath(path), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as w:
            w.write_table(table)

    def read(self, path):
        with pa.OSFile(os.fspath(path)) as source:
            return pa.ipc.open_stream(source).read_all()


@register
class TinyPickle(_Tiny):
    name = "tiny-pickle"
    format = "TinyPickle"
    engine = "pickle"
    extension = "tpkl"
    unsafe = "tiny-pickle runs code on load (declared by its plugin)"

    def write(self, table, path, codec=None):
        self.resolve_codec(codec)
        with open(path, "wb") as fh:
            pickle.dump(table, fh)

    def read(self, path):
        with open(path, "rb") as fh:
            return pickle.load(fh)
'''

NAMES = ("tiny-ipc", "tiny-pickle")


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The one plugin file, importable here and in the worker; registered, then removed."""
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "tiny_plugin.py").write_text(textwrap.dedent(PLUGIN))
    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", f"{root}:{folder}")
    monkeypatch.setenv("FMTBENCH_PLUGINS", "tiny_plugin")
    monkeypatch.syspath_prepend(str(folder))
    assert formats.load_plugins() == ["tiny_plugin"]
    yield tmp_path
    for name in NAMES:
        unregister(name)
    sys.modules.pop("tiny_plugin", None)


def test_a_one_file_plugin_format_reaches_every_room(plugin: Path, capsys) -> None:
    # fmtbench formats: listed with its declared facts
    assert main(["formats", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["tiny-ipc"]["readers"] == ["duckdb", "pandas", "python"]
    assert rows["tiny-pickle"]["unsafe"].startswith("tiny-pickle runs code")

    # fmtbench fidelity: its round trip judged like any adapter's
    assert main(["fidelity", "--formats", "tiny-ipc", "--json"]) == 0
    verdicts = json.loads(capsys.readouterr().out)
    assert verdicts and {v["adapter"] for v in verdicts} == {"tiny-ipc"}

    # fmtbench run: its cases run in the worker, which loads the plugin too
    out = plugin / "run.json"
    argv = ["run", "--rows", "300", "--rounds", "1", "--ops", "write,read", "--no-charts"]
    argv += ["--formats", "tiny-ipc,tiny-pickle,csv-pyarrow", "--out", str(out)]
    assert main(argv) == 0, capsys.readouterr().err
    summary = capsys.readouterr().out
    data = json.loads(out.read_text())
    ran = {(b["extra_info"]["adapter"], b["extra_info"]["operation"]) for b in data["benchmarks"]}
    assert {(n, op) for n in NAMES for op in ("write", "read")} <= ran
    assert all(b["extra_info"].get("error") is None for b in data["benchmarks"])
    recorded = data["fmtbench"]["adapters"]
    assert recorded["tiny-ipc"]["readers"] == ["duckdb", "pandas", "python"]
    # the recommendation: the unsafe one is excluded with the reason it declares
    assert "excluded tiny-pickle: tiny-pickle runs code on load" in summary

    # fmtbench report: universality 1 + 3 declared readers, and the same exclusion
    assert main(["report", str(out), "--out", str(plugin / "report")]) == 0
    report = (plugin / "report" / "report.md").read_text()
    assert "| Tiny | 4 | duckdb, pandas, python |" in report
    assert "tiny-pickle runs code on load" in report


def test_recorded_facts_serve_a_reader_without_the_plugin(plugin: Path, capsys) -> None:
    """A results file read where the plugin is not installed keeps the declared facts."""
    from benchmarks.analysis import facts
    from benchmarks.run.results import tidy

    data = {
        "fmtbench": {"adapters": {"tiny-ipc": formats.registry["tiny-ipc"].facts()}},
        "benchmarks": [{"extra_info": {"adapter": "tiny-ipc", "format": "Tiny"}}],
    }
    unregister("tiny-ipc")
    frame = tidy(data)
    assert facts.universality(frame, "tiny-ipc") == 4
    assert facts.universality(frame.drop(columns="readers"), "tiny-ipc") is None
