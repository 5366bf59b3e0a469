#!/usr/bin/env python3
"""auto with bits-back's size bound, image by image (docs/DESIGN.md "Whole-image choice").

For each PNG: `vdmz compress` (auto: the context and stored coders first, then bits-back unless its
step-sampled ELBO bound shows it larger) with its wall time and what it kept, and, with --check, the
files of `--coder context` and `--coder bits-back` too, so that the kept file can be compared with the
smallest of all three (what auto kept before the bound): `same` is 1 when auto's file is byte for byte
the smallest coder's file. Writes CSV to stdout.

    python3 bench/auto_bound.py [--check] [--threads 2] [--vdmz PATH] [--model CKPT] PNG...
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time


def compress(vdmz, args, source, target):
    start = time.monotonic()
    run = subprocess.run([vdmz, "compress", "--force", *args, source, "-o", target], capture_output=True, text=True)
    seconds = time.monotonic() - start
    if run.returncode != 0:
        sys.exit(f"{source}: vdmz failed: {run.stderr.strip()}")
    with open(target, "rb") as f:
        data = f.read()
    return data, seconds, run.stderr.strip()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--vdmz", default=os.path.join(here, "..", ".build", "release", "vdmz"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model")
    parser.add_argument("--check", action="store_true", help="also code with context and bits-back alone")
    parser.add_argument("images", nargs="+")
    a = parser.parse_args()
    common = ["--threads", str(a.threads)] + (["--model", a.model] if a.model else [])
    print("image,auto_bytes,auto_coder,bits_back_run,auto_seconds,context_bytes,bits_back_bytes,bits_back_seconds,same")
    with tempfile.TemporaryDirectory() as work:
        for image in a.images:
            name = os.path.basename(image)
            auto, seconds, line = compress(a.vdmz, common, image, os.path.join(work, "auto.vdmz"))
            coder = line.split("coder: ", 1)[1].split(" ", 1)[0] if "coder: " in line else "?"
            ran = 0 if "not run: its estimated size" in line else 1
            row = [name, len(auto), coder, ran, f"{seconds:.2f}"]
            if a.check:
                context, _, _ = compress(a.vdmz, ["--coder", "context"], image, os.path.join(work, "ctx.vdmz"))
                bits_back, bb_seconds, _ = compress(
                    a.vdmz, common + ["--coder", "bits-back"], image, os.path.join(work, "bb.vdmz"))
                smallest = min([bits_back, context], key=len)  # stored never wins on these photographs
                row += [len(context), len(bits_back), f"{bb_seconds:.2f}", int(auto == smallest)]
            else:
                row += ["", "", "", ""]
            print(",".join(map(str, row)), flush=True)


if __name__ == "__main__":
    main()
