"""Pack the training data (and the in-training evaluation sets) into one folder inside the repository, so
that a machine without ../shared (the GPU machine of training/gpu_run.sh) can train and log evaluations.

    python3 -m training.pack_data --out training/packed          # ≤ 48 MiB; /training/packed/ is ignored

Contents (manifest.json lists every file with its sha256):
- ``cifar_train.npy``: CIFAR-10 ``train_images.npy`` (3000 × 32 × 32 × 3 uint8, 9.2 MB), all of it.
- ``photos_NNN.png``: photos-train as 128 × 128 tiles (``--tile``), lossless PNG sheets of tiles stacked
  vertically (PNG holds about 1.8 times the pixels of raw uint8 in the same bytes). Tiles lie on a grid
  with a seeded random offset per image and are taken in seeded random order until the size budget is
  spent, so each photo contributes in proportion to its pixel count, as in CropSampler. With a budget
  that fits every tile, all of photos-train (less the partial tiles at the edges) is packed.
- ``eval_cifar500.npy``: cifar-500 (``test_cifar(500)``) and ``eval_kodak16x64.npy``: the 16 fixed 64 × 64
  Kodak crops (``test_kodak_fixed_crops(16)``), NHWC uint8. Evaluation only: train.py never trains on them
  (they are the same held-out images that eval.csv is computed on from ../shared).

Never packs cifar10/test_images.npy or Kodak as training data. The result is deterministic for a given
seed, corpora and Pillow version.
"""
import argparse
import hashlib
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from . import data

FORMAT = "vdmz-packed-1"
MIB = 1 << 20


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def png_bytes(a: np.ndarray) -> bytes:
    b = io.BytesIO()
    Image.fromarray(a).save(b, "PNG", compress_level=9)
    return b.getvalue()


def grid_tiles(photos, tile, rng):
    """(image, row, col) of every whole tile on a per-image grid with a random offset."""
    out = []
    for k, im in enumerate(photos):
        h, w = im.shape[:2]
        if h < tile or w < tile:
            continue
        r0 = int(rng.integers(0, h % tile + 1))
        q0 = int(rng.integers(0, w % tile + 1))
        out += [(k, r, q) for r in range(r0, h - tile + 1, tile) for q in range(q0, w - tile + 1, tile)]
    return out


