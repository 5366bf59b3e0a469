#!/usr/bin/env python3
"""vdmz against PNG, WebP and JPEG-XL: bits per sub-pixel, seconds per image, exact decodes, one table.

Run from anywhere; paths are taken from the repository root. See bench/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import PIL
from PIL import Image

import corpora as corpora_mod
import report
from codec_tools import (CLASSICAL, CLASSICAL_BY_KEY, INSTALL_HINT, CodecFailure, Outcome, Vdmz,
                         missing_tools, tool_versions)
from corpora import CorpusError
from report import ARCHIVE, MOSAIC, PER_FILE

REPO = Path(__file__).resolve().parent.parent
DEFAULT_VDMZ = REPO / ".build" / "release" / "vdmz"
QUICK_STEPS = [8, 16]
CODEC_KEYS = [codec.key for codec in CLASSICAL] + ["vdmz"]

EPILOG = f"""\
corpora (--corpus, repeatable; default: kodak and cifar500):
  kodak              ../shared/corpora/kodak/*.png, each image its own file for every codec
  gray, graphics     ../shared/corpora/gray (9 large gray photographs) and ../shared/corpora/graphics
                     (12 small graphics), single-image mode like kodak; gray images stay gray PNGs
  cifar500           ../shared/corpora/cifar10/test_images.npy: vdmz codes all images into one
                     dataset archive; the other codecs code each image as a file and all as one mosaic
  cifar20            its first 20 images, each its own file for every codec (vdmz single-image mode)
  DIR or NAME=DIR    a folder of PNGs, single-image mode like kodak
  FILE.npy           uint8 images shaped (N, H, W, 3), dataset mode like cifar500
  Relative paths are taken from the repository root ({REPO}).

codecs: {', '.join(f'{c.key} = {c.flags}' for c in CLASSICAL)}, vdmz.
Every decode is compared pixel for pixel with the original; any mismatch or failed command is
reported and makes the exit status 1 (2: bad arguments, missing tools or corpora).
Tools missing? {INSTALL_HINT}
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__.splitlines()[0], epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", metavar="SPEC",
                        help="kodak, cifar500, a folder of PNGs or a .npy (repeatable); SPEC@T,T,… "
                             "gives that corpus its own vdmz steps")
    parser.add_argument("--steps", type=steps_list, metavar="T,T,…",
                        help="vdmz diffusion steps to run, e.g. 16,32,64 (default: the checkpoint's, "
                             f"64; with --quick {','.join(map(str, QUICK_STEPS))})")
    parser.add_argument("--quick", action="store_true",
                        help=f"a few images: the first {corpora_mod.QUICK_FOLDER_IMAGES} of a folder as "
                             f"{corpora_mod.QUICK_CROP}×{corpora_mod.QUICK_CROP} centre crops, the first "
                             f"{corpora_mod.QUICK_DATASET_IMAGES} of a .npy; a couple of minutes in all")
    parser.add_argument("--limit", type=positive_int, metavar="N", help="only the first N images of each corpus")
    parser.add_argument("--threads", type=positive_int, metavar="N", default=len(os.sched_getaffinity(0)),
                        help="worker threads for vdmz (default: all cores, %(default)s here)")
    parser.add_argument("--codecs", type=codec_list, default=CODEC_KEYS, metavar="A,B,…",
                        help=f"which codecs (default: all of {','.join(CODEC_KEYS)})")
    parser.add_argument("--vdmz-per-file", action="store_true",
                        help="on .npy corpora, also code each image alone with vdmz (single-image files)")
    parser.add_argument("--vdmz-coder", choices=["auto", "bits-back", "context", "hybrid", "stored"],
                        help="vdmz's --coder (default: vdmz's own default, auto); with context or stored "
                             "vdmz gets no --steps and `vdmz rate` is skipped")
    parser.add_argument("--vdmz", type=Path, metavar="PATH",
                        help=f"vdmz binary (default: {DEFAULT_VDMZ.relative_to(REPO)}, built with "
                             "`swift build -c release --product vdmz` if missing)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where the results go (default: bench/results/<UTC date-time>/, and "
                             "bench/results/latest points at it)")
    return parser.parse_args(argv)


def steps_list(text: str) -> list[int]:
    try:
        values = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}")
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"steps must be positive integers: {text!r}")
    return values


def split_steps(spec: str) -> tuple[str, list[int] | None]:
    """`SPEC@T,T,…` → (SPEC, its own vdmz steps); a plain SPEC uses --steps."""
    corpus, sep, tail = spec.rpartition("@")
    if not sep:
        return spec, None
    try:
        return corpus, steps_list(tail)
    except argparse.ArgumentTypeError as exc:
        raise SetupError(f"--corpus {spec}: {exc}")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def codec_list(text: str) -> list[str]:
    keys = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [k for k in keys if k not in CODEC_KEYS]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(f"unknown codec {', '.join(unknown) or text!r}; "
                                         f"choose from {','.join(CODEC_KEYS)}")
    return [k for k in CODEC_KEYS if k in keys]


class SetupError(Exception):
    """Something the run needs is missing; the message says what to do."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# one corpus


class CorpusRun:
    """Codes one corpus with every codec and collects per-image rows, summary rows and problems."""

    def __init__(self, corpus, classical, vdmz: Vdmz | None, steps: list[int], vdmz_per_file: bool, work: Path):
        self.corpus, self.classical, self.vdmz, self.steps = corpus, classical, vdmz, steps
        self.vdmz_per_file = vdmz is not None and (corpus.mode == "single" or vdmz_per_file)
        self.work = work
        self.scratch = work / "scratch"
        self.scratch.mkdir(parents=True)
        self.images: list[dict] = []
        self.summary: list[dict] = []
        self.problems: list[str] = []
        self.elbo: dict[int, dict] = {}

    def run(self) -> None:
        corpus = self.corpus
        log(f"== {corpus.name}: {corpora_mod.images(len(corpus.items))}, {corpus.mode} mode; "
            "writing the source PNGs")
        corpus.write_pngs(self.work / "images")
        self.per_file()
        if corpus.mode == "dataset":
            self.mosaic()
            if self.vdmz:
                for steps in self.steps:
                    self.dataset_archive(steps)
        if self.vdmz and self.vdmz.coder not in ("context", "stored"):
            for steps in self.steps:
                self.rate(steps)

    def vdmz_flags(self, steps: int) -> str:
        """The flags column of vdmz's rows: T, and the coder when one was chosen."""
        coder = self.vdmz.coder
        if coder in ("context", "stored"):
            return f"--coder {coder}"
        return f"T={steps}" + (f", --coder {coder}" if coder else "")

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.corpus.name}: {message}")
        log(f"!! FAILURE {self.corpus.name}: {message}")

    def per_file(self) -> None:
        coders = [(c, c.key, c.label, c.flags) for c in self.classical]
        if self.vdmz_per_file:
            coders += [(self.vdmz.single(t), f"vdmz-T{t}", "vdmz", self.vdmz_flags(t)) for t in self.steps]
        if not coders:
            return
        items = self.corpus.items
        every = 1 if len(items) <= 60 else math.ceil(len(items) / 20)
        rows: dict[str, list[dict]] = {key: [] for _, key, _, _ in coders}
        start = time.perf_counter()
        for index, item in enumerate(items):
            original = item.load()
            rates = []
            for coder, key, label, flags in coders:
                outcome = coder.code(item.png, original, self.scratch)
                row = report.per_image_row(self.corpus.name, item, key, flags, PER_FILE,
                                           getattr(coder, "steps", None), outcome)
                rows[key].append(row)
                if not outcome.exact:
                    self.problem(f"{item.name}, {label} {flags}: {outcome.error}")
                rates.append(f"{key} {row['bits_per_subpixel']:.3f}" if row["bits_per_subpixel"] else f"{key} –")
            if (index + 1) % every == 0 or index + 1 == len(items):
                log(f"[{self.corpus.name} {index + 1}/{len(items)}] {item.name}: {'  '.join(rates)}"
                    f"   ({time.perf_counter() - start:.0f} s so far)")
        for coder, key, label, flags in coders:
            self.summary.append(report.summary_from_images(rows[key], label))
            self.images.extend(rows[key])

    def mosaic(self) -> None:
        if not self.classical:
            return
        grid, padding = corpora_mod.mosaic(self.corpus.array)
        height, width = grid.shape[:2]
        note = f"Mosaic {width}×{height}"
        if padding:
            note += f" ({padding} black padding tiles in its last row, not counted as sub-pixels)"
        self.corpus.notes.append(note)
        png = self.work / "mosaic.png"
        Image.fromarray(grid).save(png)
        for codec in self.classical:
            outcome = codec.code(png, grid, self.scratch)
            if not outcome.exact:
                self.problem(f"mosaic, {codec.label} {codec.flags}: {outcome.error}")
            n = len(self.corpus.items)
            self.summary.append(report.summary_from_whole(
                self.corpus.name, codec.key, codec.label, codec.flags, MOSAIC, None, n,
                self.corpus.subpixels, outcome, n if outcome.exact else 0))
            log(f"[{self.corpus.name} mosaic] {codec.key}: {self.summary[-1]['bits_per_subpixel'] or 0:.3f}")

    def dataset_archive(self, steps: int) -> None:
        items = self.corpus.items
        outcome, errors = self.vdmz.code_dataset([item.png for item in items], self.corpus.array,
                                                 steps, self.scratch)
        if outcome.error:
            self.problem(f"vdmz dataset archive, T={steps}: {outcome.error}")
        key = f"vdmz-T{steps}"
        for item, error in zip(items, errors):
            self.images.append(report.per_image_row(
                self.corpus.name, item, key, f"T={steps}", ARCHIVE, steps,
                Outcome(exact=error is None, error=error)))
        row = report.summary_from_whole(self.corpus.name, key, "vdmz", f"T={steps}", ARCHIVE, steps,
                                        len(items), self.corpus.subpixels, outcome,
                                        sum(e is None for e in errors))
        self.summary.append(row)
        log(f"[{self.corpus.name} dataset archive] {key}: {row['bits_per_subpixel'] or 0:.3f}, "
            f"{outcome.encode_s or 0:.1f} s + {outcome.decode_s or 0:.1f} s")

    def rate(self, steps: int) -> None:
        """The negative ELBO at T, put beside every vdmz row and image at T."""
        corpus = self.corpus
        if corpus.mode == "single":
            inputs = [item.png for item in corpus.items]
        else:
            inputs = [self.work / "images.npy"]
            np.save(inputs[0], corpus.array)
        try:
            per_image, summary = self.vdmz.rate(inputs, steps)
        except CodecFailure as exc:
            self.problem(f"vdmz rate, T={steps}: {exc}")
            return
        if len(per_image) != len(corpus.items):
            self.problem(f"vdmz rate, T={steps}: {len(per_image)} records for {len(corpus.items)} images")
            return
        bits = sum(r["elbo_bpd"] * item.subpixels for r, item in zip(per_image, corpus.items))
        elbo = bits / corpus.subpixels
        self.elbo[steps] = {"elbo_bpd": elbo, "std_error_bpd": summary.get("std_error_bpd"),
                            "wall_s": summary.get("wall_s"), "vdmz_summary": summary}
        log(f"[{corpus.name} ELBO] T={steps}: {elbo:.4f} bits/sub-pixel ({summary.get('wall_s', 0):.1f} s)")
        by_name = {item.name: r["elbo_bpd"] for item, r in zip(corpus.items, per_image)}
        for row in self.images:
            if row["codec"] == f"vdmz-T{steps}":
                row["elbo_bpd"] = by_name[row["image"]]
        for row in self.summary:
            if row["codec"] == f"vdmz-T{steps}":
                report.attach_elbo(row, elbo, summary.get("std_error_bpd"))


# --------------------------------------------------------------------------------------------------
# set-up: tools, vdmz, machine


def find_vdmz(path: Path | None) -> Path:
    if path is not None:
        path = path.expanduser().resolve()
        if not path.is_file():
            raise SetupError(f"no vdmz binary at {path}")
        return path
    if DEFAULT_VDMZ.is_file():
        return DEFAULT_VDMZ
    if shutil.which("swift") is None:
        raise SetupError(f"no vdmz binary at {DEFAULT_VDMZ} and no swift to build it; "
                         "build it (bash scripts/setup.sh) or pass --vdmz PATH")
    log("building vdmz: swift build -c release --product vdmz")
    if subprocess.run(["swift", "build", "-c", "release", "--product", "vdmz"], cwd=REPO).returncode != 0:
        raise SetupError("swift build -c release --product vdmz failed")
    if not DEFAULT_VDMZ.is_file():
        raise SetupError(f"swift build succeeded but {DEFAULT_VDMZ} is not there")
    return DEFAULT_VDMZ


def machine() -> dict:
    def first(path: str, prefix: str) -> str | None:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"')
        except OSError:
            pass
        return None
    memory_kb = first("/proc/meminfo", "MemTotal")
    memory = f"{int(memory_kb.split()[0]) / 2**20:.0f} GiB RAM" if memory_kb else "RAM unknown"
    return {"nproc": len(os.sched_getaffinity(0)),
            "cpu": first("/proc/cpuinfo", "model name") or platform.processor(),
            "memory": memory, "os": first("/etc/os-release", "PRETTY_NAME=") or platform.platform(),
            "kernel": platform.release()}


def git(*args: str) -> str | None:
    proc = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def shown_path(path: Path) -> str:
    """A path inside the repository relative to its root, any other as it is."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def output_dir(requested: Path | None, stamp: str) -> tuple[Path, bool]:
    if requested is not None:
        path = requested if requested.is_absolute() else Path.cwd() / requested
        return path.resolve(), False
    base = REPO / "bench" / "results"
    path, n = base / stamp, 1
    while path.exists():
        n += 1
        path = base / f"{stamp}-{n}"
    return path, True


def point_latest(outdir: Path) -> None:
    latest = outdir.parent / "latest"
    temporary = outdir.parent / ".latest.tmp"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(outdir.name)
    os.replace(temporary, latest)


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started, now = time.perf_counter(), datetime.now(timezone.utc)
    try:
        specs = [split_steps(spec) for spec in (args.corpus or ["kodak", "cifar500"])]
        corpora = [corpora_mod.load(spec, REPO, args.limit, args.quick) for spec, _ in specs]
        corpus_steps = [own for _, own in specs]
        names = [c.name for c in corpora]
        if len(set(names)) != len(names):
            raise SetupError(f"two corpora with the same name ({', '.join(names)}); name them NAME=PATH")
        classical = [CLASSICAL_BY_KEY[k] for k in args.codecs if k in CLASSICAL_BY_KEY]
        missing = missing_tools(classical)
        if missing:
            raise SetupError(f"missing tools: {', '.join(missing)}. To install them, {INSTALL_HINT}")
        binary = find_vdmz(args.vdmz) if "vdmz" in args.codecs else None
    except (CorpusError, SetupError) as exc:
        log(f"bench/run.py: error: {exc}")
        return 2
    vdmz = Vdmz(binary, args.threads, args.vdmz_coder) if binary else None
    outdir, is_default = output_dir(args.out, now.strftime("%Y-%m-%dT%H%M%SZ"))

    runs: list[CorpusRun] = []
    with tempfile.TemporaryDirectory(prefix="vdmz-bench-") as tmp:
        probe = {"model": None, "steps": None}
        if vdmz:
            try:
                probe = vdmz.probe(Path(tmp))
            except (CodecFailure, OSError) as exc:
                log(f"bench/run.py: error: {binary} does not work: {exc}")
                return 2
            log(f"vdmz {binary} (model {probe['model'][:16]}…, default T={probe['steps']})")
        steps = args.steps or (QUICK_STEPS if args.quick else [probe["steps"]])
        log(f"codecs {', '.join(args.codecs)}" + (f"; vdmz at T = {', '.join(map(str, steps))}, "
                                                   f"--threads {args.threads}" if vdmz else "")
            + f"; results → {outdir}")
        for corpus, own_steps in zip(corpora, corpus_steps):
            run = CorpusRun(corpus, classical, vdmz, own_steps or steps, args.vdmz_per_file, Path(tmp) / corpus.name)
            run.run()
            runs.append(run)

    rows = [row for run in runs for row in run.summary]
    problems = [p for run in runs for p in run.problems]
    meta = {
        "date_utc": now.strftime("%Y-%m-%d %H:%M UTC"),
        "command": "python3 " + shlex.join(sys.argv),
        "wall_s": time.perf_counter() - started,
        "machine": machine(),
        "repo_commit": git("rev-parse", "HEAD"),
        "repo_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "vdmz": vdmz and {"binary": shown_path(binary), "model": probe["model"],
                          "default_steps": probe["steps"], "steps": steps, "threads": args.threads},
        "tools": tool_versions(classical),
        "python": {"version": platform.python_version(), "numpy": np.__version__, "pillow": PIL.__version__},
        "options": {"quick": args.quick, "limit": args.limit, "codecs": args.codecs,
                    "vdmz_per_file": args.vdmz_per_file},
    }
    corpus_info = [{"name": run.corpus.name, "source": run.corpus.shown_source(REPO), "mode": run.corpus.mode,
                    "images": len(run.corpus.items), "subpixels": run.corpus.subpixels,
                    "description": run.corpus.describe(REPO), "notes": run.corpus.notes,
                    "elbo": {str(t): v for t, v in run.elbo.items()}} for run in runs]
    write_results(outdir, meta, corpus_info, rows, [r for run in runs for r in run.images], problems)
    if is_default:
        point_latest(outdir)

    for info in corpus_info:
        print(f"\n{info['name']}: {info['description']}")
        for note in info["notes"]:
            print(f"  {note}")
        print()
        print(report.text_table([r for r in rows if r["corpus"] == info["name"]]))
    print(f"\nbits/sub-pixel: whole files ÷ (H·W·3); seconds: wall clock per image, process start included "
          f"(PNG decode: Pillow in-process); ELBO: one-sample Monte-Carlo estimate (seed 0).")
    print(f"Took {meta['wall_s'] / 60:.1f} min. Results: {outdir}")
    if problems:
        print(f"\nFAILED: {len(problems)} problem(s); not every decode was exact or every command ran:")
        for p in problems:
            print(f"  {p}")
        return 1
    return 0


def write_results(outdir: Path, meta: dict, corpora: list[dict], rows: list[dict], images: list[dict],
                  problems: list[str]) -> None:
    import plots  # matplotlib only now, after the measurements
    outdir.mkdir(parents=True, exist_ok=True)
    report.write_json(outdir / "results.json", {"meta": meta, "corpora": corpora, "summary": rows,
                                                "failures": problems, "per_image": images})
    report.write_csv(outdir / "summary.csv", rows, report.SUMMARY_FIELDS)
    report.write_csv(outdir / "per_image.csv", images, report.PER_IMAGE_FIELDS)
    figures = {}
    if rows:
        plots.rate_speed(rows, [c["name"] for c in corpora], outdir / "rate_speed.png")
        figures["bits per sub-pixel against seconds per image"] = "rate_speed.png"
    if any(r["overhead"] is not None for r in rows):
        plots.overhead_vs_steps(rows, outdir / "vdmz_overhead.png")
        figures["vdmz coded rate over its ELBO against T"] = "vdmz_overhead.png"
    (outdir / "summary.md").write_text(report.summary_markdown(meta, corpora, rows, figures))


if __name__ == "__main__":
    sys.exit(main())
