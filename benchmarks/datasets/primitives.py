"""Vectorised building blocks for synthetic columns: skewed picks, nulls, sorted times, text.

Compression ratios depend on value distributions, so these mimic real data (Zipf-skewed
categories, monotone timestamps, heavy-tailed text lengths, sprinkled nulls) while staying
whole-array numpy/Arrow operations: no Python loop runs once per row.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Frequent words first, so Zipf ranks put them at the head as in real text.
COMMON_WORDS = [
    "the", "and", "to", "a", "of", "i", "it", "is", "for", "in", "my", "this", "was", "that",
    "with", "not", "but", "on", "you", "have", "so", "be", "they", "are", "at", "great", "very",
    "good", "just", "all", "we", "can", "would", "had", "if", "one", "out", "like", "no",
    "when", "time", "get", "product", "really", "will", "do", "use", "service", "more", "order",
    "back", "from", "your", "only", "well", "also", "still", "after", "than", "nice", "thanks",
    "love", "recommend", "again", "bad", "fast", "delivery", "price", "quality", "easy",
    "works", "problem", "support", "customer", "first", "never", "ok", "could", "work", "item",
    "arrived", "happy",
]  # fmt: skip
_SYLLABLES = [
    "ka", "lo", "mi", "ne", "ru", "ta", "vo", "si", "pe", "da", "an", "er", "in", "on", "ul",
    "ex", "bri", "sto", "gla", "fen", "mar", "tel", "qua", "zor", "pli", "dru", "che", "wes",
    "yan", "hol",
]  # fmt: skip
#: A few non-ASCII tokens, because user input is not ASCII and UTF-8 width matters.
_UNICODE_WORDS = ("café", "naïve", "über", "señor", "日本", "👍", "🙂", "—", "€", "ok!!")


def vocabulary(size: int) -> list[str]:
    """A deterministic word list: common English words, then unicode, then pseudo-words."""
    words = list(COMMON_WORDS) + list(_UNICODE_WORDS)
    for length in itertools.count(2):
        for parts in itertools.product(_SYLLABLES, repeat=length):
            if len(words) >= size:
                return words[:size]
            words.append("".join(parts))
    raise AssertionError("unreachable")


def zipf_indices(rng: np.random.Generator, n: int, k: int, a: float = 1.1) -> np.ndarray:
    """``n`` int32 indices in [0, k) with P(i) roughly proportional to 1/(i+1)**a."""
    # Inverse CDF of the continuous density x**-a, O(1) per draw where rng.choice(p=...)
    # searches a cumulative table per row. Rank i owns [i - 0.5, i + 0.5) so rank 1 keeps
    # its share; float32 is exact for ranks below 2**24 and halves the exp/log cost.
    u = rng.random(n, dtype=np.float32)
    if abs(a - 1.0) < 1e-9:
        x = np.float32(0.5) * np.exp(u * np.float32(np.log(2.0 * k + 1.0)))
    else:
        e = 1.0 - a
        lo, hi = 0.5**e, (k + 0.5) ** e
        x = np.exp(np.log(np.float32(lo) + u * np.float32(hi - lo)) / np.float32(e))
    x += np.float32(0.5)
    idx = x.astype(np.int32)
    idx -= 1
    return np.clip(idx, 0, k - 1, out=idx)


def pick(values: list[str] | pa.Array, indices: np.ndarray) -> pa.Array:
    """``values[indices]`` as an Arrow array (a vectorised gather, not a list comprehension)."""
    return pa.array(values).take(pa.array(indices))


def weighted_indices(rng: np.random.Generator, n: int, weights: list[float]) -> np.ndarray:
    """``n`` indices drawn with explicit probabilities, for small fixed vocabularies."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(p), size=n, p=p / p.sum())


def null_mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray | None:
    """A boolean mask with ``rate`` of True (null), or None when no nulls are wanted."""
    return rng.random(n) < rate if rate > 0 else None


def with_nulls(array: pa.Array, rng: np.random.Generator, rate: float) -> pa.Array:
    """``array`` with about ``rate`` of its values replaced by null."""
    mask = null_mask(rng, len(array), rate)
    if mask is None:
        return array
    return pc.if_else(pa.array(mask), pa.scalar(None, array.type), array)


def sorted_timestamps(rng: np.random.Generator, n: int, start: str, mean_gap_us: float) -> pa.Array:
    """Monotone timestamps with exponential gaps, as an event log or an orders table has."""
    gaps = rng.exponential(mean_gap_us, n).astype(np.int64)
    base = np.datetime64(start, "us").astype(np.int64)
    return pa.array(base + np.cumsum(gaps), pa.timestamp("us"))


def join_words(words: pa.Array, lengths: np.ndarray, sep: str = " ") -> pa.Array:
    """Join consecutive runs of ``words`` (run i has ``lengths[i]`` words) into strings."""
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    lists = pa.ListArray.from_arrays(pa.array(offsets), words)
    return pc.binary_join(lists, sep)


def free_text(
    rng: np.random.Generator, n: int, mean_words: float, max_words: int, vocab_size: int = 4000
) -> pa.Array:
    """Sentences of heavy-tailed length over a Zipf vocabulary, like reviews or comments."""
    lengths = np.clip(rng.lognormal(np.log(mean_words), 0.8, n).astype(np.int64), 1, max_words)
    vocab = vocabulary(vocab_size)
    words = pick(vocab, zipf_indices(rng, int(lengths.sum()), len(vocab), a=1.05))
    body = join_words(words, lengths)
    endings = pick([".", "!", "", "?", "...", " :)"], weighted_indices(rng, n, [6, 2, 2, 1, 1, 1]))
    return pc.binary_join_element_wise(body, endings, "")


def hex_strings(rng: np.random.Generator, n: int, nbytes: int = 16) -> pa.Array:
    """Random lowercase hex ids (``2 * nbytes`` characters each): high-cardinality keys."""
    lut = np.frombuffer(b"".join(f"{i:02x}".encode() for i in range(256)), np.uint8)
    lut = lut.reshape(256, 2)
    chars = lut[rng.integers(0, 256, (n, nbytes), dtype=np.uint8)].tobytes()
    width = 2 * nbytes
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(chars))


def format_ints(prefix: str, values: np.ndarray, width: int = 0) -> pa.Array:
    """``prefix`` + zero-padded decimal of each value (``host-007``) without a row loop."""
    digits = pc.cast(pa.array(values), pa.string())
    if width:
        digits = pc.utf8_lpad(digits, width=width, padding="0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")
