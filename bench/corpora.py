"""Corpora for the benchmark: a folder of PNGs (single-image mode) or a .npy of uint8 (N, H, W, 3)
images (dataset mode), with the shortcuts `kodak` and `cifar500`, `--limit` and the `--quick` subsets."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

SHORTCUTS = {
    "kodak": "../shared/corpora/kodak",
    "gray": "../shared/corpora/gray",
    "graphics": "../shared/corpora/graphics",
    "cifar500": "../shared/corpora/cifar10/test_images.npy",
}
# Shortcuts for single-image mode over the first images of a .npy: each image its own file for every
# codec (vdmz pays a lone image's initial bits), e.g. one 32×32 CIFAR image per file.
SINGLE_SHORTCUTS = {
    "cifar20": ("../shared/corpora/cifar10/test_images.npy", 20),
}
QUICK_FOLDER_IMAGES = 3     # --quick: the first 3 images of a folder ...
QUICK_CROP = 128            # ... as centre crops of 128×128
QUICK_DATASET_IMAGES = 50   # --quick: the first 50 images of a .npy
MOSAIC_COLUMNS = 25         # 500 CIFAR images → 25 × 20 tiles of 32×32 = 800×640, as ../shared/baselines.md


def images(n: int) -> str:
    return f"{n} image" if n == 1 else f"{n} images"


class CorpusError(Exception):
    """A corpus that does not exist or cannot be used; the message says why."""


@dataclass
class Item:
    """One image: its name, size and pixels (loaded on demand), and the clean PNG every codec reads."""
    name: str
    width: int
    height: int
    load: Callable[[], np.ndarray]
    png: Path | None = None

    @property
    def subpixels(self) -> int:
        return self.width * self.height * 3


@dataclass
class Corpus:
    name: str
    source: Path
    mode: str                      # "single" (a folder, one file per image) or "dataset" (a .npy)
    items: list[Item]
    notes: list[str] = field(default_factory=list)
    array: np.ndarray | None = None    # dataset mode: the (N, H, W, 3) images in use

    @property
    def subpixels(self) -> int:
        return sum(item.subpixels for item in self.items)

    def shown_source(self, repo: Path) -> str:
        """The source path as a reader of the results should see it: relative to the repository if close."""
        relative = os.path.relpath(self.source, repo)
        return relative if not relative.startswith("../..") else str(self.source)

    def describe(self, repo: Path) -> str:
        sizes = sorted({(item.width, item.height) for item in self.items})
        size_text = ", ".join(f"{w}×{h}" for w, h in sizes[:3]) + (" …" if len(sizes) > 3 else "")
        how = ("each image its own file for every codec" if self.mode == "single" else
               "vdmz codes all images into one dataset archive; the other codecs per file and as one mosaic")
        return f"{images(len(self.items))} ({size_text}) from `{self.shown_source(repo)}`; {how}"

    def write_pngs(self, folder: Path) -> None:
        """Writes every image as a clean 8-bit PNG (no ancillary chunks) for the codecs to read: gray
        (one channel) when R = G = B everywhere, so that every codec sees a gray image as gray, else RGB."""
        folder.mkdir(parents=True, exist_ok=True)
        digits = len(str(len(self.items) - 1))
        for i, item in enumerate(self.items):
            stem = Path(item.name).stem if self.mode == "single" else f"{i:0{digits}d}"
            item.png = folder / f"{stem}.png"
            pixels = item.load()
            if (pixels[..., 0] == pixels[..., 1]).all() and (pixels[..., 0] == pixels[..., 2]).all():
                pixels = np.ascontiguousarray(pixels[..., 0])
            Image.fromarray(pixels).save(item.png)


def resolve(spec: str, repo: Path) -> tuple[str, Path]:
    """`kodak`, `cifar500`, `PATH` or `NAME=PATH` → (name, absolute path); relative paths are taken
    from the repository root."""
    name, sep, path_text = spec.partition("=")
    if not sep:
        name, path_text = "", spec
    if path_text in SHORTCUTS:
        name, path_text = name or path_text, SHORTCUTS[path_text]
    path = Path(path_text).expanduser()
    if not path.is_absolute():
        path = repo / path
    path = path.resolve()
    return name or path.stem, path


def load(spec: str, repo: Path, limit: int | None = None, quick: bool = False) -> Corpus:
    if spec in SINGLE_SHORTCUTS:
        source, count = SINGLE_SHORTCUTS[spec]
        _, path = resolve(source, repo)
        if not path.exists():
            raise CorpusError(f"corpus {spec!r}: {path} does not exist")
        dataset = load_npy(spec, path, min(count, limit or count), quick=False)
        corpus = Corpus(spec, path, "single", dataset.items)
        corpus.notes.append(f"the first {images(len(dataset.items))} of `{source}`, each as its own file")
        return corpus
    name, path = resolve(spec, repo)
    if not path.exists():
        raise CorpusError(f"corpus {spec!r}: {path} does not exist")
    if path.is_dir():
        return load_folder(name, path, limit, quick)
    if path.suffix.lower() == ".npy":
        return load_npy(name, path, limit, quick)
    raise CorpusError(f"corpus {spec!r}: {path} is neither a folder of PNGs nor a .npy file")


def png_bit_depth(path: Path) -> int | None:
    """Bit depth from the PNG's IHDR (Pillow reduces 16-bit RGB to 8 bits without saying so)."""
    with open(path, "rb") as f:
        head = f.read(26)
    if len(head) < 26 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return head[24]


