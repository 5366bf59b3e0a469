"""Training data (random crops of photos-train and CIFAR train, horizontal flips) and the fixed test sets.

Never reads cifar10/test_images.npy or Kodak for training: those are the test sets (``test_*``).
"""
import os
from pathlib import Path

import numpy as np
import torch
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("VDMZ_CORPORA", REPO.parent / "shared" / "corpora"))


def load_png(path) -> np.ndarray:
    with Image.open(path) as im:
        if im.mode != "RGB":
            raise ValueError(f"{path}: expected 8-bit RGB, got mode {im.mode}")
        return np.asarray(im, dtype=np.uint8).copy()


def load_photos(root=None) -> list:
    root = Path(root or CORPORA / "photos-train")
    files = sorted(root.rglob("*.png"))
    if not files:
        raise FileNotFoundError(f"no PNG files under {root}")
    return [load_png(p) for p in files]


def load_cifar_train(root=None) -> np.ndarray:
    return np.load(Path(root or CORPORA / "cifar10") / "train_images.npy")  # (3000, 32, 32, 3) HWC


class CropSampler:
    """Batches of uint8 NCHW crops: ``photo_frac`` of them random crops of photos (image chosen with
    probability ∝ its pixel count), the rest CIFAR train images (random crop if crop < 32); each
    flipped horizontally with probability ½."""

    def __init__(self, photos, cifar, crop=32, photo_frac=0.75, seed=0):
        self.photos = [p for p in photos if p.shape[0] >= crop and p.shape[1] >= crop]
        self.cifar = cifar
        self.crop = crop
        self.photo_frac = photo_frac
        sizes = np.array([p.shape[0] * p.shape[1] for p in self.photos], dtype=np.float64)
        self.p = sizes / sizes.sum()
        self.rng = np.random.default_rng(seed)

    def state(self):
        return self.rng.bit_generator.state

    def set_state(self, s):
        self.rng.bit_generator.state = s

    def sample(self, batch: int) -> torch.Tensor:
        c = self.crop
        n_photo = int(round(batch * self.photo_frac))
        out = np.empty((batch, c, c, 3), dtype=np.uint8)
        idx = self.rng.choice(len(self.photos), size=n_photo, p=self.p)
        for j, k in enumerate(idx):
            im = self.photos[k]
            r = self.rng.integers(0, im.shape[0] - c + 1)
            q = self.rng.integers(0, im.shape[1] - c + 1)
            out[j] = im[r:r + c, q:q + c]
        ci = self.rng.integers(0, len(self.cifar), size=batch - n_photo)
        for j, k in enumerate(ci):
            im = self.cifar[k]
            r = self.rng.integers(0, 32 - c + 1)
            q = self.rng.integers(0, 32 - c + 1)
            out[n_photo + j] = im[r:r + c, q:q + c]
        flip = self.rng.random(batch) < 0.5
        out[flip] = out[flip, :, ::-1]
        return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


def test_cifar(count=500, root=None) -> torch.Tensor:
    """cifar-500 (CIFAR-10 train images 3000–3499), first ``count``, uint8 NCHW."""
    a = np.load(Path(root or CORPORA / "cifar10") / "test_images.npy")[:count]
    return torch.from_numpy(a).permute(0, 3, 1, 2).contiguous()


def kodak_paths(root=None):
    root = Path(root or CORPORA / "kodak")
    files = sorted(root.glob("kodim*.png"))
    if len(files) != 24:
        raise FileNotFoundError(f"expected 24 Kodak images under {root}, found {len(files)}")
    return files


def test_kodak_center_crops(size=256, root=None) -> torch.Tensor:
    """The 24 Kodak images, centre crop size×size each, uint8 NCHW [24, 3, size, size]."""
    crops = []
    for p in kodak_paths(root):
        im = load_png(p)
        r = (im.shape[0] - size) // 2
        q = (im.shape[1] - size) // 2
        crops.append(im[r:r + size, q:q + size])
    return torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).contiguous()


def test_kodak_fixed_crops(count=16, size=64, seed=1234, root=None) -> torch.Tensor:
    """``count`` fixed (seeded) size×size crops spread over the 24 Kodak images (cheap in-training eval)."""
    rng = np.random.default_rng(seed)
    ims = [load_png(p) for p in kodak_paths(root)]
    crops = []
    for j in range(count):
        im = ims[j % 24]
        r = rng.integers(0, im.shape[0] - size + 1)
        q = rng.integers(0, im.shape[1] - size + 1)
        crops.append(im[r:r + size, q:q + size])
    return torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2).contiguous()
