"""The package layout: imports point down the layers and never form a cycle.

Layers, top to bottom (docs/ARCHITECTURE.md): cli -> analysis -> run -> cluster -> suite -> datasets
-> storage -> formats; ``benchmarks.errors`` is a leaf every layer may use. Function-level
(lazy) imports count too, in the layer rule and in the cycle check: they run as soon as the
function does. Imports under ``if TYPE_CHECKING:`` never run and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

#: package -> rank; a module may import its own package or a lower rank only.
RANKS = {
    "formats": 0,
    "benchmarks.errors": 0,
    "benchmarks.storage": 1,
    "benchmarks.datasets": 2,
    "benchmarks.suite": 3,
    "benchmarks.cluster": 4,
    "benchmarks.run": 5,
    "benchmarks.analysis": 6,
    "benchmarks.cli": 7,
    "fmtbench": 8,
}
ROOMS = ("suite", "run", "analysis", "cli", "datasets", "storage", "cluster")


def _layer(module: str) -> str | None:
    """The RANKS key a dotted module name belongs to (longest prefix), or None."""
    hits = [k for k in RANKS if module == k or module.startswith(k + ".")]
    return max(hits, key=len) if hits else None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Ids of the nodes under ``if TYPE_CHECKING:``: they never run, so they are no edge."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            hidden |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return hidden


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every project import in the file that runs
    (those under ``if TYPE_CHECKING:`` excepted)."""
    tree = ast.parse(path.read_text())
    top = {id(n) for n in tree.body}
    hidden = _type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                # `from benchmarks.suite import journal` imports a submodule
                found.append((f"{node.module}.{alias.name}", id(node) in top))
    return [(m, t) for m, t in found if _layer(m)]


def _project_files() -> list[Path]:
    files = []
    for pkg in ("formats", "benchmarks", "fmtbench"):
        files += sorted((ROOT / pkg).rglob("*.py"))
    return files


def _known(module: str, modules: set[str]) -> str:
    """The imported name trimmed to a real module (``a.b.func`` -> ``a.b``)."""
    while module not in modules and "." in module:
        module = module.rsplit(".", 1)[0]
    return module


def test_every_room_of_the_layout_exists():
    for room in ROOMS:
        assert (ROOT / "benchmarks" / room / "__init__.py").is_file(), room


def test_no_module_imports_from_a_layer_above_it():
    upward = []
    for path in _project_files():
        name = _module_name(path)
        if name in ("benchmarks", "benchmarks.conftest"):
            continue  # the package marker and pytest's entry point re-export only
        mine = _layer(name)
        for imported, _ in _imports(path):
            theirs = _layer(imported)
            if theirs != mine and RANKS[theirs] >= RANKS[mine]:
                upward.append(f"{name} imports {imported}")
    assert not upward, "\n".join(upward)


def _import_graph(files: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports, at module level or inside a function: a
    function-level import runs as soon as the function does, so it is an edge too."""
    return {
        name: {_known(m, set(files)) for m, _ in _imports(path)} for name, path in files.items()
    }


def test_imports_form_no_cycle_counting_function_level_ones():
    files = {_module_name(p): p for p in _project_files()}
    cycle = _find_cycle(_import_graph(files))
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_check_catches_a_function_level_cycle(tmp_path):
    """Two modules that import each other, one only inside a function, are a cycle; the
    same import under ``if TYPE_CHECKING:`` is not."""
    pkg = tmp_path / "formats"
    pkg.mkdir()
    (pkg / "a.py").write_text("import formats.b\n")
    (pkg / "b.py").write_text("def f():\n    from formats.a import x\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import formats.a\n"
    )
    files = {f"formats.{p.stem}": p for p in sorted(pkg.glob("*.py"))}
    graph = _import_graph(files)
    assert _find_cycle(graph) == ["formats.a", "formats.b", "formats.a"]
    assert graph["formats.c"] == set()


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt == node or nxt not in graph:
                continue
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*trail, nxt])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_layer_check_sees_an_upward_import(tmp_path):
    """The checker itself can fail: a suite module importing the CLI is reported."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from benchmarks.cli.main import main\n")
    assert _imports(bad) == [("benchmarks.cli.main.main", False)]
    assert RANKS[_layer("benchmarks.cli.main")] > RANKS[_layer("benchmarks.suite.ops")]


def test_the_cycle_finder_finds_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_import_fmtbench_exposes_only_its_public_api():
    import fmtbench

    public = {n for n in vars(fmtbench) if not n.startswith("_")}
    assert public == set(fmtbench.__all__)
