"""argparse value types and the ``run`` options, shared by the subcommands."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from benchmarks.analysis.shuffle_floor import DEFAULT_MIN_SHUFFLE, check_min_shuffle
from benchmarks.errors import UsageError


def split_list(text: str) -> list[str]:
    """``a,b, c`` -> ['a', 'b', 'c']; an empty item is a usage error."""
    items = [t.strip() for t in text.split(",")]
    if not all(items):
        raise argparse.ArgumentTypeError(f"empty item in list {text!r}")
    return items


def positive_seconds(text: str) -> float:
    """A timeout: a positive, finite number of seconds (``nan``, ``inf``, 0 refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text!r}")
    return value


def int_list(text: str) -> list[int]:
    """``10000,100000`` -> [10000, 100000]; '1e5' and '100_000' are accepted."""
    try:
        return [int(float(t.replace("_", ""))) for t in split_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of whole numbers") from None


def option_pair(text: str) -> tuple[str, list[str]]:
    """``row_group_size=16384,122880`` -> ('row_group_size', ['16384', '122880'])."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"--option {text!r}: write it as NAME=VALUE[,VALUE..]")
    return name.strip(), split_list(values)


def float_list(text: str) -> list[float]:
    """``0.001,0.1`` -> [0.001, 0.1]."""
    try:
        return [float(t) for t in split_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers") from None


def rounds_value(text: str) -> int | str:
    """``auto`` or a whole number >= 1."""
    from benchmarks.suite.rounds import parse_rounds

    try:
        return parse_rounds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def profile_name(text: str) -> str:
    """A built-in recommendation profile name, or a usage error listing them."""
    from benchmarks.analysis.recommend import PROFILES

    if text not in PROFILES:
        raise argparse.ArgumentTypeError(
            f"unknown profile {text!r}; choose from {', '.join(PROFILES)}"
        )
    return text


def add_advice_args(p: argparse.ArgumentParser) -> None:
    """What the recommendation may admit, and which profile it shows first."""
    p.add_argument(
        "--allow-lossy", action="store_true", help="rank formats that changed the data (named)"
    )
    p.add_argument(
        "--allow-unsafe", action="store_true", help="rank Pickle and other code-on-load formats"
    )
    p.add_argument(
        "--strict-types",
        action="store_true",
        help="exclude formats that return another type with the same values (retyped)",
    )
    p.add_argument("--profile", type=profile_name, help="the recommendation profile shown first")
    p.add_argument(
        "--min-shuffle",
        type=shuffle_quality,
        default=DEFAULT_MIN_SHUFFLE,
        metavar="Q",
        help="training profile: the shuffle quality in [0, 1] an epoch's delivered order "
        f"must reach (default {DEFAULT_MIN_SHUFFLE}; 1 = a uniform permutation)",
    )


def shuffle_quality(text: str) -> float:
    """--min-shuffle: a number in [0, 1], or a one-line usage error saying so."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number; a shuffle quality in [0, 1], e.g. {DEFAULT_MIN_SHUFFLE}"
        ) from None
    try:
        return check_min_shuffle(value)
    except UsageError as exc:  # argparse names the flag itself
        raise argparse.ArgumentTypeError(str(exc).partition(": ")[2]) from None


def add_price_args(p: argparse.ArgumentParser) -> None:
    """List prices for the cost column (US dollars): a run records them with each cost, a
    report recomputes the costs with any given here (None: as the run recorded them)."""
    from benchmarks.storage.cost import Prices

    base = Prices()
    for flag, dest, what in (
        ("--price-gb-month", "price_gb_month", "per GB stored for a month"),
        ("--price-get-1k", "price_get_1k", "per 1,000 GET/HEAD requests"),
        ("--price-put-1k", "price_put_1k", "per 1,000 PUT/POST/LIST/COPY requests"),
    ):
        value = getattr(base, dest.removeprefix("price_"))
        p.add_argument(
            flag, type=float,
            help=f"cost: US dollars {what} (default {value:g}, S3 Standard list price)",
        )  # fmt: skip


