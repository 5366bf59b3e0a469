#!/usr/bin/env python3
"""Writes a hostile bits-back .vdmz file (container 2, payload 2) for measuring what a small file can
make `vdmz decompress` spend (issue 15). The file is well-formed up to the pixel digest: every CRC holds,
the ANS message claims `--drawn` initial words (default 2^40, so the initial-bits bound never stops it)
over an empty stack, and the chain parameters, tile plan and tile list are as given.

    python3 fuzz/hostile.py OUT.vdmz --width 1024 --height 1024 --steps 1 --max-tile 1048576
    python3 fuzz/hostile.py OUT.vdmz --width 30 --height 30 --steps 64 --block 1 --tiles small
"""
import argparse, hashlib, os, struct, zlib

def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80); v >>= 7
    out.append(v)
    return bytes(out)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--height", type=int, default=64)
    p.add_argument("--steps", type=int, default=64)
    p.add_argument("--block", type=int, default=4)
    p.add_argument("--max-tile", type=int, default=1 << 18)
    p.add_argument("--tiles", choices=["one", "small"], default="one",
                   help="one: the image as one tile (if it fits); small: every target 0 (tiles of block² pixels)")
    p.add_argument("--drawn", type=int, default=1 << 40)
    p.add_argument("--words", type=int, default=0, help="random words on the message's stack (4 bytes each)")
    p.add_argument("--model", default=os.path.join(os.path.dirname(__file__), "..", "Sources/Model/Resources/default.safetensors"))
    a = p.parse_args()
    w, h = a.width, a.height
    params = bytes([2]) + struct.pack("<I", a.steps) + bytes([3, 1, 27, 24]) + struct.pack("<H", 16) \
        + struct.pack("<II", a.block, a.max_tile)
    if a.tiles == "one":
        tiles = varint(1)  # a run of one single-tile image
    else:
        # Count the tiles TileCursor cuts for targets of 0 (square bands), then list them.
        b, m = a.block, a.max_tile
        count, y = 0, 0
        while y < h:
            max_rows = max(1, m // w)
            rows = max(0 // w, int((b * b) ** 0.5))
            bh = min(h - y, max(min(b, max_rows), min(max_rows, rows)))
            if h - (y + bh) < b // 2: bh = h - y
            x = 0
            while x < w:
                max_cols = max(1, m // bh)
                tw = min(w - x, max_cols, max(b, (b * b) // bh))
                if w - (x + tw) < b // 2 and w - x <= max_cols: tw = w - x
                x += tw; count += 1
            y += bh
        tiles = varint(0) + varint(count) + varint(0) * count + varint(0)
    lanes, sub = 1, 3 * w * h
    while lanes < 16 and lanes * 16384 <= sub: lanes *= 2
    msg = bytes([1]) + varint(lanes) + varint(0) + varint(a.drawn) + varint(a.words)
    for lane in range(lanes): msg += struct.pack("<Q", (1 << 63) | (lane * 0x9E3779B97F4A7C15 & ((1 << 62) - 1)))
    msg += os.urandom(4 * a.words)
    msg += struct.pack("<I", zlib.crc32(msg))
    payload = params + tiles + msg
    name = b"hostile.png"
    raw = bytes([0]) + varint(len(name)) + name + varint(w) + varint(h) + bytes([2, 8, 0]) + varint(a.steps) + bytes([0])
    block = zlib.compress(raw, 9)
    model_hash = hashlib.sha256(open(a.model, "rb").read()).digest()
    body = b"\x89VDMZ\r\n\x1a" + struct.pack("<H", 2) + bytes([1, 0]) + model_hash
    body += varint(1) + varint(len(raw)) + varint(len(block)) + block + bytes(32) + varint(len(payload)) + payload
    body += struct.pack("<I", zlib.crc32(body))
    open(a.out, "wb").write(body)
    print(f"{a.out}: {len(body)} bytes, {w}x{h}, T={a.steps}, payload {len(payload)} bytes, lanes {lanes}")

main()
