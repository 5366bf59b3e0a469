"""The training entry points at tiny scale on the CPU: the GPU script's path (packed data, torch sampler,
fused steps without host sync, bf16 blocks, batch/lr override, time budget), training on a folder of PNGs
with --init, the lr decay, and the codec-equivalent PNG conversion. A few seconds in all."""
import json
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from training import train
from training.data import TorchCropSampler, load_packed, model_planes
from training.pack_data import pack

REPO = Path(__file__).resolve().parents[2]
TINY = REPO / "Tests/ModelTests/Fixtures/tiny.safetensors"
SMALL = ["--channels", "8", "--blocks", "1", "--threads", "1", "--warmup", "2"]
EVAL = ["--eval-cifar", "2", "--eval-kodak-crops", "1"]

torch.set_num_threads(1)


def raw_png(path, w, h, depth, ctype, rows):
    """A PNG written byte by byte (16-bit and 2-bit kinds that Pillow does not write)."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\0" + r for r in rows)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
                           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_packed_round_trip_and_budget(packed, tmp_path):
    p = load_packed(packed)
    assert len(p["photos"]) == 18 and all(t.shape == (32, 32, 3) for t in p["photos"])
    assert p["cifar"].shape == (20, 32, 32, 3) and p["eval_cifar"].shape == (2, 3, 32, 32)
    rng = np.random.default_rng(1)
    photos = [rng.integers(0, 256, (256, 256, 3), dtype=np.uint8)]  # 64 tiles of 32², ~200 KB as PNG
    man = pack(tmp_path, photos, np.zeros((1, 32, 32, 3), np.uint8), budget_mib=0.1, tile=32, sheet=8)
    assert 0 < man["photo_tiles"] < 64
    assert sum(f.stat().st_size for f in tmp_path.iterdir()) <= 0.1 * 2 ** 20


def test_torch_sampler_crops_are_image_crops():
    rng = np.random.default_rng(2)
    ims = [rng.integers(0, 256, (40, 37, 3), dtype=np.uint8), rng.integers(0, 256, (33, 50, 3), dtype=np.uint8)]
    cifar = rng.integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    s = TorchCropSampler(ims, cifar, crop=8, photo_frac=0.5, seed=3)
    x = s.sample(16).permute(0, 2, 3, 1).numpy()

    def found(c, pool):
        for im in pool:
            for cc in (c, c[:, ::-1]):
                for r in range(im.shape[0] - 7):
                    for q in range(im.shape[1] - 7):
                        if np.array_equal(im[r:r + 8, q:q + 8], cc):
                            return True
        return False
    assert all(found(x[i], ims) for i in range(8))
    assert all(found(x[i], list(cifar)) for i in range(8, 16))
    state = s.state()
    a = s.sample(5)
    s2 = TorchCropSampler(ims, cifar, crop=8, photo_frac=0.5, seed=99)
    s2.set_state(state)
    assert torch.equal(a, s2.sample(5))


def test_model_planes_follow_the_codec(tmp_path):
    rng = np.random.default_rng(4)
    rgb = rng.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    rgba = np.concatenate([rgb, rng.integers(0, 256, (5, 6, 1), dtype=np.uint8)], 2)
    Image.fromarray(rgba, "RGBA").save(tmp_path / "rgba.png")
    gray = rgb[..., 0].copy()
    Image.fromarray(gray, "L").save(tmp_path / "gray.png")
    Image.fromarray(rgb).convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(tmp_path / "pal.png")
    raw_png(tmp_path / "gray2.png", 4, 1, 2, 0, [bytes([0b00011011])])
    raw_png(tmp_path / "gray16.png", 1, 1, 16, 0, [bytes([0x12, 0x34])])
    raw_png(tmp_path / "rgb16.png", 1, 1, 16, 2, [bytes([0x12, 0x34, 0xAB, 0xCD, 0xFF, 0x01])])
    assert np.array_equal(model_planes(tmp_path / "rgb.png")[0], rgb)
    a, kind = model_planes(tmp_path / "rgba.png")
    assert kind == "RGBA 8" and np.array_equal(a, rgb)
    a, kind = model_planes(tmp_path / "gray.png")
    assert kind == "gray 8" and np.array_equal(a, np.repeat(gray[..., None], 3, 2))
    with Image.open(tmp_path / "pal.png") as im:
        want = np.asarray(im.convert("RGB"))
    assert np.array_equal(model_planes(tmp_path / "pal.png")[0], want)
    assert model_planes(tmp_path / "gray2.png")[0][0, :, 0].tolist() == [0, 85, 170, 255]  # codec: v·255/3
    a, kind = model_planes(tmp_path / "gray16.png")
    assert kind == "gray 16" and a.tolist() == [[[0x12] * 3]]
    a, kind = model_planes(tmp_path / "rgb16.png")
    assert kind == "RGB 16" and a.tolist() == [[[0x12, 0xAB, 0xFF]]]


def read_csv_rows(path):
    import csv
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_gpu_run_script_on_cpu(packed, tmp_path):
    """bash training/gpu_run.sh with VDMZ_DEVICE=cpu: the same Python path as on the GPU (packed data,
    torch sampler, fused steps, bf16 blocks, batch override with the √ rule), then a resume of its output."""
    state = tmp_path / "state"
    train.main(["--run", str(state), "--packed", str(packed), "--batch", "16", "--max-steps", "2",
                *SMALL, *EVAL])
    # PYTHON: this interpreter (the one with PyTorch: .venv's under scripts/test.sh); on a fresh machine the
    # python3 on PATH has no torch, and the script would stop at its environment check.
    env = dict(os.environ, VDMZ_DEVICE="cpu", VDMZ_STATE=str(state), VDMZ_PACKED=str(packed), VDMZ_BATCH="32",
               VDMZ_THREADS="1", VDMZ_MINUTES="2", PYTHON=sys.executable)
    out = tmp_path / "out"
    r = subprocess.run(["bash", str(REPO / "training/gpu_run.sh"), str(out), "--max-steps", "6", "--log-every", "2",
                        *EVAL], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert sorted(p.name for p in out.iterdir()) == ["env.txt", "gpu_run.log", "run"]
    assert sorted(p.name for p in (out / "run").iterdir()) == ["checkpoint.pt", "config.json", "eval.csv", "train.csv"]
    ck = torch.load(out / "run/checkpoint.pt", map_location="cpu", weights_only=False)
    assert ck["step"] == 6 and ck["images_seen"] == 2 * 16 + 4 * 32 and ck["nan_skips"] == 0
    assert "torch_generator" in ck["sampler"]
    cfg = json.loads((out / "run/config.json").read_text())
    change = cfg["changes"][-1]
    assert change["batch"] == [16, 32] and change["lr_rule"] == "sqrt"
    assert change["lr"][1] == pytest.approx(1e-3 * 2 ** 0.5)
    assert [int(r["step"]) for r in read_csv_rows(out / "run/eval.csv")] == [0, 2, 6]  # new, at start, final
    assert int(read_csv_rows(out / "run/train.csv")[-1]["step"]) == 6
    assert "stopped at step 6 (max-steps)" in (out / "gpu_run.log").read_text()
    # It resumes (same fused path, in this process) and a deadline stops it with the checkpoint saved. The
    # deadline leaves room for a few steps on a loaded 2-core machine (with 5 s it sometimes made none).
    old_margin = train.STOP_MARGIN_S
    train.STOP_MARGIN_S = 0.5
    try:
        t0 = time.time()
        train.main(["--run", str(out / "run"), "--packed", str(packed), "--sampler", "torch", "--fused", "--amp",
                    "bf16", "--eval-at-start", "--final-eval", "--deadline", str(t0 + 20), "--threads", "1", *EVAL])
        elapsed = time.time() - t0
    finally:
        train.STOP_MARGIN_S = old_margin
    ck2 = torch.load(out / "run/checkpoint.pt", map_location="cpu", weights_only=False)
    assert ck2["step"] > 6 and elapsed < 20.5
    assert ck2["config"]["batch"] == 32 and len(ck2["config"]["changes"]) == 1


def test_fused_step_skips_non_finite(packed, tmp_path, monkeypatch):
    args = train.parse(["--run", str(tmp_path / "r"), "--packed", str(packed), "--batch", "4", "--fused",
                        "--sampler", "torch", "--eval-cifar", "0", "--eval-kodak-crops", "0", *SMALL])
    tr = train.Trainer(args)
    tr.train_step()
    before = [p.detach().clone() for p in tr.params] + [p.clone() for p in tr.ema_params]
    steps_before = [s["step"].clone() for s in tr.opt.state.values()]
    real = train.training_loss

    def nan_loss(*a, **k):
        total, terms = real(*a, **k)
        return total * float("nan"), terms
    monkeypatch.setattr(train, "training_loss", nan_loss)
    tr.train_step()
    after = [p.detach() for p in tr.params] + list(tr.ema_params)
    assert all(torch.equal(a, b) for a, b in zip(before, after))
    assert all(torch.equal(a, s["step"]) for a, s in zip(steps_before, tr.opt.state.values()))
    loss, skips = tr.take_losses()
    assert skips == 1 and np.isfinite(loss)


def test_images_fine_tune_from_safetensors(tmp_path, capsys):
    d = tmp_path / "imgs"
    (d / "sub").mkdir(parents=True)
    rng = np.random.default_rng(5)
    Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(d / "a.png")
    Image.fromarray(rng.integers(0, 256, (36, 36), dtype=np.uint8), "L").save(d / "sub/b.png")
    Image.fromarray(rng.integers(0, 256, (34, 40, 4), dtype=np.uint8), "RGBA").save(d / "c.PNG")
    Image.fromarray(rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)).save(d / "small.png")
    run = tmp_path / "ft"
    cmd = ["--run", str(run), "--images", str(d), "--init", str(TINY), "--batch", "4", "--lr", "3e-4",
           "--max-steps", "2", "--threads", "1", "--eval-cifar", "0", "--eval-kodak-crops", "0"]
    train.main(cmd)
    text = capsys.readouterr().out
    assert "images: 3 PNGs" in text and "gray → R = G = B" in text and "alpha dropped" in text
    assert "skipped 1 smaller than 32×32" in text
    ck = torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=False)
    cfg = ck["config"]
    assert (cfg["channels"], cfg["blocks"], cfg["coding_steps"], cfg["photo_frac"]) == (8, 2, 8, 1.0)
    assert cfg["init"]["path"].endswith("tiny.safetensors") and cfg["data"]["source"] == "images"
    from safetensors.torch import load_file
    init = load_file(str(TINY))
    # EMA after 2 steps is still within 0.2 % of the way from the initial weights
    assert all(torch.allclose(ck["ema"][k], v, atol=1e-3) for k, v in init.items())
    train.main(cmd[:-6] + ["--max-steps", "3", "--threads", "1", "--eval-cifar", "0", "--eval-kodak-crops", "0"])
    assert torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=False)["step"] == 3


def test_decay_to_zero_then_stop(packed, tmp_path):
    run = str(tmp_path / "d")
    base = ["--run", run, "--packed", str(packed), "--batch", "4", "--eval-cifar", "0", "--eval-kodak-crops", "0",
            "--log-every", "1", *SMALL]
    train.main(base + ["--max-steps", "3"])
    train.main(base + ["--decay-steps", "4", "--decay-shape", "linear"])  # stops by itself after 4 steps
    rows = read_csv_rows(Path(run) / "train.csv")
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    # row at step s shows the lr of step s: linear from 1e-3 at step 3 to 0 at step 7
    assert [float(r["lr"]) for r in rows[3:]] == pytest.approx([7.5e-4, 5e-4, 2.5e-4, 0.0])
    cfg = json.loads((Path(run) / "config.json").read_text())
    assert cfg["decay"] == {"start": 3, "steps": 4, "shape": "linear", "from": 1.0}
    train.main(base + ["--decay-steps", "4", "--decay-shape", "linear"])  # the same command: nothing left to do
    assert torch.load(Path(run) / "checkpoint.pt", weights_only=False)["step"] == 7


def test_a_second_process_on_the_same_run_is_refused(tmp_path):
    """Two training processes on one run would interleave checkpoints and logs: the second exits at once."""
    run = tmp_path / "run"
    with train.RunLock(run):
        r = subprocess.run([sys.executable, "-m", "training.train", "--run", str(run), "--max-steps", "1"],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
        assert r.returncode != 0 and "another training process is using this run" in r.stderr
        assert sorted(p.name for p in run.iterdir()) == []  # nothing written
    with train.RunLock(run):  # released by the first holder: taken again
        pass


def test_a_hold_stops_the_training_clock(packed, tmp_path, monkeypatch):
    """SIGUSR1 holds the run without counting hours, SIGUSR2 goes on (SIGSTOP's time would count)."""
    import threading
    run = tmp_path / "h"
    real_step = train.Trainer.train_step

    def step_then_hold(self):
        real_step(self)
        if self.step == 1:
            os.kill(os.getpid(), signal.SIGUSR1)
            threading.Timer(2.0, os.kill, (os.getpid(), signal.SIGUSR2)).start()
    monkeypatch.setattr(train.Trainer, "train_step", step_then_hold)
    start = time.time()
    train.main(["--run", str(run), "--packed", str(packed), "--batch", "4", "--eval-cifar", "0",
                "--eval-kodak-crops", "0", "--log-every", "1", "--max-steps", "3", *SMALL])
    wall = time.time() - start
    ck = torch.load(run / "checkpoint.pt", weights_only=False)
    assert ck["step"] == 3 and wall > 2.0
    assert ck["train_seconds"] < wall - 1.8  # the 2 s held are not training time


def test_a_niced_run_gives_its_niceness_to_its_session_group(tmp_path):
    """Under `nice` the run writes its niceness to its autogroup file (fair sharing between setsid
    sessions would otherwise ignore it); at nice 0 it leaves the file alone. A stand-in file is used so
    that the test never renices the session that runs it."""
    group = tmp_path / "autogroup"
    code = ("import sys; from pathlib import Path; from training.train import share_nice_with_autogroup as f; "
            "print(f(Path(sys.argv[1])))")
    niced = subprocess.run(["nice", "-n", "7", sys.executable, "-c", code, str(group)], capture_output=True,
                           text=True, check=True, cwd=REPO)
    expected = min(19, os.nice(0) + 7)
    assert niced.stdout.strip() == str(expected)
    assert group.read_text() == f"{expected}\n"
    if os.nice(0) == 0:
        group.unlink()
        plain = subprocess.run([sys.executable, "-c", code, str(group)], capture_output=True, text=True, check=True,
                               cwd=REPO)
        assert plain.stdout.strip() == "None"
        assert not group.exists()
