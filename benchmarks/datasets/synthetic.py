"""Synthetic dataset families: deterministic for (seed, rows), shaped like real tables.

Each generator takes a numpy Generator so the same (seed, rows) always yields the same
table; each draws whole columns at once, so a million rows take about a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.datasets import ml
from benchmarks.datasets.primitives import (
    format_ints,
    free_text,
    hex_strings,
    pick,
    sorted_timestamps,
    vocabulary,
    weighted_indices,
    with_nulls,
    zipf_indices,
)
from benchmarks.errors import UsageError

CATEGORIES = [
    "electronics", "books", "clothing", "home", "garden", "toys", "sports", "beauty",
    "grocery", "automotive", "health", "music", "movies", "office", "pet supplies",
    "baby", "jewelry", "shoes", "tools", "video games", "software", "crafts", "luggage",
    "furniture", "appliances", "outdoors", "industrial", "collectibles", "watches",
    "cameras", "phones", "computers", "kitchen", "lighting", "party", "travel", "art",
    "stationery", "bikes", "camping",
]  # fmt: skip
STATUSES = ["completed", "shipped", "pending", "cancelled", "returned"]
STATUS_WEIGHTS = [70, 15, 8, 5, 2]
COUNTRIES = [
    "US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "ES", "IT", "MX", "NL", "AU", "KR", "SE",
    "PL", "TR", "ID", "CH", "BE", "AR", "NO", "AT", "DK", "FI", "IE", "PT", "NZ", "ZA", "CL",
]  # fmt: skip
LEVELS = ["INFO", "DEBUG", "WARN", "ERROR"]
LEVEL_WEIGHTS = [78, 12, 7, 3]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]
METHOD_WEIGHTS = [70, 18, 6, 4, 2]
RESOURCES = ["users", "orders", "items", "cart", "search", "login", "health", "reports"]
STATUS_CODES = [200, 201, 204, 301, 304, 400, 401, 403, 404, 429, 500, 502, 503]
STATUS_CODE_WEIGHTS = [700, 40, 30, 5, 60, 25, 20, 8, 60, 10, 25, 10, 7]
SERVICES = [
    "api-gateway", "auth", "users", "orders", "payments", "search", "catalog", "cart",
    "checkout", "inventory", "shipping", "notifications", "recommendations", "reviews", "media",
    "billing", "admin", "reports", "scheduler", "webhooks",
]  # fmt: skip
TAGS = [
    "prod", "staging", "canary", "eu", "us", "asia", "mobile", "web", "api", "batch", "retry",
    "cached", "slow", "auth", "payment", "search", "checkout", "internal", "external", "beta",
    "v1", "v2", "gzip", "tls", "ipv6", "bot",
]  # fmt: skip


def mixed(rng: np.random.Generator, n: int) -> pa.Table:
    """An orders table: sorted id/time, unsorted amounts, skewed categories, nulls, text."""
    amount = np.round(rng.lognormal(3.5, 1.0, n), 2)
    return pa.table(
        {
            "id": pa.array(np.arange(n, dtype=np.int64)),
            "created_at": sorted_timestamps(rng, n, "2024-01-01", mean_gap_us=8_000_000),
            "user_id": pa.array(zipf_indices(rng, n, max(n // 4, 1), a=0.8).astype(np.int64) + 1),
            "amount": pa.array(amount, mask=rng.random(n) < 0.03),
            "quantity": pa.array((1 + rng.poisson(1.5, n)).astype(np.int32)),
            "score": pa.array(
                rng.normal(3.8, 0.9, n).astype(np.float32), mask=rng.random(n) < 0.01
            ),
            "category": pick(CATEGORIES, zipf_indices(rng, n, len(CATEGORIES), a=1.2)),
            "status": pick(STATUSES, weighted_indices(rng, n, STATUS_WEIGHTS)),
            "is_returning": pa.array(rng.random(n) < 0.35),
            "comment": with_nulls(free_text(rng, n, mean_words=5, max_words=40), rng, 0.6),
        }
    )


def numeric(rng: np.random.Generator, n: int) -> pa.Table:
    """Sensor-like numbers: sorted keys, smooth walks, noisy floats, sparse and random ints."""
    sparse = np.where(rng.random(n) < 0.9, 0.0, rng.exponential(10.0, n))
    season = 15 + 10 * np.sin(np.arange(n) * (2 * np.pi / 86_400)) + rng.normal(0, 1.5, n)
    return pa.table(
        {
            "id": pa.array(np.arange(n, dtype=np.int64)),
            "sensor_id": pa.array(zipf_indices(rng, n, 500, a=0.7).astype(np.int16)),
            "counter": pa.array(np.cumsum(rng.poisson(3, n)).astype(np.int64)),
            "reading": pa.array(np.cumsum(rng.normal(0, 0.5, n))),
            "temperature": pa.array(np.round(season, 1).astype(np.float32)),
            "price": pa.array(np.round(rng.lognormal(2.0, 1.2, n), 2), mask=rng.random(n) < 0.02),
            "ratio": pa.array(rng.random(n)),
            "delta": pa.array(rng.integers(-100, 101, n, dtype=np.int8)),
            "big": pa.array(rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, n)),
            "sparse": pa.array(sparse),
            "flag": pa.array(rng.random(n) < 0.1),
        }
    )


def strings(rng: np.random.Generator, n: int) -> pa.Table:
    """Text-heavy rows: short codes, skewed categories, emails, hex ids and long reviews."""
    names = vocabulary(3000)[100:]
    first = pick(names, zipf_indices(rng, n, 400, a=0.9))
    last = pick(names, zipf_indices(rng, n, len(names), a=0.7))
    domains = ["gmail.com", "yahoo.com", "outlook.com", "example.org", "proton.me", "web.de"]
    domain = pick(domains, zipf_indices(rng, n, len(domains), a=1.5))
    email = pc.binary_join_element_wise(first, ".", last, "@", domain, "")
    review = with_nulls(free_text(rng, n, mean_words=35, max_words=400), rng, 0.1)
    review = pc.if_else(pa.array(rng.random(n) < 0.02), pa.scalar("", pa.string()), review)
    return pa.table(
        {
            "id": pa.array(np.arange(n, dtype=np.int64)),
            "country": pick(COUNTRIES, zipf_indices(rng, n, len(COUNTRIES), a=1.3)),
            "category": pick(CATEGORIES, zipf_indices(rng, n, len(CATEGORIES), a=1.2)),
            "email": email,
            "uuid": hex_strings(rng, n),
            "title": free_text(rng, n, mean_words=4, max_words=12, vocab_size=1500),
            "review": review,
        }
    )


def _request(rng: np.random.Generator, n: int) -> pa.StructArray:
    """The ``request`` struct of a log line: method, path, status and response bytes."""
    method = pick(METHODS, weighted_indices(rng, n, METHOD_WEIGHTS))
    resource = pick(RESOURCES, zipf_indices(rng, n, len(RESOURCES), a=1.0))
    object_id = pc.cast(pa.array(zipf_indices(rng, n, 50_000, a=0.9)), pa.string())
    path = pc.binary_join_element_wise("/api/v1/", resource, "/", object_id, "")
    status = np.asarray(STATUS_CODES, np.int32)[weighted_indices(rng, n, STATUS_CODE_WEIGHTS)]
    nbytes = pa.array(rng.lognormal(7.5, 1.5, n).astype(np.int64), mask=rng.random(n) < 0.05)
    return pa.StructArray.from_arrays(
        [method, path, pa.array(status), nbytes], names=["method", "path", "status", "bytes"]
    )


def _tags(rng: np.random.Generator, n: int) -> pa.ListArray:
    """Zero to four tags per line (some lines have none), drawn with Zipf skew."""
    counts = rng.choice(5, size=n, p=[0.25, 0.35, 0.25, 0.1, 0.05])
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    words = pick(TAGS, zipf_indices(rng, int(offsets[-1]), len(TAGS), a=1.1))
    return pa.ListArray.from_arrays(pa.array(offsets), words)


def logs(rng: np.random.Generator, n: int) -> pa.Table:
    """Service logs: sorted time, skewed level/service/host, templated messages, nested."""
    service_idx = zipf_indices(rng, n, len(SERVICES), a=1.1)
    host = format_ints("host-", service_idx * 10 + rng.integers(0, 10, n), width=3)
    level = pick(LEVELS, weighted_indices(rng, n, LEVEL_WEIGHTS))
    latency = np.round(rng.lognormal(3.0, 1.0, n), 3)
    request = _request(rng, n)
    status = pc.cast(request.field("status"), pa.string())
    millis = pc.cast(pa.array(latency.astype(np.int64)), pa.string())
    parts = [request.field("method"), " ", request.field("path"), " ", status, " in ", millis]
    message = pc.binary_join_element_wise(*parts, "ms", "")
    return pa.table(
        {
            "timestamp": sorted_timestamps(rng, n, "2024-06-01", mean_gap_us=20_000),
            "level": level,
            "service": pick(SERVICES, service_idx),
            "host": host,
            "message": message,
            "latency_ms": pa.array(latency, mask=rng.random(n) < 0.02),
            "request": request,
            "tags": _tags(rng, n),
        }
    )


def wide(rng: np.random.Generator, n: int, features: int = 300) -> pa.Table:
    """A feature matrix: hundreds of float32 columns (dense, sparse, quantised) + id + label."""
    # Drawn feature-major so each column is one contiguous row of the matrix (no copy).
    matrix = rng.standard_normal((features, n), dtype=np.float32)
    third = features // 3
    matrix[third : 2 * third] *= rng.random((third, n), dtype=np.float32) < 0.1
    matrix[2 * third :] = np.round(matrix[2 * third :] * 4) / 4
    columns: dict[str, pa.Array] = {"id": pa.array(np.arange(n, dtype=np.int64))}
    for i in range(features):
        mask = rng.random(n) < 0.01 if i % 10 == 0 else None
        columns[f"f{i:03d}"] = pa.array(matrix[i], mask=mask)
    columns["label"] = pa.array(
        weighted_indices(rng, n, [50, 20, 10, 8, 5, 3, 2, 1, 1]).astype(np.int8)
    )
    return pa.table(columns)


def embeddings(rng: np.random.Generator, n: int, dim: int = 128) -> pa.Table:
    """Unit-norm float32 vectors (fixed_size_list) with an id, as a vector store holds."""
    vectors = rng.standard_normal((n, dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    flat = pa.array(vectors.reshape(-1))
    return pa.table(
        {
            "id": pa.array(np.arange(n, dtype=np.int64)),
            "embedding": pa.FixedSizeListArray.from_arrays(flat, dim),
        }
    )


def _count_parser(name: str, arg_name: str, example: int) -> Callable[[str], int]:
    """A parser for a family's integer argument that names the family in its error."""

    def parse(text: str) -> int:
        value = int(text) if text.strip().isdigit() else 0
        if value < 1:
            raise UsageError(
                f"bad {name} {arg_name} '{text}': use a whole number above 0, e.g. {name}:{example}"
            )
        return value

    return parse


