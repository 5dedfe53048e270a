"""ML training data: encoded images with labels, and token sequences of long-tailed length.

Both are deterministic for (seed, rows) like every synthetic family. ``images`` holds what
an image-classification shard holds: JPEG or PNG bytes of varied sizes (made with Pillow
from smooth gradients plus noise, so they compress like photos rather than like noise or
flat colour), a label and a few metadata columns. ``tokens`` holds what a pretraining
corpus holds: int32 token ids from a Zipf vocabulary, in sequences whose lengths follow a
log-normal (most short, a few very long).
"""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa

from benchmarks.datasets.primitives import zipf_indices
from benchmarks.errors import UsageError

#: Image sides in pixels (each of width and height drawn apart).
IMAGE_SIDES = (24, 160)
#: Share of images stored as PNG (lossless); the rest are JPEG.
PNG_SHARE = 0.2
IMAGE_LABELS = 10
VOCABULARY = 50_000
MAX_TOKENS = 4_096


def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise UsageError(
            "the images dataset draws its pictures with Pillow; pip install 'fmtbench[images]'"
        ) from None
    return Image


def _picture(rng: np.random.Generator, width: int, height: int, grain: np.ndarray) -> np.ndarray:
    """An RGB array: a random colour gradient plus a crop of shared grain, like a blurry photo."""
    corners = rng.uniform(0, 255, (3, 3)).astype(np.float32)
    across = np.linspace(0, 1, width, dtype=np.float32)[None, :, None] * (corners[1] - corners[0])
    down = np.linspace(0, 0.5, height, dtype=np.float32)[:, None, None] * (corners[2] - corners[0])
    top, left = (
        rng.integers(0, grain.shape[0] - height + 1),
        rng.integers(0, grain.shape[1] - width + 1),
    )
    pixels = corners[0] + across + down + grain[top : top + height, left : left + width]
    return np.clip(pixels, 0, 255).astype(np.uint8)


#: Bumped whenever ``images`` changes what it draws: cached tables of older versions go unused.
IMAGES_VERSION = 1


def images_cache_key() -> tuple:
    """What a cached ``images`` table depends on besides (rows, seed): this generator's
    version and Pillow's (its JPEG encoder decides the bytes)."""
    import PIL

    return (IMAGES_VERSION, PIL.__version__)


def images(rng: np.random.Generator, n: int) -> pa.Table:
    """Encoded JPEG/PNG images of varied sizes, a label and metadata, one row per image."""
    image = _pillow()
    widths = rng.integers(*IMAGE_SIDES, n, dtype=np.int32)
    heights = rng.integers(*IMAGE_SIDES, n, dtype=np.int32)
    png = rng.random(n) < PNG_SHARE
    grain = rng.normal(0, 8, (2 * IMAGE_SIDES[1], 2 * IMAGE_SIDES[1], 3)).astype(np.float32)
    blobs = []
    for w, h, is_png in zip(widths, heights, png, strict=True):
        buf = io.BytesIO()
        picture = image.fromarray(_picture(rng, int(w), int(h), grain))
        picture.save(buf, format="PNG" if is_png else "JPEG", quality=85)
        blobs.append(buf.getvalue())
    return pa.table(
        {
            "id": pa.array(np.arange(n, dtype=np.int64)),
            "image": pa.array(blobs, pa.binary()),
            "format": pa.array(["png" if p else "jpeg" for p in png], pa.string()),
            "width": pa.array(widths),
            "height": pa.array(heights),
            "label": pa.array(zipf_indices(rng, n, IMAGE_LABELS, a=0.5).astype(np.int32)),
        }
    )


def tokens(rng: np.random.Generator, n: int) -> pa.Table:
    """Token id sequences with log-normal lengths (median ~150, a tail to 4096)."""
    lengths = np.clip(rng.lognormal(5.0, 1.0, n), 1, MAX_TOKENS).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
    ids = zipf_indices(rng, int(offsets[-1]), VOCABULARY, a=1.1).astype(np.int32)
    return pa.table(
        {
            "id": pa.array(np.arange(n, dtype=np.int64)),
            "tokens": pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids)),
            "length": pa.array(lengths.astype(np.int32)),
        }
    )
