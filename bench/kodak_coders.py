"""Which coder did `auto` keep for each Kodak image of a bench run, and what does each coder alone give?

    python3 bench/kodak_coders.py bench/results/latest --out RUN_NOTES/kodak_coders.csv [--steps 64] [--threads 2]

For each Kodak image of the run's per_image.csv (codec vdmz-T<steps>) this codes the same clean PNG the
bench coded (Pillow, RGB, no metadata: written here again the same way) with `vdmz compress --coder
bits-back --steps T` and with `--coder context`, and checks that the run's file size equals the smaller
of the two (auto tries bits-back, context, stored in that order, the first wins a tie): that identifies
the coder of each of the run's files by its size. Writes kodak_coders.csv into the run's folder or to --out (image,
bench bytes, bits-back bytes, context bytes, the kept coder, cjxl -e 9 bytes from the same run) and
prints the totals in bits per sub-pixel. Encodes only (the run itself decoded and compared every file).
"""
import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--steps", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--kodak", default=str(REPO.parent / "shared/corpora/kodak"))
    ap.add_argument("--vdmz", default=str(REPO / ".build/release/vdmz"))
    ap.add_argument("--out", help="the CSV to write (default: kodak_coders.csv in the run's folder)")
    a = ap.parse_args()
    a.out = a.out or str(Path(a.run) / "kodak_coders.csv")
    rows = list(csv.DictReader(open(Path(a.run) / "per_image.csv")))
    bench = {r["image"]: int(r["bytes"]) for r in rows if r["corpus"] == "kodak" and r["codec"] == f"vdmz-T{a.steps}"}
    jxl = {r["image"]: int(r["bytes"]) for r in rows if r["corpus"] == "kodak" and r["codec"] == "jxl-e9"}
    out, subpixels = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(bench):
            rgb = np.asarray(Image.open(Path(a.kodak) / name).convert("RGB"))
            src = Path(tmp) / name
            Image.fromarray(rgb).save(src)
            sizes = {}
            for coder, extra in (("bits-back", ["--steps", str(a.steps)]), ("context", [])):
                dst = Path(tmp) / f"{coder}.vdmz"
                subprocess.run([a.vdmz, "compress", "-q", "--force", "--allow-expansion", "--threads", str(a.threads),
                                "--coder", coder, *extra, str(src), "-o", str(dst)], check=True)
                sizes[coder] = dst.stat().st_size
            kept = min(sizes, key=lambda c: (sizes[c], c != "bits-back"))
            if sizes[kept] != bench[name]:
                sys.exit(f"{name}: the run's file has {bench[name]} bytes, bits-back {sizes['bits-back']}, "
                         f"context {sizes['context']}: not identified")
            subpixels += rgb.size
            out.append({"image": name, "bench_bytes": bench[name], "bits_back_bytes": sizes["bits-back"],
                        "context_bytes": sizes["context"], "kept": kept, "jxl_e9_bytes": jxl.get(name)})
            print(f"{name}: bits-back {8 * sizes['bits-back'] / rgb.size:.3f}  context {8 * sizes['context'] / rgb.size:.3f}"
                  f"  kept {kept}  cjxl -e 9 {8 * jxl[name] / rgb.size:.3f}", flush=True)
    with open(a.out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]))
        w.writeheader()
        w.writerows(out)
    for key in ("bench_bytes", "bits_back_bytes", "context_bytes", "jxl_e9_bytes"):
        print(f"{key}: {8 * sum(r[key] for r in out) / subpixels:.4f} bits/sub-pixel")
    print("kept:", {c: sum(r["kept"] == c for r in out) for c in ("bits-back", "context")})


if __name__ == "__main__":
    main()