def pack(out, photos, cifar, eval_cifar=None, eval_kodak=None, budget_mib=48.0, tile=128, sheet=64, fmt="png",
         seed=0, extra=None) -> dict:
    """Write the packed folder from arrays (photos: list of HWC uint8; cifar: NHWC uint8; eval_*: NHWC uint8
    or None); returns the manifest. Photo tiles fill what the budget leaves after the other files."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in list(out.glob("photos_*")) + list(out.glob("eval_*.npy")) + [out / "manifest.json"]:
        old.unlink(missing_ok=True)
    budget = int(budget_mib * MIB)
    files = {}

    def put_npy(name, a):
        np.save(out / name, np.ascontiguousarray(a))
        files[name] = (out / name).stat().st_size

    put_npy("cifar_train.npy", cifar)
    man = {"format": FORMAT, "seed": seed, "tile": tile, "budget_mib": budget_mib, "photo_format": fmt,
           "cifar_train": "cifar_train.npy", "cifar_train_images": len(cifar), "eval_cifar": None, "eval_kodak": None,
           "note": "training data: CIFAR-10 train_images.npy and photos-train tiles; eval_* files are the "
                   "held-out evaluation sets (cifar-500 = cifar10/test_images.npy, Kodak crops), never trained on",
           **(extra or {})}
    if eval_cifar is not None:
        man["eval_cifar"] = f"eval_cifar{len(eval_cifar)}.npy"
        put_npy(man["eval_cifar"], eval_cifar)
    if eval_kodak is not None:
        man["eval_kodak"] = f"eval_kodak{len(eval_kodak)}x{eval_kodak.shape[1]}.npy"
        put_npy(man["eval_kodak"], eval_kodak)
    left = budget - sum(files.values()) - 16384  # room for manifest.json
    if left <= 0:
        raise ValueError(f"budget {budget_mib} MiB is too small even for CIFAR and the evaluation sets")
    rng = np.random.default_rng(seed)
    tiles = grid_tiles(photos, tile, rng)
    order = rng.permutation(len(tiles))
    t = tile
    photo_files, n_tiles, pos, per_image = [], 0, 0, np.zeros(len(photos), dtype=np.int64)
    while pos < len(order) and left > 0:
        count = min(sheet, len(order) - pos)
        while True:  # shrink the last sheet until it fits the budget
            sel = [tiles[j] for j in order[pos:pos + count]]
            block = np.concatenate([photos[k][r:r + t, q:q + t] for k, r, q in sel])
            if fmt == "png":
                blob = png_bytes(block)
            else:
                b = io.BytesIO()
                np.save(b, block.reshape(-1, t, t, 3))
                blob = b.getvalue()
            if len(blob) <= left or count == 1:
                break
            count = max(1, count // 2)
        if len(blob) > left:
            break
        name = f"photos_{len(photo_files):03d}.{fmt}"
        (out / name).write_bytes(blob)
        files[name] = len(blob)
        photo_files.append(name)
        for k, _, _ in sel:
            per_image[k] += 1
        n_tiles += count
        pos += count
        left -= len(blob)
    total_pixels = sum(p.shape[0] * p.shape[1] for p in photos)
    man.update({"photo_files": photo_files, "photo_tiles": n_tiles, "photo_tiles_available": len(tiles),
                "photo_pixels": n_tiles * t * t,
                "photo_fraction_of_pixels": round(n_tiles * t * t / max(1, total_pixels), 4),
                "photo_images_used": int((per_image > 0).sum()), "photo_images": len(photos),
                "files": {name: {"bytes": size, "sha256": sha256(out / name)} for name, size in files.items()}})
    man["total_bytes"] = sum(files.values())
    (out / "manifest.json").write_text(json.dumps(man, indent=1))
    return man


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="training/packed")
    ap.add_argument("--budget-mib", type=float, default=48.0, help="total size of the folder (MiB)")
    ap.add_argument("--tile", type=int, default=128, help="photo tile side (≥ the training crop)")
    ap.add_argument("--sheet", type=int, default=64, help="tiles per PNG sheet")
    ap.add_argument("--format", choices=["png", "npy"], default="png", help="photo tiles as PNG sheets or raw .npy")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-cifar", type=int, default=500, help="cifar-500 images packed for evaluation (0: none)")
    ap.add_argument("--eval-kodak-crops", type=int, default=16, help="fixed 64×64 Kodak crops for evaluation")
    args = ap.parse_args(argv)
    photos = data.load_photos()
    sums = data.CORPORA / "photos-train" / "SHA256SUMS"
    nhwc = lambda t: t.permute(0, 2, 3, 1).numpy()
    man = pack(args.out, photos, data.load_cifar_train(),
               nhwc(data.test_cifar(args.eval_cifar)) if args.eval_cifar else None,
               nhwc(data.test_kodak_fixed_crops(args.eval_kodak_crops)) if args.eval_kodak_crops else None,
               args.budget_mib, args.tile, args.sheet, args.format, args.seed,
               extra={"corpora": str(data.CORPORA),
                      "photos_train_sha256sums": sha256(sums) if sums.exists() else None})
    out = Path(args.out)
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"packed {out}: {man['photo_tiles']}/{man['photo_tiles_available']} photo tiles of {args.tile}² "
          f"({man['photo_fraction_of_pixels']:.1%} of photos-train pixels, {man['photo_images_used']}/"
          f"{man['photo_images']} images), {man['cifar_train_images']} CIFAR train, eval {man['eval_cifar']} "
          f"{man['eval_kodak']}; {total / MIB:.2f} MiB (budget {args.budget_mib} MiB)")


if __name__ == "__main__":
    main()
