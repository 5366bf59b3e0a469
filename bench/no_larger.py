#!/usr/bin/env python3
"""Issue 13's goal, checked image by image: "for every image of every kind, the .vdmz is no larger than
zopflipng's PNG of it plus the container's fixed bytes".

For each PNG of each corpus folder: `vdmz compress --verify IN -o OUT.vdmz` exactly as a user runs it (the
default coder, `auto`, unless --coder is given), `vdmz decompress` back to a PNG whose samples are compared
with the input's (all channels, 16-bit samples and alpha included; palette images by index and palette),
and `zopflipng -y IN Z.png` (cached under OUT). Prints a CSV row per image and, on standard error, a
one-line verdict per corpus.

**Fixed bytes**, as in docs/bench/2026-12-01-lz/measure.py: file bytes − 4 × N, N the ANS message's word
count (the message is found at the end of the payload by its own CRC-32); for a stored-coder file (no
message) file bytes − payload bytes. They include the side planes (alpha, 16-bit low bytes, palette),
which are content rather than overhead, so the CSV also gives `side_plane_bytes` and the stricter
`strict_over` = bytes − (zopflipng + fixed − side planes).

usage: no_larger.py VDMZ OUT [--coder C] [--npy FILE:COUNT] [NAME=]DIR...
  --npy FILE:COUNT  write the first COUNT images of a uint8 (n, h, w, 3) array as PNGs under OUT/npy and
                    check them as the corpus "npy"
"""
import glob
import os
import resource
import struct
import subprocess
import sys
import time
import zlib

import numpy as np
from PIL import Image

# The LEB128 varint reader of the copy-layer bench, which this check extends to every coder and lane count.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "bench", "2026-12-01-lz"))
from measure import varint  # noqa: E402

CODERS = {0: "stored", 1: "bits-back", 2: "context", 3: "hybrid"}


def parse_container(data):
    """(coder tag, side-plane stored bytes, payload offset, payload length) of a format-2 single file."""
    assert data[:8] == b"\x89VDMZ\r\n\x1a" and struct.unpack("<H", data[8:10])[0] == 2, "not a format-2 vdmz file"
    n, o = varint(data, 44)
    raw, o = varint(data, o)
    stored, o = varint(data, o)
    records = zlib.decompress(data[o:o + stored])
    o += stored
    r = 0
    for _ in range(n):  # names
        tag, r = records[r], r + 1
        if tag == 0:
            length, r = varint(records, r)
            r += length
    for _ in range(2 * n):  # sizes
        _, r = varint(records, r)
    r += 3 * n  # kinds
    for _ in range(n):  # steps
        _, r = varint(records, r)
    side = 0
    for _ in range(n):
        count, r = records[r], r + 1
        for _ in range(count):
            r += 1
            _, r = varint(records, r)
            s, r = varint(records, r)
            side += s
    o += side + 32  # side-plane streams, pixel digest
    length, o = varint(data, o)
    return data[10], side, o, length


def message_words(payload):
    """N of the ANS message that ends `payload` (§2.3: version 1, L lanes, seed, initial words, N, heads,
    words, CRC-32), found where its own CRC-32 checks."""
    end = len(payload)
    for o in range(end - 17, -1, -1):
        if payload[o] != 1:
            continue
        try:
            lanes, p = varint(payload, o + 1)
            _, p = varint(payload, p)
            _, p = varint(payload, p)
            n, p = varint(payload, p)
        except IndexError:
            continue
        if p + 8 * lanes + 4 * n + 4 != end:
            continue
        if zlib.crc32(payload[o:end - 4]) == int.from_bytes(payload[end - 4:end], "little"):
            return n
    raise ValueError("no ANS message found")


def png_samples(path):
    """(kind, samples, palette) of a PNG: numpy samples exactly as stored (16-bit kept)."""
    with open(path, "rb") as f:
        head = f.read(33)
    depth, colour, interlace = head[24], head[25], head[28]
    kind = f"{['gray', '?', 'RGB', 'palette', 'gray+alpha', '?', 'RGBA'][colour]} {depth}"
    if depth == 16 and not interlace:
        return kind, read_png16(path), None
    im = Image.open(path)
    if depth == 16:  # interlaced 16-bit: Pillow keeps gray 16 but not RGB 16; compare what it gives
        kind += " interlaced (Pillow)"
    palette = im.getpalette() if im.mode == "P" else None
    return kind, np.array(im), palette


