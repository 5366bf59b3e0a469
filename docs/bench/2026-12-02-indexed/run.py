"""The indexed mode (context payload version 5) against the build before it, PNG, JPEG XL and WebP.

    python3 run.py OLD_VDMZ NEW_VDMZ IMAGE.png… > results.txt

For every image: the PNG's size; `vdmz compress --coder context` with the old and the new binary
(bytes, wall seconds at --threads 2); the new file decoded and compared with the PNG's pixels by
`vdmz decompress` (which checks the container's pixel digest) and a byte comparison of the decoded
samples (Pillow); `cjxl -q 100 -e 7` and `cwebp -lossless -z 9` sizes. Prints one line per image and
the totals.
"""
import os
import subprocess
import sys
import tempfile
import time

from PIL import Image


def timed(cmd):
    start = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - start


def main():
    old, new, images = sys.argv[1], sys.argv[2], sys.argv[3:]
    totals = [0] * 6
    print(f"{'image':<22} {'colours':>7} {'PNG':>8} {'old':>8} {'new':>8} {'new/old':>8} {'cjxl-e7':>8} {'cwebp-z9':>8} {'t old':>6} {'t new':>6}")
    with tempfile.TemporaryDirectory() as scratch:
        for path in images:
            name = os.path.basename(path)
            out_old, out_new = os.path.join(scratch, "o.vdmz"), os.path.join(scratch, "n.vdmz")
            t_old = timed([old, "compress", "-q", "--force", "--threads", "2", "--coder", "context", "-o", out_old, path])
            t_new = timed([new, "compress", "-q", "--force", "--threads", "2", "--coder", "context", "-o", out_new, path])
            back = os.path.join(scratch, "back.png")
            subprocess.run([new, "decompress", "-q", "--force", "-o", back, out_new], check=True)
            a, b = Image.open(path), Image.open(back)
            assert a.mode == b.mode and a.tobytes() == b.tobytes() and a.getpalette() == b.getpalette(), path
            jxl, webp = os.path.join(scratch, "x.jxl"), os.path.join(scratch, "x.webp")
            subprocess.run(["cjxl", "-q", "100", "-e", "7", path, jxl], check=True, capture_output=True)
            subprocess.run(["cwebp", "-quiet", "-lossless", "-z", "9", path, "-o", webp], check=True)
            sizes = [os.path.getsize(p) for p in (path, out_old, out_new, jxl, webp)]
            colours = len(a.convert("RGB").getcolors(1 << 24))
            for k, v in enumerate(sizes):
                totals[k] += v
            print(f"{name:<22} {colours:>7} {sizes[0]:>8} {sizes[1]:>8} {sizes[2]:>8} {sizes[2] / sizes[1]:>8.3f} "
                  f"{sizes[3]:>8} {sizes[4]:>8} {t_old:>6.2f} {t_new:>6.2f}", flush=True)
    print(f"{'total':<22} {'':>7} {totals[0]:>8} {totals[1]:>8} {totals[2]:>8} {totals[2] / totals[1]:>8.3f} "
          f"{totals[3]:>8} {totals[4]:>8}")


if __name__ == "__main__":
    main()
