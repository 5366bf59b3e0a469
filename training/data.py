"""Training data (random crops of photos-train and CIFAR train, horizontal flips) and the fixed test sets.

Never reads cifar10/test_images.npy or Kodak for training: those are the test sets (``test_*``).
Also: any folder of PNGs as training data (``load_image_folder``, the codec's model planes) and the packed
data of ``training.pack_data`` (``load_packed``), and a sampler that draws crops on the GPU.
"""
import json
import os
import struct
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


def roughness(crop: np.ndarray) -> int:
    """Σ |horizontal| + |vertical| neighbour differences of an HWC uint8 crop (texture and noise)."""
    a = crop.astype(np.int32)
    return int(np.abs(np.diff(a, axis=0)).sum() + np.abs(np.diff(a, axis=1)).sum())


class CropSampler:
    """Batches of uint8 NCHW crops: ``photo_frac`` of them random crops of photos (image chosen with
    probability ∝ its pixel count), the rest CIFAR train images (random crop if crop < 32); each
    flipped horizontally with probability ½. ``smooth_frac`` > 0 (study): each photo crop is, with that
    probability, the smoothest (least Σ|horizontal| + |vertical| neighbour difference) of ``SMOOTH_CANDIDATES``
    random crops; at 0 the random stream is exactly as before."""

    SMOOTH_CANDIDATES = 4

    def __init__(self, photos, cifar, crop=32, photo_frac=0.75, seed=0, smooth_frac=0.0):
        self.photos = [p for p in photos if p.shape[0] >= crop and p.shape[1] >= crop]
        self.cifar = cifar
        self.crop = crop
        self.photo_frac = photo_frac
        self.smooth_frac = smooth_frac
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
            if self.smooth_frac and self.rng.random() < self.smooth_frac:
                best = roughness(out[j])
                for _ in range(self.SMOOTH_CANDIDATES - 1):
                    r = self.rng.integers(0, im.shape[0] - c + 1)
                    q = self.rng.integers(0, im.shape[1] - c + 1)
                    cand = im[r:r + c, q:q + c]
                    score = roughness(cand)
                    if score < best:
                        best, out[j] = score, cand
        if n_photo == batch:  # no CIFAR part (--images); the draws below would be empty anyway
            ci = []
        else:
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


# ---------------------------------------------------------------------------------------------------------
# Any folder of PNGs: the 8-bit RGB image the codec models (Sources/Codec/ImageLayout.swift)

PNG_COLOR_TYPES = {0: "gray", 2: "RGB", 3: "palette", 4: "gray+alpha", 6: "RGBA"}


def png_kind(path) -> str:
    """'RGB 8', 'gray 16', … from the PNG header (bit depth and colour type)."""
    with open(path, "rb") as fh:
        head = fh.read(29)
    if len(head) < 29 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path}: not a PNG file")
    depth, ctype = head[24], head[25]
    return f"{PNG_COLOR_TYPES.get(ctype, f'type {ctype}')} {depth}"


def model_planes(path) -> tuple:
    """(HWC uint8 RGB array, kind) for a PNG: exactly the planes the codec's model codes.

    RGB 8 as is; RGBA: R, G, B (alpha travels as a zlib side plane, not through the model); 16-bit: the
    high bytes; gray (1/2/4/8/16-bit) and gray+alpha: R = G = B = the gray value scaled to 8 bits (high
    byte for 16-bit); palette: the palette colour of each index.
    """
    kind = png_kind(path)
    with Image.open(path) as im:
        mode = im.mode
        if mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit gray: the high byte
            g = (np.asarray(im).astype(np.uint32) >> 8).astype(np.uint8)
            a = np.repeat(g[..., None], 3, axis=2)
        elif mode in ("L", "1", "LA"):  # Pillow scales 1/2/4-bit gray to 0…255 exactly as the codec does
            g = np.asarray(im.convert("L"), dtype=np.uint8)
            a = np.repeat(g[..., None], 3, axis=2)
        elif mode in ("RGB", "RGBA"):  # Pillow keeps the high byte of 16-bit samples
            a = np.asarray(im, dtype=np.uint8)[..., :3]
        elif mode in ("P", "PA"):
            a = np.asarray(im.convert("RGB"), dtype=np.uint8)
        else:
            raise ValueError(f"{path}: unsupported PNG mode {mode} ({kind})")
    return np.array(a, dtype=np.uint8, order="C"), kind  # a writable copy


