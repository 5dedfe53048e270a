"""README's fidelity matrix is generated (scripts/readme_fidelity.py), lists every
registered adapter, shows retyped cells as 't', and says what the text readers were told."""

from __future__ import annotations

import importlib.util

import pytest

import formats
from tests.helpers import ROOT


def _script():
    spec = importlib.util.spec_from_file_location(
        "readme_fidelity", ROOT / "scripts" / "readme_fidelity.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _block() -> str:
    script = _script()
    text = (ROOT / "README.md").read_text()
    return text.partition(script.BEGIN)[2].partition(script.END)[0]


def test_every_registered_adapter_is_in_the_matrix_or_named_unavailable():
    block = _block()
    header = next(line for line in block.splitlines() if line.startswith("| type |"))
    listed = {c.strip() for c in header.strip("|").split("|")[1:]}
    for name in formats.names():
        assert name in listed or f"{name} (" in block, name


def test_the_matrix_carries_retyped_cells_and_the_schema_mode():
    block = _block()
    assert "| t |" in block or " t |" in block
    assert "schema=file" in block and "independent reader" in block


def test_splice_replaces_only_between_the_markers():
    script = _script()
    text = f"before\n{script.BEGIN}\nold\n{script.END}\nafter\n"
    assert script.splice(text, "new\n") == f"before\n{script.BEGIN}\nnew\n{script.END}\nafter\n"
    with pytest.raises(ValueError, match="markers"):
        script.splice("no markers here", "x")
