"""Regenerates the golden files of Tests/Golden and the fuzzing seeds of fuzz/seeds (run from the
repository root, after a release build):

    swift build -c release && python3 Tests/Golden/make_golden.py [path/to/vdmz]

- model.safetensors: the tiny random test checkpoint Tests/ModelTests/Fixtures/tiny_lv.safetensors
  (C=8, B=2, learned variance) with its output layer scaled by 1e-3, so that it predicts ε ≈ 0, v ≈ 0
  like an untrained but sane model (the raw random weights code everything through escapes). It is
  committed on its own so that retraining the default model never touches the golden files.
- PNG images the script draws itself (deterministic arithmetic patterns, no corpus data), written by a
  minimal PNG writer here so that every colour type and bit depth is covered.
- .vdmz files made from them by `vdmz compress --model Tests/Golden/model.safetensors --steps 6`, in the
  format version the build writes: rgb8-23x17.png.vdmz, set.vdmz, set-stored.vdmz; and the sharded
  archives (container format 4) set-sharded.vdmz, set-sharded-stored.vdmz (`--shard-images 2`).
- fuzz/seeds/{stored-1x1,vdm-1x1-T2,vdm-set-T3}.vdmz: small files (a 1×1 RGB and a 2×3 gray image,
  drawn here and not kept) for the fuzzer and the byte-flip tests.

- model-netdec.safetensors: the same made from Tests/ModelTests/Fixtures/tiny_nd.safetensors (the network
  decoder p(x | z_0), "decoder": "network", with learned variance). rgb8-23x17-netdec.vdmz, coded with it,
  is written by `VDMZ_WRITE_GOLDEN=1 swift test --filter NetworkDecoderGoldenFileTests`
  (Tests/CodecTests/NetworkDecoderGoldenFileTests.swift), the same bytes `vdmz compress --coder bits-back
  --model Tests/Golden/model-netdec.safetensors --steps 6` writes.
- hybrid.vdmz (coder tag 3) is not made here: with the tiny test model the hybrid coder measures the
  context coder better everywhere, so the file is written with a fixed pattern of choices by
  `VDMZ_WRITE_GOLDEN=1 swift test --filter HybridGoldenFileTests` (Tests/CodecTests/HybridGoldenFileTests.swift).

The golden files are a promise: every future build must decode them bit-exactly, and encoding the PNGs
again must give the same bytes (Tests/CodecTests/GoldenFileTests.swift). Regenerate them only together
with a deliberate change of the format or the coder.

Files of older format versions (*-v1.vdmz and the format-3 set-sharded*-v3.vdmz here and in fuzz/seeds) are never regenerated: no build writes
them any more, and they must keep decoding forever. They were made from this model and these PNGs, so
the script refuses to change model.safetensors or a PNG that exists with other bytes.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEEDS = os.path.join(ROOT, "fuzz/seeds")
STEPS = 6


def keep_or_write(path, data):
    """Writes `data` to `path`, which may already hold exactly these bytes but nothing else: the
    version-1 golden files were made from the committed model and PNGs."""
    if os.path.exists(path):
        with open(path, "rb") as f:
            if f.read() != data:
                sys.exit(f"{path} would change, but older golden files were made from it: keep the committed file")
        return
    with open(path, "wb") as f:
        f.write(data)


def write_model(fixture="tiny_lv", name="model.safetensors"):
    source = os.path.join(ROOT, f"Tests/ModelTests/Fixtures/{fixture}.safetensors")
    with safe_open(source, "np") as f:
        metadata = f.metadata()
        tensors = {k: f.get_tensor(k) for k in f.keys()}
    for k in tensors:
        if k.startswith("conv_out."):
            tensors[k] = (tensors[k] * np.float32(1e-3)).astype(np.float32)
    meta = json.loads(metadata["vdmz"])
    meta["training"] = {"note": f"{fixture} test fixture with conv_out scaled by 1e-3; golden files only"}
    meta["coding_steps"] = STEPS
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, name)
        save_file(tensors, path, metadata={"vdmz": json.dumps(meta)})
        with open(path, "rb") as f:
            keep_or_write(os.path.join(HERE, name), f.read())


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(path, rows, width, height, color_type, bit_depth, extra=b"", write=keep_or_write):
    """rows: list of raw scanline bytes (without filter byte)."""
    raw = b"".join(b"\x00" + r for r in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + extra + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    write(path, data)


def overwrite(path, data):
    with open(path, "wb") as f:
        f.write(data)


def pattern(width, height, channels, maximum, salt):
    """A smooth pattern plus a little hashed noise, like a photo's texture."""
    y, x = np.mgrid[0:height, 0:width]
    out = np.zeros((height, width, channels), dtype=np.int64)
    for c in range(channels):
        smooth = (x * (3 + c) + y * (5 + 2 * c) + salt * 17) * maximum // max(1, 4 * (width + height))
        noise = ((x * 73856093) ^ (y * 19349663) ^ ((c + salt) * 83492791)) % 7 - 3
        out[..., c] = np.clip(smooth % (maximum + 1) + noise, 0, maximum)
    return out