def load_image_folder(root, min_side=1, verbose=True) -> list:
    """Every *.png under ``root`` (recursive, sorted) as the codec's 8-bit RGB model planes.

    Images with a side below ``min_side`` (the training crop) are skipped. Prints one line per kind that
    needed a conversion, so that what the model is trained on is never a surprise."""
    root = Path(root)
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() == ".png" and p.is_file())
    if not files:
        raise FileNotFoundError(f"no PNG files under {root}")
    images, kinds, small = [], {}, []
    for p in files:
        a, kind = model_planes(p)
        if a.shape[0] < min_side or a.shape[1] < min_side:
            small.append(p.name)
            continue
        images.append(a)
        kinds[kind] = kinds.get(kind, 0) + 1
    if verbose:
        pixels = sum(a.shape[0] * a.shape[1] for a in images)
        print(f"images: {len(images)} PNGs under {root}, {pixels / 1e6:.2f} M pixels; kinds "
              + ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items())), flush=True)
        notes = {"gray": "gray → R = G = B (as the codec models it)",
                 "gray+alpha": "gray → R = G = B; alpha dropped (a side plane in the codec)",
                 "RGBA": "alpha dropped (a side plane in the codec)",
                 "palette": "palette indices → their colours"}
        for k, n in sorted(kinds.items()):
            ctype, depth = k.rsplit(" ", 1)
            msg = notes.get(ctype, "")
            if depth == "16":
                msg = (msg + "; " if msg else "") + "16-bit → high byte (the low bytes are a side plane)"
            if msg:
                print(f"images: note: {n} × {k}: {msg}", flush=True)
        if small:
            print(f"images: note: skipped {len(small)} smaller than {min_side}×{min_side}: "
                  + ", ".join(small[:5]) + (" …" if len(small) > 5 else ""), flush=True)
    if not images:
        raise ValueError(f"no PNG under {root} is at least {min_side}×{min_side}")
    return images


# ---------------------------------------------------------------------------------------------------------
# Packed data (python3 -m training.pack_data): what a GPU machine without ../shared trains on

def load_packed(root) -> dict:
    """The packed training and evaluation sets of ``training.pack_data``.

    Returns {"photos": list of HWC uint8 tiles, "cifar": (N, 32, 32, 3) uint8 (CIFAR-10 train),
    "eval_cifar": NCHW uint8 (the first images of cifar-500) or None, "eval_kodak": NCHW uint8 (the fixed
    64×64 Kodak crops of test_kodak_fixed_crops) or None, "manifest": dict}."""
    root = Path(root)
    man_path = root / "manifest.json"
    if not man_path.exists():
        raise FileNotFoundError(f"{man_path} missing: run `python3 -m training.pack_data --out {root}` first")
    man = json.loads(man_path.read_text())
    if man.get("format") != "vdmz-packed-1":
        raise ValueError(f"{man_path}: unknown format {man.get('format')}")
    t = man["tile"]
    photos = []
    for name in man["photo_files"]:
        if name.endswith(".png"):
            with Image.open(root / name) as im:
                sheet = np.asarray(im.convert("RGB"), dtype=np.uint8)
            photos += [sheet[i:i + t] for i in range(0, sheet.shape[0], t)]
        else:
            photos += list(np.load(root / name))
    if len(photos) != man["photo_tiles"]:
        raise ValueError(f"{root}: {len(photos)} photo tiles, manifest says {man['photo_tiles']}")
    out = {"photos": photos, "cifar": np.load(root / man["cifar_train"]), "manifest": man,
           "eval_cifar": None, "eval_kodak": None}
    for key in ("eval_cifar", "eval_kodak"):
        if man.get(key):
            out[key] = torch.from_numpy(np.load(root / man[key])).permute(0, 3, 1, 2).contiguous()
    return out


# ---------------------------------------------------------------------------------------------------------
# Crops drawn on the device

