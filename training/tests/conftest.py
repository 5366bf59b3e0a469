"""Shared fixtures of the training tests."""
import numpy as np
import pytest

from training.pack_data import pack


@pytest.fixture(scope="session")
def packed(tmp_path_factory):
    """A tiny packed folder made by pack_data.pack from random images (no corpora needed)."""
    rng = np.random.default_rng(0)
    photos = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in ((100, 90), (70, 140), (64, 64))]
    cifar = rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8)
    out = tmp_path_factory.mktemp("packed")
    man = pack(out, photos, cifar, eval_cifar=cifar[:2], eval_kodak=rng.integers(0, 256, (1, 64, 64, 3), dtype=np.uint8),
               budget_mib=1.0, tile=32, sheet=4)
    assert man["photo_tiles"] == man["photo_tiles_available"] == 3 * 2 + 2 * 4 + 2 * 2
    return out