def rows_of(values, bit_depth):
    height = values.shape[0]
    if bit_depth == 16:
        return [values[y].astype(">u2").tobytes() for y in range(height)]
    return [values[y].astype(np.uint8).tobytes() for y in range(height)]


def write_images():
    images = {}
    # Single image: 8-bit RGB, 23×17 (odd sizes, more than one 16-pixel block each way).
    rgb = pattern(23, 17, 3, 255, 1)
    write_png(os.path.join(HERE, "rgb8-23x17.png"), rows_of(rgb, 8), 23, 17, 2, 8)
    images["single"] = ["rgb8-23x17.png"]
    # Dataset: 16-bit RGBA 7×5, 8-bit gray 1×1, palette 9×4 with transparency, 16-bit gray+alpha 3×8.
    rgba = pattern(7, 5, 4, 65535, 2)
    write_png(os.path.join(HERE, "rgba16-7x5.png"), rows_of(rgba, 16), 7, 5, 6, 16)
    write_png(os.path.join(HERE, "gray8-1x1.png"), [bytes([201])], 1, 1, 0, 8)
    palette = bytes(v for i in range(6) for v in (40 * i, 255 - 30 * i, (97 * i) % 256))
    indices = pattern(9, 4, 1, 5, 3)[..., 0]
    write_png(os.path.join(HERE, "palette-9x4.png"), rows_of(indices, 8), 9, 4, 3, 8,
              extra=chunk(b"PLTE", palette) + chunk(b"tRNS", bytes([255, 128, 0])))
    ga = pattern(3, 8, 2, 65535, 4)
    write_png(os.path.join(HERE, "graya16-3x8.png"), rows_of(ga, 16), 3, 8, 4, 16)
    images["set"] = ["rgba16-7x5.png", "gray8-1x1.png", "palette-9x4.png", "graya16-3x8.png"]
    return images