@dataclass(frozen=True)
class Family:
    """A synthetic family: its generator, default size and optional integer argument."""

    build: Callable[..., pa.Table]
    default_rows: int
    description: str
    arg_name: str | None = None
    arg_default: int | None = None
    parse_arg: Callable[[str], int] | None = None
    #: what else the table depends on, when it is slow to make and kept on disk
    #: (datasets/cache.py); None: generated each time (fast enough)
    cache_key: Callable[[], tuple] | None = None


FAMILIES: dict[str, Family] = {
    "mixed": Family(mixed, 200_000, "orders: ints, floats, strings, zipf categories, nulls"),
    "numeric": Family(numeric, 200_000, "sensor-like ints and floats, sorted and random"),
    "strings": Family(strings, 200_000, "short categorical strings and long free text"),
    "logs": Family(logs, 200_000, "service logs with a struct and a list<string> column"),
    "wide": Family(
        wide, 50_000, "300 float32 feature columns + id + label", "features", 300,
        _count_parser("wide", "features", 1000),
    ),
    "embeddings": Family(
        embeddings, 50_000, "id + fixed_size_list<float32>[128] unit vectors", "dim", 128,
        _count_parser("embeddings", "dim", 768),
    ),
    "images": Family(ml.images, 50_000, "JPEG/PNG bytes of varied sizes + label + metadata",
                     cache_key=ml.images_cache_key),
    "tokens": Family(ml.tokens, 200_000, "int32 token sequences, log-normal lengths + id"),
}  # fmt: skip


def generate(name: str, rows: int, seed: int, arg: int | None = None) -> pa.Table:
    """The family ``name`` at ``rows`` rows; the same (seed, rows, arg) gives the same table."""
    family = FAMILIES[name]
    rng = np.random.default_rng([seed, rows])
    if family.arg_name is None:
        return family.build(rng, rows)
    return family.build(rng, rows, arg if arg is not None else family.arg_default)
