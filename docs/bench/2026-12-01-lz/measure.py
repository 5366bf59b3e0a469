#!/usr/bin/env python3
"""Compress every PNG of the given folders with `vdmz compress --coder context`, decode it, compare the
pixels, and print a CSV row per image: bytes, exactness, encode/decode user CPU seconds, the payload
version and the stripes' mode bytes, and the container's fixed bytes (file bytes − 4 × the ANS
message's word count N). With --zopflipng, also `zopflipng -y` of the same PNG (cached in OUT) and the
issue-13 limit zopflipng + fixed bytes. With --baseline VDMZ_B, each image is also compressed by VDMZ_B
just before (interleaved A/B on the same load): its bytes and encode user CPU seconds.

usage: measure.py VDMZ OUT [--zopflipng] [--baseline VDMZ_B] DIR...
"""
import glob, os, resource, subprocess, sys, zlib
import numpy as np
from PIL import Image


def varint(b, o):
    v = s = 0
    while True:
        v |= (b[o] & 127) << s
        o += 1
        if b[o - 1] < 128:
            return v, o
        s += 7


def message_layout(data, stripes):
    """(N, payload version, mode bytes) of a single-image context file: the message is the end of the
    payload, just before the file's CRC; found where its own CRC-32 checks."""
    end = len(data) - 4
    for o in range(end - 17, 0, -1):
        if data[o] != 1 or data[o + 1] != 1:  # message version 1, one lane
            continue
        try:
            _, p = varint(data, o + 2)  # seed
            _, p = varint(data, p)  # initial words drawn
            n, p = varint(data, p)
        except IndexError:
            continue
        if p + 8 + 4 * n + 4 != end:
            continue
        if zlib.crc32(data[o:end - 4]) != int.from_bytes(data[end - 4:end], "little"):
            continue
        start = o - stripes
        return n, data[start - 1], data[start:o]
    raise ValueError("no context message found")


def user_time(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    subprocess.run(cmd, check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before


def main():
    vdmz, out = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    zopfli = "--zopflipng" in args
    baseline = args[args.index("--baseline") + 1] if "--baseline" in args else None
    dirs = [d for d in args if d not in ("--zopflipng", "--baseline", baseline)]
    os.makedirs(out, exist_ok=True)
    print("image,bytes,exact,encode_user_s,decode_user_s,payload_version,modes,fixed_bytes"
          + (",zopflipng,limit,over_limit" if zopfli else "") + (",baseline_bytes,baseline_encode_user_s" if baseline else ""))
    for d in dirs:
        for f in sorted(glob.glob(os.path.join(d, "*.png"))):
            name = os.path.basename(f)
            v = os.path.join(out, name + ".vdmz")
            back = os.path.join(out, name)
            for p in (v, back):
                if os.path.exists(p):
                    os.remove(p)
            if baseline:
                vb = v + ".baseline"
                if os.path.exists(vb):
                    os.remove(vb)
                base_enc = user_time([baseline, "compress", "-q", "--coder", "context", f, "-o", vb])
                base_bytes = os.path.getsize(vb)
            enc = user_time([vdmz, "compress", "-q", "--coder", "context", f, "-o", v])
            dec = user_time([vdmz, "decompress", "-q", v, "-o", back])
            a = np.array(Image.open(f).convert("RGB"))
            b = np.array(Image.open(back).convert("RGB"))
            exact = a.shape == b.shape and bool((a == b).all())
            data = open(v, "rb").read()
            h, w = a.shape[:2]
            rows = max(1, (1 << 20) // w)
            n, version, modes = message_layout(data, (h + rows - 1) // rows)
            fixed = len(data) - 4 * n
            row = f"{name},{len(data)},{exact},{enc:.2f},{dec:.2f},{version},{' '.join(str(m) for m in modes)},{fixed}"
            if zopfli:
                z = os.path.join(out, name + ".zopfli.png")
                if not os.path.exists(z):
                    subprocess.run(["zopflipng", "-y", f, z], check=True, stdout=subprocess.DEVNULL)
                zs = os.path.getsize(z)
                row += f",{zs},{zs + fixed},{len(data) - zs - fixed}"
            if baseline:
                row += f",{base_bytes},{base_enc:.2f}"
            print(row, flush=True)


if __name__ == "__main__":
    main()
