"""The Dask driver on a local cluster of two worker processes: the archive it gathers is byte-identical
to `vdmz compress` on one machine, also when a worker dies in the middle of a shard."""
import os
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from scale import dask_compress

ROOT = Path(__file__).resolve().parent.parent.parent
VDMZ = ROOT / ".build" / "release" / "vdmz"
MODEL = ROOT / "Tests" / "Golden" / "model.safetensors"
OPTIONS = ["--model", str(MODEL), "--steps", "2", "--threads", "1"]


def write_png(path, width, height, seed):
    """An 8-bit RGB PNG of a deterministic pattern."""
    rows = b"".join(b"\x00" + bytes((x * 7 + y * 13 + c * 50 + seed * 31) % 256 for x in range(width) for c in range(3))
                    for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip(
        "dask.distributed", reason="Dask distributed is not installed (pip install -r training/requirements.txt)")
    if not VDMZ.exists():
        pytest.skip(f"{VDMZ} is missing: run `swift build -c release` first")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture()
def images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(7):
        write_png(folder / f"img_{i:03d}.png", 6 + i % 3, 5, i)
    return folder


def local_archive(images, tmp_path, size):
    out = tmp_path / "local.vdmz"
    subprocess.run([str(VDMZ), "compress", "--quiet", *size, "-o", str(out), *OPTIONS, str(images)], check=True)
    return out.read_bytes()


def test_cluster_run_is_byte_identical_to_the_local_run(cluster_client, images, tmp_path):
    out = tmp_path / "cluster.vdmz"
    count = dask_compress.run(cluster_client, [str(images)], str(out), str(VDMZ), OPTIONS, shard_images=3)
    assert count == 3
    local = local_archive(images, tmp_path, ["--shard-images", "3"])
    assert local[8] == 4  # a sharded archive (format 4)
    assert out.read_bytes() == local
    # One image back from the cluster's archive alone.
    restored = tmp_path / "restored"
    restored.mkdir()
    subprocess.run([str(VDMZ), "decompress", "--quiet", "--model", str(MODEL), "--only", "img_004.png", "-d", str(restored), str(out)],
                   check=True)
    assert sorted(os.listdir(restored)) == ["img_004.png"]


def test_a_dead_worker_reruns_its_shard(cluster_client, images, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    out = tmp_path / "cluster.vdmz"
    # Shards by pixels: 7 images of 30–40 pixels, at most 80 pixels per shard.
    dask_compress.run(cluster_client, [str(images)], str(out), str(VDMZ), OPTIONS, shard_pixels=80,
                      fail_once_dir=str(markers))
    assert (markers / "shard-1.failed").exists()  # the first attempt of shard 1 killed its worker
    assert out.read_bytes() == local_archive(images, tmp_path, ["--shard-pixels", "80"])


def test_partition_matches_vdmz():
    assert dask_compress.partition([4, 4, 4], shard_pixels=8) == [(0, 2), (2, 3)]
    assert dask_compress.partition([10, 1, 1], shard_pixels=8) == [(0, 1), (1, 3)]
    assert dask_compress.partition([1] * 5, shard_images=2) == [(0, 2), (2, 4), (4, 5)]
