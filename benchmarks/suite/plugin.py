"""pytest-benchmark suite wiring: options, parametrization from the registry, result hooks.

``pytest benchmarks/`` runs the default suite as any pytest-benchmark user expects
(add ``--benchmark-json=out.json`` to keep results); ``--fb-*`` options choose what to
measure; ``fmtbench run`` passes a whole config file with ``--fb-config``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.errors import FmtbenchError
from benchmarks.suite import journal, machine, noise
from benchmarks.suite.cases import Case, build_cases
from benchmarks.suite.config import RunConfig
from benchmarks.suite.data import release_staged
from benchmarks.suite.execute import PreparedFiles, storage_root
from benchmarks.suite.groups import grouped_order
from benchmarks.suite.ops import keep_files
from benchmarks.suite.timing import GroupTimings

_LIST_OPTIONS = ("datasets", "formats", "codecs", "ops", "columns")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fmtbench")
    group.addoption("--fb-config", help="a RunConfig JSON file (written by fmtbench run)")
    group.addoption("--fb-journal", help="append a line per case event to this file")
    for name in _LIST_OPTIONS:
        group.addoption(f"--fb-{name}", help=f"comma-separated {name}")
    group.addoption("--fb-rows", help="comma-separated row counts")
    group.addoption("--fb-rounds", help="timed rounds per case, or 'auto' (the default)")
    group.addoption("--fb-case-budget", type=float, help="seconds per case with --fb-rounds auto")
    group.addoption("--fb-cache", choices=("warm", "cold"), help="page cache state")
    group.addoption("--fb-workdir", help="directory for benchmark files")


def _config(config: pytest.Config) -> RunConfig:
    path = config.getoption("--fb-config")
    cfg = RunConfig.from_file(path) if path else RunConfig()
    for name in _LIST_OPTIONS:
        value = config.getoption(f"--fb-{name}")
        if value:
            setattr(cfg, name, value.split(","))
    if config.getoption("--fb-rows"):
        cfg.rows = [int(r) for r in config.getoption("--fb-rows").split(",")]
    if config.getoption("--fb-rounds"):
        cfg.rounds = config.getoption("--fb-rounds")  # validate() parses 'auto' or N
    if config.getoption("--fb-case-budget") is not None:
        cfg.case_budget = config.getoption("--fb-case-budget")
    if config.getoption("--fb-cache"):
        cfg.cache = config.getoption("--fb-cache")
    if config.getoption("--fb-workdir"):
        cfg.workdir = config.getoption("--fb-workdir")
    return cfg.validate()


def pytest_configure(config: pytest.Config) -> None:
    try:
        config._fb_config = _config(config)
        noise.apply()
    except (FmtbenchError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    # pytest-benchmark's own switch: its runner disables gc around each timed call (its
    # pytest_configure runs last, so it still sees this)
    config.option.benchmark_disable_gc = True
    path = config.getoption("--fb-journal")
    if path:
        plugin = journal.JournalPlugin(path, config._fb_config.part)
        config.pluginmanager.register(plugin, "fmtbench-journal")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fb_case" in metafunc.fixturenames:
        try:
            cases = build_cases(metafunc.config._fb_config)
        except FmtbenchError as exc:
            raise pytest.UsageError(str(exc)) from None
        metafunc.parametrize("fb_case", cases, ids=[c.id for c in cases])


@pytest.fixture(scope="session")
def fb_config(request: pytest.FixtureRequest) -> RunConfig:
    return request.config._fb_config


@pytest.fixture(scope="session")
def fb_workdir(fb_config: RunConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This worker's folder for benchmark files, emptied when the worker ends.

    Removed at the end (unless --keep-files): with --isolate every format has its own
    worker, and each one's staged stream source (10 GB at TPC-H SF 10) and last files
    would otherwise pile up on the disk until the run ends.
    """
    if not fb_config.workdir:
        yield tmp_path_factory.mktemp("fmtbench")
        return
    parent = Path(fb_config.workdir)
    parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix="cases-", dir=parent))
    yield path
    if not keep_files():
        release_staged()
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def fb_prepared(fb_config: RunConfig, fb_workdir: Path) -> PreparedFiles:
    return PreparedFiles(storage_root(fb_config, fb_workdir))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each group's cases adjacent (suite/groups.py): the first one times them all."""
    cases = [_case_of(item) for item in items]
    if any(c is None for c in cases):
        return  # not only fmtbench cases: leave pytest's order alone
    position = {c.id: i for i, c in enumerate(grouped_order(cases))}  # type: ignore[arg-type]
    items.sort(key=lambda item: position[_case_of(item).id])  # type: ignore[union-attr]


def _case_of(item: pytest.Item) -> Case | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("fb_case") if callspec is not None else None


@pytest.fixture(scope="session")
def fb_groups(
    request: pytest.FixtureRequest, fb_config: RunConfig, fb_workdir: Path,
    fb_prepared: PreparedFiles,
) -> GroupTimings:  # fmt: skip
    """The session's groups, from the tests pytest will run (after any deselection)."""
    cases = [c for c in map(_case_of, request.session.items) if c is not None]
    return GroupTimings(fb_config, fb_workdir, fb_prepared, cases)


@pytest.fixture
def fb_skip(fb_case: Case) -> None:
    if fb_case.skip:
        pytest.skip(fb_case.skip)


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:
    machine_info.update(machine.describe())
    machine_info["noise_control"] = noise.applied()


def pytest_benchmark_update_json(
    config: pytest.Config, benchmarks: list, output_json: dict
) -> None:
    output_json["fmtbench"] = {
        "schema_version": machine.SCHEMA_VERSION,
        "config": config._fb_config.__dict__,
    }
