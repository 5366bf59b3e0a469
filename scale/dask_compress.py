"""Compress a large image corpus on a Dask cluster into one vdmz dataset archive.

The corpus is cut into shards exactly as `vdmz compress` cuts it (consecutive images, a shard closed when
the next image would pass --shard-pixels, or every --shard-images images); each shard is one Dask task that
runs the same `vdmz` binary on a worker (`vdmz compress --shard-images <its size> -o shard.vdmz <its
PNGs>`) and returns the shard file's bytes; the client then joins them in order with `vdmz join`. A shard
is coded alone and deterministically, so the result is byte-identical to

    vdmz compress --shard-pixels P -o SET.vdmz <the same PNGs>

on one machine. A task whose worker dies (or that raises) is run again on another worker (Dask's
`allowed-failures`, and `retries` for errors).

Usage (docs/DISTRIBUTED.md has the cluster set-up):

    python3 -m scale.dask_compress --scheduler tcp://HOST:8786 -o SET.vdmz --vdmz /path/to/vdmz DIR_OR_PNGS...
    python3 -m scale.dask_compress --local-workers 2 -o SET.vdmz DIR_OR_PNGS...      # a local cluster

Inputs must be readable under the same paths on every worker (a shared file system); the vdmz binary
must exist at --vdmz on every worker. The archive is written by the client only.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile

DEFAULT_SHARD_PIXELS = 1 << 20  # vdmz's ShardSize.standard


def list_inputs(inputs):
    """The PNG paths of `inputs` in vdmz's order: a file as itself, a folder as its *.png files (not
    hidden) sorted by the bytes of their names."""
    paths = []
    for item in inputs:
        if os.path.isdir(item):
            names = sorted((n for n in os.listdir(item) if n.lower().endswith(".png") and not n.startswith(".")),
                           key=lambda n: n.encode())
            if not names:
                raise SystemExit(f"{item}: no .png files in this folder")
            paths += [os.path.join(item, n) for n in names]
        else:
            paths.append(item)
    names = [os.path.basename(p) for p in paths]
    if len(set(names)) != len(names):
        raise SystemExit("two inputs have the same name; names must be unique in an archive")
    return paths


def png_pixels(path):
    """width·height from a PNG's IHDR."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise SystemExit(f"{path}: not a PNG file")
    width, height = struct.unpack(">II", head[16:24])
    return width * height


def partition(pixel_counts, shard_images=None, shard_pixels=DEFAULT_SHARD_PIXELS):
    """vdmz's `ShardSize.partition`: consecutive ranges, each with at least one image."""
    ranges, start, pixels = [], 0, 0
    for index, count in enumerate(pixel_counts):
        if shard_images is not None:
            full = index - start >= max(1, shard_images)
        else:
            full = index > start and pixels + count > shard_pixels
        if full:
            ranges.append((start, index))
            start, pixels = index, 0
        pixels += count
    if start < len(pixel_counts):
        ranges.append((start, len(pixel_counts)))
    return ranges


def compress_shard(number, paths, vdmz, options, fail_once_dir=None):
    """One Dask task: codes `paths` as one shard with `vdmz` and returns (number, the shard file's bytes).
    `fail_once_dir` (tests only): the first attempt of shard 1 kills its worker process."""
    if fail_once_dir is not None and number == 1:
        marker = os.path.join(fail_once_dir, f"shard-{number}.failed")
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            os.close(fd)
            os._exit(17)  # the worker dies in the middle of its task; the scheduler re-runs the task
        except FileExistsError:
            pass
    with tempfile.TemporaryDirectory(prefix="vdmz-shard-") as scratch:
        out = os.path.join(scratch, f"shard-{number}.vdmz")
        command = [vdmz, "compress", "--quiet", "--shard-images", str(len(paths)), "-o", out] + list(options) + list(paths)
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"shard {number}: {' '.join(command[:8])} …: {result.stderr.strip()}")
        with open(out, "rb") as f:
            return number, f.read()


def run(client, inputs, output, vdmz, options=(), shard_images=None, shard_pixels=DEFAULT_SHARD_PIXELS,
        retries=2, fail_once_dir=None, force=False):
    """Spreads the shards over `client`'s cluster, joins them into `output`; returns the shard count."""
    vdmz = os.path.abspath(vdmz)
    paths = [os.path.abspath(p) for p in list_inputs(inputs)]
    counts = [1] * len(paths) if shard_images is not None else [png_pixels(p) for p in paths]
    ranges = partition(counts, shard_images, shard_pixels)
    futures = [client.submit(compress_shard, number, paths[lo:hi], vdmz, list(options), fail_once_dir,
                             key=f"vdmz-shard-{number}-{os.getpid()}", retries=retries, pure=False)
               for number, (lo, hi) in enumerate(ranges)]
    shards = dict(client.gather(futures))
    with tempfile.TemporaryDirectory(prefix="vdmz-join-") as scratch:
        parts = []
        for number in range(len(ranges)):
            part = os.path.join(scratch, f"shard-{number:06d}.vdmz")
            with open(part, "wb") as f:
                f.write(shards[number])
            parts.append(part)
        command = [vdmz, "join", "--quiet", "-o", output] + (["--force"] if force else []) + parts
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"vdmz join: {result.stderr.strip()}")
    return len(ranges)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="PNG files and folders of PNG files")
    parser.add_argument("-o", "--output", required=True, help="the archive to write")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://HOST:8786)")
    where.add_argument("--local-workers", type=int, help="start a local cluster of this many worker processes")
    parser.add_argument("--vdmz", default=shutil.which("vdmz") or ".build/release/vdmz", help="the vdmz binary on every worker")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--shard-images", type=int)
    size.add_argument("--shard-pixels", type=int, default=DEFAULT_SHARD_PIXELS)
    parser.add_argument("--threads", type=int, default=1, help="vdmz threads per task (match the worker's cores)")
    parser.add_argument("--coder", choices=["bits-back", "stored"])
    parser.add_argument("--model")
    parser.add_argument("--steps", type=int)
    parser.add_argument("--chain-pixels", type=int, help="pixels per chain inside a shard (vdmz compress --chain-pixels)")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    options = ["--threads", str(args.threads)]
    for flag, value in (("--coder", args.coder), ("--model", args.model), ("--steps", args.steps),
                        ("--chain-pixels", args.chain_pixels)):
        if value is not None:
            options += [flag, os.path.abspath(value) if flag == "--model" else str(value)]
    if args.local_workers:
        cluster = LocalCluster(n_workers=args.local_workers, threads_per_worker=1, processes=True)
        client = Client(cluster)
    else:
        cluster, client = None, Client(args.scheduler)
    try:
        count = run(client, args.inputs, args.output, args.vdmz, options, args.shard_images,
                    args.shard_pixels, force=args.force)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"{count} shards → {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