def add_run_args(p: argparse.ArgumentParser) -> None:
    from benchmarks.suite.config import CORE_OPS

    p.add_argument(
        "--datasets", type=split_list, help="dataset names, e.g. mixed,logs,tpch-lineitem:0.1"
    )
    p.add_argument(
        "--data", type=split_list, help="your own files (.csv .parquet .jsonl .arrow .orc .avro)"
    )
    p.add_argument(
        "--formats",
        type=split_list,
        help="adapter names, or all (default: each format's best-known engine + the references)",
    )
    p.add_argument(
        "--codecs", type=split_list, help="codecs to run, or 'all' (default: each default)"
    )
    p.add_argument("--ops", type=split_list, help=f"operations (default: {','.join(CORE_OPS)})")
    p.add_argument("--rows", type=int_list, help="row counts; several make a scaling sweep")
    p.add_argument(
        "--rounds", type=rounds_value, help="timed rounds per case, or auto (default: auto)"
    )
    p.add_argument(
        "--case-budget",
        type=float,
        help="seconds per case for --rounds auto (default 0.5; the reference run uses 5)",
    )
    p.add_argument(
        "--processes",
        type=int,
        help="fresh worker processes each case's rounds are spread over, pooled "
        "(default: 2 with --rounds auto, 1 with --rounds N)",
    )
    p.add_argument(
        "--cache", choices=("warm", "cold"), help="page cache before each read (default warm)"
    )
    p.add_argument("--columns", type=split_list, help="columns for read_column")
    p.add_argument(
        "--column",
        action="append",
        metavar="NAME",
        help="one read_column target, taken whole (repeatable): for names holding commas",
    )
    p.add_argument(
        "--sample", help="head:N random:F|N stratified:COL:F quota:COL:N systematic:K reservoir:N"
    )
    p.add_argument("--seed", type=int, help="seed for data, samples and lookups (default 0)")
    p.add_argument("--data-dir", help="where generated real datasets are cached")
    p.add_argument("--k", type=int_list, help="take: rows per lookup (default 1,100,10000)")
    p.add_argument("--patterns", type=split_list, help="take: uniform,clustered")
    p.add_argument("--selectivity", type=float_list, help="scan: fractions in (0,1]")
    p.add_argument("--batch-sizes", type=int_list, help="stream: rows per batch")
    add_epoch_args(p)
    p.add_argument(
        "--stream",
        action="store_true",
        help="datasets as record batches, never a whole table: bounded memory at any size "
        "(ops write, read_stream, read_column)",
    )
    p.add_argument(
        "--batch-rows", type=int_list, help="append: rows per append (default 1,100,10000)"
    )
    p.add_argument(
        "--change",
        type=float_list,
        help="update/delete/merge: fractions of the rows in (0,1] (default 0.001,0.01,0.1)",
    )
    p.add_argument("--commits", type=int, help="commit/compact: commits per case (default 20)")
    p.add_argument("--versions-back", type=int, help="time_travel: versions back (default 10)")
    add_price_args(p)
    p.add_argument(
        "--option",
        type=option_pair,
        action="append",
        metavar="K=V[,V..]",
        help="a layout knob to sweep, e.g. row_group_size=16384,122880 (repeatable; "
        "fmtbench formats --json lists each adapter's)",
    )
    p.add_argument(
        "--threads", type=int_list, help="engine thread pools, e.g. 1,2 (default: the cores)"
    )
    p.add_argument(
        "--files",
        type=int_list,
        help="write each dataset as N files of equal rows in a directory, e.g. 1,16,256 "
        "(the engine's own dataset writer and reader)",
    )
    p.add_argument(
        "--partition-by", metavar="COLUMN", help="write hive-style COLUMN=value/ partitions"
    )
    p.add_argument("--out", type=Path, help="results file (default results/NNNN_<datasets>.json)")
    p.add_argument("--resume", type=Path, help="finish an interrupted run: its results path")
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite an existing --out; allow --cluster local:N above 4 workers per core",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 if any case failed")
    p.add_argument(
        "--case-timeout",
        type=positive_seconds,
        help="seconds before a case is stopped (default 1800; a resume keeps the run's)",
    )
    p.add_argument("--workdir", help="where benchmark files are written (default: system temp)")
    p.add_argument("--keep-files", action="store_true", help="keep the benchmark files")
    p.add_argument(
        "--isolate", action="store_true", help="a fresh worker process per format (large data)"
    )
    add_remote_args(p)
    p.add_argument("--no-charts", action="store_true", help="skip chart generation")
    add_advice_args(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")


def milliseconds(text: str) -> float:
    """``20``, ``20ms`` or ``0.02s`` -> 20.0 (milliseconds)."""
    t = text.strip().lower()
    try:
        if t.endswith("ms"):
            return float(t[:-2])
        return float(t[:-1]) * 1000 if t.endswith("s") else float(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration like 20ms") from None


def milliseconds_list(text: str) -> list[float]:
    """``0,20ms`` -> [0.0, 20.0]: latencies swept as a run axis."""
    return [milliseconds(t) for t in split_list(text)]


#: Bandwidth units, decimal as network links are quoted (100 MB/s = 10^8 bytes/s).
_RATE_UNITS = {"gb/s": 1e3, "mb/s": 1.0, "kb/s": 1e-3, "gbit/s": 125.0, "mbit/s": 0.125}


def megabytes_per_s(text: str) -> float:
    """``100MB/s``, ``1GB/s``, ``800Mbit/s`` or a bare number of MB/s -> MB/s."""
    t = text.strip().lower().replace(" ", "")
    unit = next((u for u in _RATE_UNITS if t.endswith(u)), "")
    try:
        value = float(t.removesuffix(unit)) * _RATE_UNITS.get(unit, 1.0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a rate like 100MB/s") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a bandwidth must be a positive, finite rate, e.g. 100MB/s"
        )
    return value


def add_remote_args(p: argparse.ArgumentParser) -> None:
    """Object storage and cluster options (issue 13)."""
    p.add_argument(
        "--storage", help="local (default), s3-local (embedded S3) or s3://BUCKET/PREFIX"
    )
    p.add_argument(
        "--storage-option",
        action="append",
        metavar="KEY=VALUE",
        help="endpoint_url, region, key, secret, token (secrets are never written)",
    )
    p.add_argument(
        "--storage-latency",
        type=milliseconds_list,
        help="delay per storage request, e.g. 20ms, at most 2s (what S3 clients wait); "
        "a list (0,20ms) is a run axis",
    )
    p.add_argument(
        "--storage-bandwidth",
        type=megabytes_per_s,
        help="cap per storage request, e.g. 100MB/s (s3-local or another http:// endpoint)",
    )
    p.add_argument(
        "--cluster", help="Dask: local[:N] workers (N >= 1), or tcp://HOST:PORT (s3:// only)"
    )


def add_epoch_args(p: argparse.ArgumentParser) -> None:
    """The epoch operation's axes (issue 25)."""
    p.add_argument("--batch-size", type=int_list, help="epoch: rows per mini-batch (default 256)")
    p.add_argument(
        "--shuffle", type=split_list, help="epoch: global, none or buffer:N (default global)"
    )
    p.add_argument(
        "--loader-workers",
        type=int_list,
        help="epoch: loader processes, 0 = in-process (default 0)",
    )
    p.add_argument(
        "--decode", action="store_true", default=None, help="epoch: decode images with Pillow"
    )
    p.add_argument(
        "--order-from", help="epoch: replay this adapter's delivered order on the others"
    )