class TorchCropSampler:
    """The distribution of CropSampler (image ∝ its pixel count, uniform crop position, ``photo_frac``
    photo crops, the rest CIFAR, horizontal flips with probability ½), drawn with a torch generator on
    ``device`` from images kept on ``device``: on a GPU no host work, copy or synchronisation per batch.

    The images are stored back to back in one flat uint8 buffer; a crop is one gather with computed
    indices. The state is the generator's (restorable on the same kind of device).
    """

    def __init__(self, photos, cifar, crop=32, photo_frac=0.75, seed=0, device="cpu"):
        self.device = torch.device(device)
        self.crop = crop
        self.photo_frac = photo_frac
        keep = [p for p in photos if p.shape[0] >= crop and p.shape[1] >= crop]
        if not keep and photo_frac > 0:
            raise ValueError(f"no image is at least {crop}×{crop}")
        dev = self.device
        sizes = [p.shape[0] * p.shape[1] for p in keep]
        base = np.concatenate([[0], np.cumsum(sizes)[:-1]]) * 3 if keep else np.zeros(0)
        self.buf = torch.from_numpy(np.concatenate([p.reshape(-1) for p in keep])).to(dev) if keep else None
        self.h = torch.tensor([p.shape[0] for p in keep], dtype=torch.int64, device=dev)
        self.w = torch.tensor([p.shape[1] for p in keep], dtype=torch.int64, device=dev)
        self.base = torch.tensor(base, dtype=torch.int64, device=dev)
        w = torch.tensor(sizes, dtype=torch.float64)
        self.cdf = (torch.cumsum(w, 0) / w.sum()).to(dev) if keep else None
        self.cifar = torch.from_numpy(np.ascontiguousarray(cifar)).to(dev) if cifar is not None else None
        self.ar = torch.arange(crop, device=dev)
        self.ch = torch.arange(3, device=dev)
        self.gen = torch.Generator(device=dev)
        self.gen.manual_seed(seed)

    def state(self):
        return {"torch_generator": self.gen.get_state(), "device": self.device.type}

    def set_state(self, s):
        self.gen.set_state(s["torch_generator"])

    def _uniform_int(self, n, high):
        """Integers uniform in [0, high) (high a tensor [n]), without host synchronisation."""
        u = torch.rand(n, generator=self.gen, device=self.device, dtype=torch.float64)
        return torch.minimum((u * high).to(torch.int64), high - 1)

    def _gather(self, flat, base, width, r, q, flip):
        """Crops [n, c, c, 3] of images stored row-major (H, W, 3) at ``base`` in ``flat``."""
        c = self.crop
        cols = torch.where(flip[:, None], c - 1 - self.ar, self.ar)  # [n, c]
        rows = r[:, None] + self.ar  # [n, c]
        pix = (rows[:, :, None] * width[:, None, None] + (q[:, None] + cols)[:, None, :])  # [n, c, c]
        idx = base[:, None, None, None] + pix[..., None] * 3 + self.ch  # [n, c, c, 3]
        return flat[idx]

    def sample(self, batch: int) -> torch.Tensor:
        c, dev = self.crop, self.device
        n_photo = int(round(batch * self.photo_frac))
        flip = torch.rand(batch, generator=self.gen, device=dev) < 0.5
        parts = []
        if n_photo:
            u = torch.rand(n_photo, generator=self.gen, device=dev, dtype=torch.float64)
            k = torch.clamp(torch.searchsorted(self.cdf, u, right=True), max=len(self.h) - 1)
            h, w = self.h[k], self.w[k]
            r = self._uniform_int(n_photo, h - c + 1)
            q = self._uniform_int(n_photo, w - c + 1)
            parts.append(self._gather(self.buf, self.base[k], w, r, q, flip[:n_photo]))
        m = batch - n_photo
        if m:
            n_c = self.cifar.shape[0]
            k = self._uniform_int(m, torch.full((m,), n_c, device=dev))
            span = torch.full((m,), 32 - c + 1, device=dev)
            r, q = self._uniform_int(m, span), self._uniform_int(m, span)
            base = k * (32 * 32 * 3)
            parts.append(self._gather(self.cifar.reshape(-1), base, torch.full((m,), 32, device=dev), r, q,
                                      flip[n_photo:]))
        out = torch.cat(parts) if len(parts) > 1 else parts[0]
        return out.permute(0, 3, 1, 2).contiguous()
