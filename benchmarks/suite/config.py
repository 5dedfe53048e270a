"""What a run measures: one dataclass shared by the CLI, the Python API and the pytest suite.

The runner serialises it to JSON and hands the file to ``pytest benchmarks/`` with
``--fb-config``; run alone, the suite builds the same object from its ``--fb-*`` options.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from benchmarks.errors import UsageError
from benchmarks.storage.cost import Prices
from benchmarks.suite.rounds import AUTO, DEFAULT_BUDGET_S, is_auto, parse_rounds
from benchmarks.suite.switches import default_memory

CORE_OPS = ("write", "read", "read_column")
ACCESS_OPS = ("take", "scan", "stream", "iterate", "read_stream")
#: What a --stream run can do without a whole table in memory.
STREAM_OPS = ("write", "read_stream", "read_column")
#: What a multi-file run (--files, --partition-by) measures on a directory of files.
MULTIFILE_OPS = ("write", "read", "read_column", "take", "scan")
WORKLOAD_OPS = ("append",)  # the logging workload: M appends of B rows
#: Table formats' transactions (benchmarks/suite/table_ops.py, formats/tables.py).
TABLE_OPS = ("commit", "update", "delete", "merge", "time_travel", "compact")
ML_OPS = ("epoch",)  # training: shuffled mini-batches (benchmarks/suite/epoch.py)
ALL_OPS = CORE_OPS + ACCESS_OPS + WORKLOAD_OPS + TABLE_OPS + ML_OPS
CACHE_MODES = ("warm", "cold")
#: Worker processes per case with --rounds auto. A group's cases are timed side by side in
#: each (suite/groups.py), so their ratios need fewer processes than lone medians did (3);
#: two still measure the between-process spread the intervals are widened to.
DEFAULT_PROCESSES = 2


@dataclass
class RunConfig:
    """Every knob of a run; defaults are the no-argument ``fmtbench run``."""

    datasets: list[str] = field(default_factory=lambda: ["mixed"])
    data: list[str] = field(default_factory=list)  # user files (--data)
    formats: list[str] | None = None  # None: every available adapter
    codecs: list[str] | None = None  # None: each adapter's default; ["all"]: every codec
    ops: list[str] = field(default_factory=lambda: list(CORE_OPS))
    rows: list[int | None] = field(default_factory=lambda: [None])  # None: dataset default
    rounds: int | str = AUTO  # "auto": until the median's 95% CI is ±2% (suite/rounds.py)
    case_budget: float = DEFAULT_BUDGET_S  # seconds of warm-up + timing per case (auto)
    #: worker processes each case's rounds are spread over (None: 2 with --rounds auto,
    #: 1 with --rounds N); between-process spread is most of the run-to-run noise
    processes: int | None = None
    part: int = 0  # which of those processes this worker is (set by the runner)
    #: case id -> the rounds its first process timed: later processes time as many, so
    #: each process weighs the same in the pooled median (set by the runner)
    part_rounds: dict[str, int] = field(default_factory=dict)
    warmup: int = 1
    cache: str = "warm"
    columns: list[str] | None = None  # read_column targets; None: one numeric + one string
    sample: str | None = None
    seed: int = 0
    data_dir: str | None = None
    workdir: str | None = None
    k: list[int] = field(default_factory=lambda: [1, 100, 10_000])
    patterns: list[str] = field(default_factory=lambda: ["uniform", "clustered"])
    lookups: int = 50  # calls per take case, for p50/p99
    selectivity: list[float] = field(default_factory=lambda: [0.001, 0.01, 0.1, 1.0])
    batch_sizes: list[int] = field(default_factory=lambda: [1_000, 10_000, 100_000])
    batch_rows: list[int] = field(
        default_factory=lambda: [1, 100, 10_000]
    )  # append: rows per append
    # -- table operations (issue 26) ---------------------------------------------------
    change: list[float] = field(default_factory=lambda: [0.001, 0.01, 0.1])  # of the rows
    commits: int = 20  # commit: appends per case; compact: small files made first
    versions_back: int = 10  # time_travel: versions back from the last of --commits commits
    # -- epoch (issue 25): mini-batches, shuffle, loader processes, image decoding -------
    batch_size: list[int] = field(default_factory=lambda: [256])
    shuffle: list[str] = field(default_factory=lambda: ["global"])  # global|none|buffer:N
    loader_workers: list[int] = field(default_factory=lambda: [0])
    decode: bool = False
    order_from: str | None = None  # replay this adapter's delivered order on the others
    # list prices for the cost column (US dollars; README "Lakehouse tables")
    price_gb_month: float = 0.023  # per GB stored for a month
    price_get_1k: float = 0.0004  # per 1,000 GET/HEAD requests
    price_put_1k: float = 0.005  # per 1,000 PUT/POST/LIST/COPY requests
    only: list[str] | None = None  # case ids to run (resume); None: all
    #: peak memory: "fresh" (one short-lived process per case, matches an independent
    #: measurement) or "in-process" (after timing: faster, too low for warm allocators);
    #: the default can be set with FMTBENCH_MEMORY (benchmarks.suite.switches)
    memory: str = field(default_factory=default_memory)
    stream: bool = False  # datasets as record batches, bounded memory (--stream)
    # layout knobs swept as a cross product, option name -> values (strings from the CLI
    # are parsed by each adapter's Option); an adapter without the option ignores it
    options: dict[str, list[Any]] = field(default_factory=dict)
    threads: list[int | None] = field(default_factory=lambda: [None])  # None: engine defaults
    # -- multi-file datasets (issue 12): N files per dataset, hive partitions --------------
    files: list[int | None] = field(default_factory=lambda: [None])  # None: one plain file
    partition_by: str | None = None  # a column: hive-style COLUMN=value/ directories
    # -- beyond one machine (issue 13): object storage and a Dask cluster --------------
    storage: str = "local"  # local | s3-local | s3://BUCKET/PREFIX
    storage_options: dict[str, str] = field(default_factory=dict)  # no secrets: those go to env
    # added to every request at the recording proxy; several values are a run axis (each
    # case carries one, in its id); None: not set (0 ms, ids as without the flag)
    storage_latency_ms: list[float] | None = None
    storage_bandwidth_mb_s: float | None = None  # per-request cap at the proxy; None: none
    storage_runtime: dict[str, Any] | None = None  # the runner's live store, for its worker
    cluster: str | None = None  # local[:N] | tcp://HOST:PORT
    cluster_runtime: dict[str, Any] | None = None  # the runner's live cluster, for its worker

    def validate(self) -> RunConfig:
        """Raise UsageError for values no run could use; return self for chaining."""
        _check_names("operation", self.ops, ALL_OPS)
        if self.cache not in CACHE_MODES:
            raise UsageError(f"unknown cache mode '{self.cache}'; use warm or cold")
        self._check_rounds()
        # the count in force is recorded, so a resume given the same --processes matches
        self.processes = self.process_count()
        for n in self.rows:
            if n is not None and n < 1:
                raise UsageError(f"--rows must be positive, got {n}; e.g. --rows 10000")
        _check_positive("--k", self.k)
        _check_positive("--threads", [t for t in self.threads if t is not None])
        self.options = {k: v if isinstance(v, list) else [v] for k, v in self.options.items()}
        _check_positive("--batch-sizes", self.batch_sizes)
        _check_positive("--batch-rows", self.batch_rows)
        for s in self.selectivity:
            if not 0 < s <= 1:
                raise UsageError(f"--selectivity must be in (0, 1], got {s}")
        _check_table_knobs(self)
        self.prices().check()
        _check_names("pattern", self.patterns, ("uniform", "clustered"))
        _check_names("memory method", [self.memory], ("fresh", "in-process"))
        if not self.datasets and not self.data:
            raise UsageError("no dataset chosen; pass --datasets NAME or --data FILE")
        self._validate_remote()
        self._validate_multifile()
        if "epoch" in self.ops:
            from benchmarks.suite.epoch_cases import check_config

            check_config(self)
        return self

    def prices(self) -> Prices:
        """The list prices the cost column uses."""
        return Prices(self.price_gb_month, self.price_get_1k, self.price_put_1k)

    def multifile(self) -> bool:
        """Whether the run writes datasets as directories (--files or --partition-by)."""
        return self.partition_by is not None or any(n is not None for n in self.files)

    def _validate_multifile(self) -> None:
        """--files/--partition-by need a whole table, local files and no cluster."""
        _check_positive("--files", [n for n in self.files if n is not None])
        if self.partition_by is not None and not self.partition_by.strip():
            raise UsageError("--partition-by needs a column name")
        if not self.multifile():
            return
        flag = "--partition-by" if self.partition_by is not None else "--files"
        if self.stream:
            raise UsageError(f"{flag} writes from a whole table; drop --stream")
        if self.storage != "local":
            raise UsageError(f"{flag} runs on local storage only; drop --storage")
        if self.cluster is not None:
            raise UsageError(f"{flag} runs in one process; drop --cluster")

    def _check_rounds(self) -> None:
        try:
            self.rounds = parse_rounds(self.rounds)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        procs = self.processes
        whole = isinstance(procs, int) and not isinstance(procs, bool)
        if procs is not None and (not whole or procs < 1):
            raise UsageError(f"--processes must be a whole number >= 1, got {procs}")
        budget = self.case_budget
        if isinstance(budget, bool) or not isinstance(budget, int | float) or not budget > 0:
            raise UsageError(f"--case-budget must be a positive number of seconds, got {budget}")

    def process_count(self) -> int:
        """Worker processes per case: the given count, else 2 for auto rounds, else 1.

        A cluster run times on the cluster's workers, not in this machine's processes; a
        --stream case moves data much larger than memory, where a process's heap layout
        matters little and each extra warm-up costs a whole pass: both default to 1.
        """
        if self.processes is not None:
            return self.processes
        spread = is_auto(self.rounds) and self.cluster is None and not self.stream
        return DEFAULT_PROCESSES if spread else 1

    def _validate_remote(self) -> None:
        """Storage and cluster values (issue 13)."""
        from benchmarks.storage import check_spec
        from benchmarks.storage.link import check_bandwidth, check_latency

        check_spec(self.storage)
        latencies = self.storage_latency_ms
        if latencies is not None and not isinstance(latencies, list):
            self.storage_latency_ms = latencies = [latencies]  # the Python API's scalar
        check_latency(latencies or [])
        bandwidth = self.storage_bandwidth_mb_s
        check_bandwidth(bandwidth, latencies or [])
        if self.storage == "local" and (any(latencies or []) or bandwidth):
            flag = "--storage-bandwidth" if bandwidth else "--storage-latency"
            raise UsageError(f"{flag} needs object storage; add --storage s3-local")
        if self.cluster is not None:
            _check_cluster(self.cluster, self.storage)

    def to_json(self) -> str:
        """The config as JSON, for the pytest subprocess and the results file."""
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        """Inverse of ``to_json``; unknown keys are an error, not silently dropped."""
        raw: dict[str, Any] = json.loads(text)
        known = {f.name for f in fields(cls)}
        extra = set(raw) - known
        if extra:
            raise UsageError(f"unknown config keys: {', '.join(sorted(extra))}")
        return cls(**raw)

    @classmethod
    def from_file(cls, path: str | Path) -> RunConfig:
        """Load a config written by ``to_json``."""
        return cls.from_json(Path(path).read_text())


def _check_names(kind: str, given: list[str], known: tuple[str, ...]) -> None:
    from formats.registry import unknown_message

    for name in given:
        if name not in known:
            raise UsageError(unknown_message(kind, name, list(known)))


def _check_cluster(spec: str, storage: str) -> None:
    """local, local:N or tcp://HOST:PORT; a remote scheduler cannot see local files."""
    if spec == "local":
        return
    if spec.startswith("local:"):
        n = spec[6:].strip()
        if not (n.lstrip("-").isdigit() and int(n) >= 1):
            raise UsageError(
                f"--cluster {spec}: N (workers) must be a whole number >= 1, e.g. local:2"
            )
        return
    if spec.startswith("tcp://") and spec[6:].rpartition(":")[2].isdigit():
        if not storage.startswith("s3://"):
            raise UsageError(
                f"--cluster {spec}: a remote cluster's workers cannot see this machine's "
                "files; add --storage s3://BUCKET/PREFIX (storage both can reach)"
            )
        return
    raise UsageError(f"unknown cluster '{spec}'; use local, local:N or tcp://HOST:PORT")


def _check_positive(flag: str, values: list[int]) -> None:
    for v in values:
        if v < 1:
            raise UsageError(f"{flag} must be positive, got {v}; e.g. {flag} 1,2")


def _check_table_knobs(cfg: RunConfig) -> None:
    """--change in (0, 1]; --commits and --versions-back whole numbers >= 1."""
    for f in cfg.change:
        if isinstance(f, bool) or not isinstance(f, int | float) or not 0 < f <= 1:
            raise UsageError(
                f"--change {f}: a fraction of the rows must be in (0, 1], e.g. --change 0.01"
            )
    for flag, n in (("--commits", cfg.commits), ("--versions-back", cfg.versions_back)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise UsageError(f"{flag} {n}: must be a whole number >= 1, e.g. {flag} 10")
    if "time_travel" in cfg.ops and cfg.versions_back > cfg.commits:
        raise UsageError(
            f"--versions-back {cfg.versions_back}: further back than the table's history "
            f"(--commits {cfg.commits} commits are made first); pass --versions-back "
            f"{cfg.commits} or fewer, or --commits {cfg.versions_back} or more"
        )