def load_folder(name: str, path: Path, limit: int | None, quick: bool) -> Corpus:
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".png")
    if not files:
        raise CorpusError(f"corpus {name!r}: no .png files in {path}")
    count = limit if limit is not None else (QUICK_FOLDER_IMAGES if quick else None)
    files = files[:count]
    corpus = Corpus(name, path, "single", [])
    converted: dict[str, int] = {}
    for file in files:
        if png_bit_depth(file) is None:
            raise CorpusError(f"corpus {name!r}: {file} is not a PNG file")
        if png_bit_depth(file) == 16:
            raise CorpusError(f"corpus {name!r}: {file} is a 16-bit PNG; the benchmark measures 8-bit RGB")
        with Image.open(file) as im:
            width, height, mode = im.width, im.height, im.mode
        if mode != "RGB":
            converted[mode] = converted.get(mode, 0) + 1
        if quick:
            side_w, side_h = min(width, QUICK_CROP), min(height, QUICK_CROP)
        else:
            side_w, side_h = width, height
        corpus.items.append(Item(file.name, side_w, side_h, folder_loader(file, side_w, side_h)))
    if converted:
        kinds = ", ".join(f"{n} {mode}" for mode, n in sorted(converted.items()))
        corpus.notes.append(f"converted to 8-bit RGB (alpha, if any, dropped): {kinds}")
    if quick:
        corpus.notes.append(f"--quick: first {images(len(files))}, centre crops of at most "
                            f"{QUICK_CROP}×{QUICK_CROP}")
    elif limit is not None:
        corpus.notes.append(f"--limit: first {images(len(files))} in name order")
    return corpus


def folder_loader(file: Path, width: int, height: int) -> Callable[[], np.ndarray]:
    def load_pixels() -> np.ndarray:
        with Image.open(file) as im:
            pixels = np.asarray(im.convert("RGB"))
        return centre_crop(pixels, width, height)
    return load_pixels


def centre_crop(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    top = (pixels.shape[0] - height) // 2
    left = (pixels.shape[1] - width) // 2
    return np.ascontiguousarray(pixels[top:top + height, left:left + width])


def load_npy(name: str, path: Path, limit: int | None, quick: bool) -> Corpus:
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise CorpusError(f"corpus {name!r}: cannot read {path}: {exc}") from exc
    if array.ndim == 3:
        array = array[None]
    if array.dtype != np.uint8 or array.ndim != 4 or array.shape[-1] != 3 or array.shape[0] == 0:
        raise CorpusError(f"corpus {name!r}: {path} holds {array.dtype} {array.shape}; "
                          "expected uint8 images shaped (N, H, W, 3)")
    count = limit if limit is not None else (QUICK_DATASET_IMAGES if quick else None)
    array = np.ascontiguousarray(array[:count])
    n, height, width, _ = array.shape
    items = [Item(f"{name}[{i}]", width, height, (lambda i=i: array[i])) for i in range(n)]
    corpus = Corpus(name, path, "dataset", items, array=array)
    if count is not None:
        corpus.notes.append(f"{'--quick' if quick and limit is None else '--limit'}: first {images(n)}")
    return corpus


def mosaic(images: np.ndarray, columns: int = MOSAIC_COLUMNS) -> tuple[np.ndarray, int]:
    """Tiles (N, H, W, 3) images in index order, row by row, `columns` per row (fewer if N is smaller);
    a last row that is not full is padded with black tiles. Returns the mosaic and the padding tiles."""
    n, height, width, channels = images.shape
    columns = min(columns, n)
    rows = math.ceil(n / columns)
    padding = rows * columns - n
    tiles = np.concatenate([images, np.zeros((padding, height, width, channels), images.dtype)])
    grid = tiles.reshape(rows, columns, height, width, channels).swapaxes(1, 2)
    return np.ascontiguousarray(grid.reshape(rows * height, columns * width, channels)), padding