def write_context_images():
    """Three more PNGs for the context coder's golden file (context.vdmz): flat blocks of 60 colours (its
    neighbour matching), an 8-bit gray ramp with noise (its one-plane gray mode) and a curved colour field
    with noise (payload version 2's weighted model); the encoder also takes the copy layer (payload version 3)
    where it is smaller, and the indexed mode (payload version 5) for the 60 flat colours of the blocks.
    context-v1.vdmz (payload version 1) holds the first five images of the list, without the curved field;
    context-v2.vdmz (payload version 2, before the copy layer) and context-v3.vdmz (payload version 3, before
    the indexed mode) all six."""
    blocks = np.zeros((20, 48, 3), dtype=np.int64)
    for y in range(20):
        for x in range(48):
            k = (x // 4) * 5 + y // 4
            blocks[y, x] = (k * 4, 255 - k * 3, (k * 37) % 256)
    write_png(os.path.join(HERE, "blocks-48x20.png"), rows_of(blocks, 8), 48, 20, 2, 8)
    ramp = pattern(30, 20, 1, 255, 5)[..., 0]
    write_png(os.path.join(HERE, "gray8-30x20.png"), rows_of(ramp, 8), 30, 20, 0, 8)
    y, x = np.mgrid[0:32, 0:40]
    field = np.zeros((32, 40, 3), dtype=np.int64)
    for c in range(3):
        noise = ((x * 73856093) ^ (y * 19349663) ^ (c * 83492791)) % 9 - 4
        field[..., c] = np.clip(40 + 50 * c + (x * x + (2 + c) * x * y) // (30 + 10 * c) + noise, 0, 255)
    write_png(os.path.join(HERE, "field-40x32.png"), rows_of(field, 8), 40, 32, 2, 8)
    return ["rgb8-23x17.png", "blocks-48x20.png", "gray8-30x20.png", "palette-9x4.png", "rgba16-7x5.png",
            "field-40x32.png"]


def write_alpha_image():
    """alpha-48x32.png: an RGBA image whose alpha is a soft round mask (the case for the context-coded
    alpha plane, side plane kind 9) over the colour pattern; alpha-context.vdmz codes it with the context
    coder."""
    y, x = np.mgrid[0:32, 0:48]
    rgba = np.zeros((32, 48, 4), dtype=np.int64)
    rgba[..., :3] = pattern(48, 32, 3, 255, 9)
    distance = np.sqrt((x - 23.5) ** 2 + ((y - 15.5) * 1.5) ** 2)
    rgba[..., 3] = np.clip(np.round((20 - distance) * 40), 0, 255)
    write_png(os.path.join(HERE, "alpha-48x32.png"), rows_of(rgba, 8), 48, 32, 6, 8)
    return ["alpha-48x32.png"]


def compress(vdmz, inputs, output, cwd=HERE, steps=STEPS, coder="vdm", extra=()):
    cmd = [vdmz, "compress", "--force", "-q", "-o", output] + list(extra) + inputs
    if coder == "vdm":
        # Named explicitly: the default (auto) may choose another coder.
        cmd[2:2] = ["--coder", "bits-back", "--model", os.path.join(HERE, "model.safetensors"), "--steps", str(steps)]
        if steps < STEPS:
            # The golden model is untrained: below its own T the files are larger than the raw pixels,
            # which vdmz refuses unless told (the fuzzing seeds are made that way on purpose).
            cmd[2:2] = ["--allow-expansion"]
    else:
        cmd[2:2] = ["--coder", coder]
    subprocess.run(cmd, check=True, cwd=cwd)


def write_seeds(vdmz):
    """The small fuzzing seeds: one.png (1×1 RGB) alone, stored and with T = 2, and with two.png (2×3
    gray) in a dataset archive with T = 3."""
    with tempfile.TemporaryDirectory() as scratch:
        write_png(os.path.join(scratch, "one.png"), [bytes([16, 128, 240])], 1, 1, 2, 8, write=overwrite)
        write_png(os.path.join(scratch, "two.png"), [bytes([1, 2]), bytes([64, 65]), bytes([255, 0])], 2, 3, 0, 8,
                  write=overwrite)
        compress(vdmz, ["one.png"], os.path.join(SEEDS, "stored-1x1.vdmz"), cwd=scratch, coder="stored")
        compress(vdmz, ["one.png"], os.path.join(SEEDS, "vdm-1x1-T2.vdmz"), cwd=scratch, steps=2)
        compress(vdmz, ["one.png", "two.png"], os.path.join(SEEDS, "vdm-set-T3.vdmz"), cwd=scratch, steps=3)


def main():
    vdmz = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/vdmz"))
    write_model()
    write_model("tiny_nd", "model-netdec.safetensors")
    images = write_images()
    compress(vdmz, images["single"], "rgb8-23x17.png.vdmz")
    compress(vdmz, images["set"], "set.vdmz")
    compress(vdmz, images["set"], "set-stored.vdmz", coder="stored")
    # Container format 4: the same four images in two shards of two.
    compress(vdmz, images["set"], "set-sharded.vdmz", extra=["--shard-images", "2"])
    compress(vdmz, images["set"], "set-sharded-stored.vdmz", coder="stored", extra=["--shard-images", "2"])
    compress(vdmz, write_context_images(), "context.vdmz", coder="context")
    # Side plane kind 9 (2026-12-02): the alpha plane coded by the context coder.
    compress(vdmz, write_alpha_image(), "alpha-context.vdmz", coder="context")
    write_seeds(vdmz)


if __name__ == "__main__":
    main()
