"""Codec wrappers for the benchmark: encode a PNG, decode the result, time both, check the pixels.

Every codec reads a clean 8-bit RGB PNG and is judged by the file it writes (its size on disk, headers
included) and by the pixels its decoder gives back, compared with the original array with numpy.
Times are wall-clock (time.perf_counter) around the whole subprocess, process start included.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

INSTALL_HINT = "run: bash bench/install_tools.sh"


class CodecFailure(Exception):
    """An encoder or decoder exited with an error, or its output could not be read."""


# --------------------------------------------------------------------------------------------------
# subprocesses and pixel checks


def run_tool(argv: list[str], cwd: Path | None = None) -> float:
    """Runs argv to completion and returns its wall-clock seconds; raises CodecFailure on a non-zero exit."""
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        message = (proc.stderr or proc.stdout).decode(errors="replace").strip().splitlines()
        tail = " | ".join(message[-3:]) if message else "(no output)"
        raise CodecFailure(f"{Path(argv[0]).name} {argv[1] if len(argv) > 1 else ''} exited with "
                           f"{proc.returncode}: {tail}")
    return seconds


def load_rgb8(path: Path) -> np.ndarray:
    """Decodes a PNG (or anything Pillow reads) to an (H, W, 3) uint8 array.

    Palette and gray decodes are expanded to RGB (that is what they mean); an alpha channel is accepted
    only if fully opaque and 16-bit outputs are refused, so no conversion can hide a difference.
    """
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode == "RGB":
                return np.asarray(im)
            if im.mode in ("RGBA", "LA", "P", "PA", "L", "1"):
                rgba = np.asarray(im.convert("RGBA"))
                if not (rgba[..., 3] == 255).all():
                    raise CodecFailure(f"{path.name}: decoded image has transparent pixels")
                return np.ascontiguousarray(rgba[..., :3])
            raise CodecFailure(f"{path.name}: decoded image has mode {im.mode}, not 8-bit RGB")
    except (OSError, ValueError) as exc:
        raise CodecFailure(f"{path.name}: cannot read the decoded image: {exc}") from exc


def compare(decoded: np.ndarray, original: np.ndarray) -> str | None:
    """None if the arrays are identical in shape, dtype and every value; else what differs."""
    if decoded.shape != original.shape:
        return f"shape {decoded.shape} != original {original.shape}"
    if decoded.dtype != original.dtype:
        return f"dtype {decoded.dtype} != original {original.dtype}"
    diff = decoded != original
    if diff.any():
        worst = int(np.abs(decoded.astype(np.int16) - original.astype(np.int16)).max())
        return f"{int(diff.sum())} of {diff.size} sub-pixels differ (max |difference| {worst})"
    return None


@dataclass
class Outcome:
    """One encode + decode: the coded size and seconds, and whether the pixels came back exactly."""
    bytes: int | None = None
    payload_bytes: int | None = None
    encode_s: float | None = None
    decode_s: float | None = None
    exact: bool = False
    error: str | None = None
    coder: str | None = None        # vdmz only: the coder the file holds (`vdmz info`), e.g. bits-back, context


# --------------------------------------------------------------------------------------------------
# the classical codecs


@dataclass(frozen=True)
class Codec:
    """A file codec driven by its command-line tools; decode=None means PNG decoded by Pillow in-process."""
    key: str                        # short name used on the command line and in the results
    label: str                      # name in the tables
    flags: str                      # the settings, as typed
    ext: str
    encode: tuple[str, ...]         # argv template with {src} and {dst}
    decode: tuple[str, ...] | None  # argv template with {src} and {dst}, or None
    packages: tuple[tuple[str, str], ...] = field(default=())  # (binary, Debian package)

    def tools(self) -> list[str]:
        return [binary for binary, _ in self.packages]

    def code(self, src: Path, original: np.ndarray, work: Path) -> Outcome:
        """Encodes src, decodes the result and compares it with original; temporary files are removed."""
        coded = work / f"coded.{self.ext}"
        decoded = work / "decoded.png"

        def encode_and_decode(out: Outcome) -> np.ndarray:
            out.encode_s = run_tool(fill(self.encode, src, coded))
            out.bytes = coded.stat().st_size
            if self.decode is None:
                start = time.perf_counter()
                pixels = load_rgb8(coded)
                out.decode_s = time.perf_counter() - start
                return pixels
            out.decode_s = run_tool(fill(self.decode, coded, decoded))
            return load_rgb8(decoded)

        return round_trip(encode_and_decode, original, (coded, decoded))


def round_trip(encode_and_decode: Callable[[Outcome], np.ndarray], original: np.ndarray,
               files: tuple[Path, ...]) -> Outcome:
    """Runs `encode_and_decode` (which fills in the sizes and times and returns the decoded pixels),
    compares the pixels with `original`, turns a failed command into the outcome's error, and removes
    `files` whatever happens."""
    out = Outcome()
    try:
        out.error = compare(encode_and_decode(out), original)
        out.exact = out.error is None
    except (CodecFailure, OSError) as exc:
        out.error = str(exc)
    finally:
        for path in files:
            path.unlink(missing_ok=True)
    return out


def fill(template: tuple[str, ...], src: Path, dst: Path) -> list[str]:
    return [part.format(src=src, dst=dst) for part in template]


CLASSICAL = [
    Codec("png", "PNG", "zopflipng -y", "png",
          ("zopflipng", "-y", "{src}", "{dst}"), None,
          (("zopflipng", "zopfli"),)),
    Codec("webp", "WebP lossless", "cwebp -lossless -z 9 -exact", "webp",
          ("cwebp", "-quiet", "-lossless", "-z", "9", "-exact", "{src}", "-o", "{dst}"),
          ("dwebp", "-quiet", "{src}", "-o", "{dst}"),
          (("cwebp", "webp"), ("dwebp", "webp"))),
    Codec("jxl-e7", "JPEG-XL lossless", "cjxl -d 0 -e 7", "jxl",
          ("cjxl", "-d", "0", "-e", "7", "{src}", "{dst}"),
          ("djxl", "{src}", "{dst}"),
          (("cjxl", "libjxl-tools"), ("djxl", "libjxl-tools"))),
    Codec("jxl-e9", "JPEG-XL lossless", "cjxl -d 0 -e 9", "jxl",
          ("cjxl", "-d", "0", "-e", "9", "{src}", "{dst}"),
          ("djxl", "{src}", "{dst}"),
          (("cjxl", "libjxl-tools"), ("djxl", "libjxl-tools"))),
]
CLASSICAL_BY_KEY = {codec.key: codec for codec in CLASSICAL}


def missing_tools(codecs: list[Codec]) -> list[str]:
    """'binary (package)' for every tool the codecs need that is not on PATH."""
    missing = []
    for codec in codecs:
        for binary, package in codec.packages:
            entry = f"{binary} (Debian package {package})"
            if shutil.which(binary) is None and entry not in missing:
                missing.append(entry)
    return missing


def tool_versions(codecs: list[Codec]) -> dict[str, dict[str, str | None]]:
    """For each tool: its path, the Debian package version and the version the tool reports."""
    own_flag = {"cwebp": "-version", "dwebp": "-version", "cjxl": "--version", "djxl": "--version"}
    versions = {}
    for codec in codecs:
        for binary, package in codec.packages:
            if binary in versions:
                continue
            reported = None
            if binary in own_flag:
                proc = subprocess.run([binary, own_flag[binary]], capture_output=True, text=True)
                lines = (proc.stdout or proc.stderr).strip().splitlines()
                reported = lines[0] if lines else None
            versions[binary] = {"path": shutil.which(binary), "package": package,
                                "package_version": debian_version(package), "reports": reported}
    return versions


def debian_version(package: str) -> str | None:
    try:
        proc = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                              capture_output=True, text=True)
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.strip() or None


# --------------------------------------------------------------------------------------------------
# vdmz


class Vdmz:
    """The vdmz command-line tool: single-image files, dataset archives, `info` and `rate --json`."""

    def __init__(self, binary: Path, threads: int, coder: str | None = None):
        self.binary = binary
        self.threads = threads
        self.coder = coder   # --coder for compress (None: vdmz's default, auto)

    def coding_args(self, steps: int) -> list[str]:
        """`--coder` (when chosen) and `--steps` (unless the coder has no diffusion steps)."""
        coder = ["--coder", self.coder] if self.coder else []
        return coder if self.coder in ("context", "stored") else coder + ["--steps", str(steps)]

    def _argv(self, command: str, *rest: str | Path) -> list[str]:
        return [str(self.binary), command, "-q", "--threads", str(self.threads), *map(str, rest)]

    def info(self, path: Path) -> dict:
        """Model hash, payload bytes, the steps of the first image and the coder (its first word: bits-back,
        context, hybrid, stored), parsed from `vdmz info`."""
        proc = subprocess.run([str(self.binary), "info", str(path)], capture_output=True, text=True)
        if proc.returncode != 0:
            raise CodecFailure(f"vdmz info {path.name}: {proc.stderr.strip()}")
        text = proc.stdout
        found = {key: re.search(pattern, text) for key, pattern in
                 {"model": r"model:\s+([0-9a-f]{16,})", "payload_bytes": r"payload:\s+(\d+) bytes",
                  "steps": r"steps (\d+)", "coder": r"coder:\s+(\S+)"}.items()}
        return {"model": found["model"] and found["model"].group(1),
                "payload_bytes": found["payload_bytes"] and int(found["payload_bytes"].group(1)),
                "steps": found["steps"] and int(found["steps"].group(1)),
                "coder": found["coder"] and found["coder"].group(1)}

    def probe(self, work: Path) -> dict:
        """Codes a tiny image with the bits-back coder's default settings: checks that the binary works,
        and returns the model hash and the checkpoint's default number of steps (named explicitly:
        vdmz's default coder, auto, may keep the context coder's file, which has neither)."""
        rng = np.random.default_rng(0)
        pixels = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
        src, coded, back = work / "probe.png", work / "probe.vdmz", work / "probe.out.png"
        Image.fromarray(pixels).save(src)
        run_tool([str(self.binary), "compress", "-q", "--coder", "bits-back", str(src), "-o", str(coded)])
        found = self.info(coded)
        run_tool([str(self.binary), "decompress", "-q", str(coded), "-o", str(back)])
        error = compare(load_rgb8(back), pixels)
        if error:
            raise CodecFailure(f"vdmz does not round-trip a probe image: {error}")
        for path in (src, coded, back):
            path.unlink()
        return found

    def single(self, steps: int) -> "VdmzSingle":
        return VdmzSingle(self, steps)

    def code_dataset(self, pngs: list[Path], originals, steps: int,
                     work: Path) -> tuple[Outcome, list[str | None]]:
        """All pngs (in one folder) into one archive, restored again; one error-or-None per image."""
        archive = work / "set.vdmz"
        restored = work / "restored"
        restored.mkdir()
        out = Outcome()
        errors: list[str | None] = [None] * len(pngs)
        try:
            folder = pngs[0].parent
            out.encode_s = run_tool(self._argv("compress", *self.coding_args(steps),
                                               *[p.name for p in pngs], "-o", archive), cwd=folder)
            out.bytes = archive.stat().st_size
            info = self.info(archive)
            out.payload_bytes, out.coder = info["payload_bytes"], info["coder"]
            out.decode_s = run_tool(self._argv("decompress", archive, "-d", restored))
            for i, png in enumerate(pngs):
                try:
                    errors[i] = compare(load_rgb8(restored / png.name), np.asarray(originals[i]))
                except (CodecFailure, OSError) as exc:
                    errors[i] = str(exc)
            bad = [e for e in errors if e]
            out.exact = not bad
            if bad:
                out.error = f"{len(bad)} of {len(pngs)} images not restored exactly; first: {bad[0]}"
        except (CodecFailure, OSError) as exc:
            out.error = str(exc)
            errors = [out.error] * len(pngs)
        finally:
            archive.unlink(missing_ok=True)
            shutil.rmtree(restored, ignore_errors=True)
        return out, errors

    def rate(self, inputs: list[Path], steps: int) -> tuple[list[dict], dict]:
        """`vdmz rate --json`: one record per image (in input order) and the summary record."""
        argv = [str(self.binary), "rate", "--json", "--steps", str(steps), "--threads", str(self.threads),
                *map(str, inputs)]
        start = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            raise CodecFailure(f"vdmz rate exited with {proc.returncode}: {proc.stderr.strip()}")
        records = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        images = [r for r in records if not r.get("summary")]
        summary = next((r for r in records if r.get("summary")), {})
        summary["wall_s"] = seconds
        return images, summary


@dataclass(frozen=True)
class VdmzSingle:
    """vdmz in single-image mode at a given T, with the same interface as Codec."""
    vdmz: Vdmz
    steps: int

    @property
    def key(self) -> str:
        return f"vdmz-T{self.steps}"

    def code(self, src: Path, original: np.ndarray, work: Path) -> Outcome:
        coded, decoded = work / "coded.vdmz", work / "decoded.png"

        def encode_and_decode(out: Outcome) -> np.ndarray:
            out.encode_s = run_tool(self.vdmz._argv("compress", *self.vdmz.coding_args(self.steps), src, "-o", coded))
            out.bytes = coded.stat().st_size
            info = self.vdmz.info(coded)
            out.payload_bytes, out.coder = info["payload_bytes"], info["coder"]
            out.decode_s = run_tool(self.vdmz._argv("decompress", coded, "-o", decoded))
            return load_rgb8(decoded)

        return round_trip(encode_and_decode, original, (coded, decoded))
