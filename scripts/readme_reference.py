"""Regenerate README's "Reference run" section from the files in results/reference.

Usage: python scripts/readme_reference.py [--check]
One subsection per step of scripts/reference_run whose results file exists, in the
script's order, with the command read from the script itself (reference_docs.parse_steps)
and every figure computed from the file (benchmarks/analysis/reference_readme.py). The
section goes between README's ``reference-run`` markers; ``--check`` writes nothing and
exits 1 when README does not hold what the files say now.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from benchmarks.analysis.readme_markers import splice as splice_block

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- reference-run:begin (scripts/readme_reference.py) -->"
END = "<!-- reference-run:end -->"


def _reference_docs() -> ModuleType:
    """scripts/reference_docs.py (STEPS, parse_steps), loaded from beside this script."""
    spec = importlib.util.spec_from_file_location(
        "reference_docs", Path(__file__).resolve().parent / "reference_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def section(root: Path) -> str:
    """The generated section: an intro, then one subsection per step with a results file."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the project's own analysis code, run from anywhere
    from benchmarks.analysis import reference_readme as rr
    from benchmarks.run.results import load_results, tidy

    docs = _reference_docs()
    commands = docs.parse_steps((root / "scripts" / "reference_run").read_text())
    parts = []
    for key, command in commands.items():
        step = docs.STEPS.get(key)
        name = Path(step.results).stem if step else ""
        path = root / rr.REF / f"{name}.json"
        if name not in rr.BUILDERS or not path.exists():
            continue
        doc = load_results(path)
        parts.append(rr.subsection(root, name, step.question, command, doc, tidy(doc)))
    return "\n\n".join([rr.intro(), *parts])


def splice(readme: str, block: str) -> str:
    """``readme`` with the text between the markers replaced by ``block``."""
    return splice_block(readme, block, BEGIN, END)


def main(argv: list[str] | None = None) -> int:
    """Regenerate (or --check) README's reference-run section."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare only, write nothing")
    p.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)  # tests
    args = p.parse_args(argv)
    readme = args.root / "README.md"
    old = readme.read_text()
    try:
        new = splice(old, section(args.root))
    except (ValueError, OSError) as exc:  # a results file that does not load: one line
        print(f"error: README's reference section not made: {exc}", file=sys.stderr)
        return 1
    if args.check:
        if new != old:
            print("README.md's reference run is stale: run python scripts/readme_reference.py")
        return 0 if new == old else 1
    if new != old:
        readme.write_text(new)
        print("wrote README.md (reference run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