def read_png16(path):
    """Samples of a non-interlaced 16-bit PNG as uint16 (Pillow reduces RGB 16 to 8 bits)."""
    data = open(path, "rb").read()
    o, idat = 8, b""
    while o < len(data):
        length, name = struct.unpack(">I4s", data[o:o + 8])
        if name == b"IHDR":
            w, h, _, colour = struct.unpack(">IIBB", data[o + 8:o + 18])
        elif name == b"IDAT":
            idat += data[o + 8:o + 8 + length]
        o += 12 + length
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    bpp, stride = 2 * channels, 2 * channels * w
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, stride + 1)
    out = np.zeros((h, stride), np.int32)
    prev = np.zeros(stride, np.int32)
    for y in range(h):
        f, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        cur = np.zeros(stride, np.int32)
        if f in (0, 2):
            cur = (line + (prev if f == 2 else 0)) & 255
        else:
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                if f == 1:
                    pred = a
                elif f == 3:
                    pred = (a + b) >> 1
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (line[x] + pred) & 255
        out[y], prev = cur, cur
    return (out[:, 0::2] * 256 + out[:, 1::2]).astype(np.uint16).reshape(h, w, channels)


def run(cmd):
    """(user CPU seconds, wall seconds) of a command that must succeed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before, time.perf_counter() - start


def write_npy(spec, out):
    path, count = spec.rsplit(":", 1)
    images = np.load(path, mmap_mode="r")[: int(count)]
    folder = os.path.join(out, "npy")
    os.makedirs(folder, exist_ok=True)
    for i, a in enumerate(images):
        Image.fromarray(np.ascontiguousarray(a)).save(os.path.join(folder, f"img_{i:04d}.png"))
    return "npy=" + folder


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    vdmz, out = os.path.abspath(args[0]), args[1]
    args = args[2:]
    coder = []
    if "--coder" in args:
        i = args.index("--coder")
        coder = ["--coder", args[i + 1]]
        del args[i:i + 2]
    os.makedirs(out, exist_ok=True)
    if "--npy" in args:
        i = args.index("--npy")
        args[i:i + 2] = [write_npy(args[i + 1], out)]
    print("corpus,image,kind,width,height,png_bytes,coder,bytes,words,fixed_bytes,side_plane_bytes,zopflipng,"
          "limit,over,strict_over,exact,encode_user_s,encode_wall_s,zopflipng_wall_s", flush=True)
    for spec in args:
        name, folder = spec.split("=", 1) if "=" in spec else (os.path.basename(spec.rstrip("/")), spec)
        work = os.path.join(out, name)
        os.makedirs(work, exist_ok=True)
        rows, over, exact_all = 0, [], True
        total = {"bytes": 0, "limit": 0, "zopflipng": 0}
        for f in sorted(glob.glob(os.path.join(folder, "*.png"))):
            base = os.path.basename(f)
            v, back, z = (os.path.join(work, base + s) for s in (".vdmz", ".back.png", ".zopfli.png"))
            for p in (v, back):
                if os.path.exists(p):
                    os.remove(p)
            enc_user, enc_wall = run([vdmz, "compress", "-q", "--verify", *coder, f, "-o", v])
            run([vdmz, "decompress", "-q", v, "-o", back])
            kind, a, pa = png_samples(f)
            _, b, pb = png_samples(back)
            exact = a.shape == b.shape and bool((a == b).all()) and pa == pb
            z_wall = 0.0
            if not os.path.exists(z):
                _, z_wall = run(["zopflipng", "-y", f, z])
            data = open(v, "rb").read()
            tag, side, start, length = parse_container(data)
            payload = data[start:start + length]
            words = message_words(payload) if tag != 0 else 0
            fixed = len(data) - (4 * words if tag != 0 else length)
            zs = os.path.getsize(z)
            limit = zs + fixed
            w, h = Image.open(f).size
            print(f"{name},{base},{kind},{w},{h},{os.path.getsize(f)},{CODERS[tag]},{len(data)},{words},{fixed},{side},"
                  f"{zs},{limit},{len(data) - limit},{len(data) - limit + side},{exact},{enc_user:.2f},{enc_wall:.2f},"
                  f"{z_wall:.2f}", flush=True)
            rows += 1
            exact_all &= exact
            total["bytes"] += len(data)
            total["limit"] += limit
            total["zopflipng"] += zs
            if len(data) > limit:
                over.append(f"{base} +{len(data) - limit}")
        verdict = "MET" if not over and exact_all and rows else "NOT MET"
        print(f"{name}: {verdict}: {rows} images, {'all exact' if exact_all else 'NOT ALL EXACT'}, "
              f"{len(over)} over zopflipng + fixed bytes{(' (' + ', '.join(over) + ')') if over else ''}; "
              f"vdmz {total['bytes']:,} bytes, zopflipng {total['zopflipng']:,}, limit {total['limit']:,}",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
