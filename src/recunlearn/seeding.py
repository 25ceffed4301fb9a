"""Every random stream is derived from one ``seed`` and a tuple of string keys.

``derive_seed(seed, "split")`` and ``derive_seed(seed, "train", "mf")`` are stable
across runs and independent of each other, so adding a new consumer of randomness
never shifts the streams of the existing ones.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch


def derive_seed(seed: int, *keys: str | int) -> int:
    """A 63-bit seed from ``seed`` and ``keys`` (SHA-256 of their text)."""
    text = "/".join([str(int(seed)), *(str(k) for k in keys)])
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "little") & ((1 << 63) - 1)


def numpy_rng(seed: int, *keys: str | int) -> np.random.Generator:
    """A NumPy generator for the stream named by ``keys``."""
    return np.random.default_rng(derive_seed(seed, *keys))


def torch_generator(seed: int, *keys: str | int, device: str = "cpu") -> torch.Generator:
    """A torch generator on ``device`` for the stream named by ``keys``."""
    import torch  # imported here: the data steps draw from NumPy only

    generator = torch.Generator(device=device)
    generator.manual_seed(derive_seed(seed, *keys))
    return generator
