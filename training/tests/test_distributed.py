"""Data-parallel training (training/distributed.py) on the CPU with gloo: two processes train as one.

The GPU path (NCCL, one process per device) is the same code with another backend and is not run here."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.multiprocessing as mp

from training import train
from training.distributed import DataParallel
from training.loss import LN2, training_loss
from training.network import VDMZNetwork

REPO = Path(__file__).resolve().parents[2]
SMALL = ["--channels", "8", "--blocks", "1", "--threads", "1", "--warmup", "2"]
EVAL = ["--eval-cifar", "2", "--eval-kodak-crops", "1"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def batch_and_model():
    x = torch.from_numpy(np.random.default_rng(5).integers(0, 256, (8, 3, 16, 16))).to(torch.float32)
    torch.manual_seed(11)
    model = VDMZNetwork(8, 1, [6, 7], True, decoder="network")
    with torch.no_grad():  # away from the zero-initialised output layers, so that every gradient is non-zero
        for p in model.parameters():
            p.add_(0.05 * torch.randn(p.shape))
    return x, model


def gradient(model, x, part):
    torch.manual_seed(3)  # the loss's noise: the same draws in every process
    total, _ = training_loss(model, x, 64, window=None, part=part)
    loss = total.mean() / (x[0].numel() * LN2)
    loss.backward()
    return loss


def rank_main(rank, world, port, out):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world))
    torch.set_num_threads(1)
    dp = DataParallel(world, rank, rank, cuda=False)
    x, model = batch_and_model()
    params = list(model.parameters())
    loss = dp.average_gradients(params, gradient(model, x[dp.rows(len(x))], dp.part(len(x))))
    torch.save({"loss": loss, "grads": [p.grad for p in params]}, Path(out) / f"rank{rank}.pt")
    dp.close()


def test_the_averaged_gradient_is_the_gradient_of_the_whole_batch(tmp_path):
    torch.set_num_threads(1)
    x, model = batch_and_model()
    loss = gradient(model, x, None)
    whole = [p.grad for p in model.parameters()]
    silent = [n for n, p in model.named_parameters() if not bool(p.grad.abs().max() > 0)]
    mp.spawn(rank_main, args=(2, free_port(), str(tmp_path)), nprocs=2, join=True)
    ranks = [torch.load(tmp_path / f"rank{r}.pt") for r in range(2)]
    for a, b in zip(ranks[0]["grads"], ranks[1]["grads"]):
        assert torch.equal(a, b)  # after the all-reduce every rank holds the same gradient
    assert float(ranks[0]["loss"]) == pytest.approx(float(loss.detach()), rel=1e-6)
    assert silent == ["gamma.l3.bias"]  # γ is normalised between its end points, so that bias cancels
    got = torch.cat([g.reshape(-1) for g in ranks[0]["grads"]])
    want = torch.cat([g.reshape(-1) for g in whole])
    # The same sums in another order (two half-batch means, then their mean): float32 rounding only, which
    # the γ network's cancelling terms raise to ≈ 1e-4 of a gradient (measured). Rows or noise out of step
    # would differ by the order of the gradient itself.
    assert float((got - want).norm()) <= 1e-3 * float(want.norm())


def read_rows(path):
    import csv
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_two_processes_under_torchrun_train_like_one(packed, tmp_path):
    args = ["--packed", str(packed), "--batch", "8", "--max-steps", "6", "--log-every", "2", *SMALL, *EVAL]
    one, two = tmp_path / "one", tmp_path / "two"
    train.main(["--run", str(one), *args])
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                        "-m", "training.train", "--", "--run", str(two), *args],
                       cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "2 processes of batch 4" in r.stdout and r.stdout.count("stopped at step 6 (max-steps)") == 1
    assert sorted(p.name for p in two.iterdir()) == ["checkpoint.pt", "config.json", "eval.csv", "train.csv"]
    a = torch.load(one / "checkpoint.pt", weights_only=False)
    b = torch.load(two / "checkpoint.pt", weights_only=False)
    assert (a["step"], a["images_seen"]) == (b["step"], b["images_seen"]) == (6, 48)
    assert json.dumps(a["sampler"], sort_keys=True) == json.dumps(b["sampler"], sort_keys=True)  # the same crops
    assert json.loads((one / "config.json").read_text()) == json.loads((two / "config.json").read_text())
    rows_a, rows_b = read_rows(one / "train.csv"), read_rows(two / "train.csv")
    assert [row["step"] for row in rows_b] == ["2", "4", "6"]  # rank 0 alone logs
    # Step 1 is Adam's sign step; then parameters whose gradient is near zero may step either way, so the
    # runs part by float rounding only: the losses stay within 0.1 % over these steps.
    for ra, rb in zip(rows_a, rows_b):
        assert float(rb["train_bpd"]) == pytest.approx(float(ra["train_bpd"]), rel=1e-3)
    assert [row["step"] for row in read_rows(two / "eval.csv")] == ["0"]  # rank 0 alone evaluates
    # A run saved by two processes resumes in one (and the other way round): the sampler state is shared.
    train.main(["--run", str(two), "--packed", str(packed), "--max-steps", "8", "--log-every", "2", *SMALL, *EVAL])
    assert torch.load(two / "checkpoint.pt", weights_only=False)["step"] == 8


def test_a_batch_that_does_not_split_is_refused(packed, tmp_path):
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                        "-m", "training.train", "--", "--run", str(tmp_path / "r"),
                        "--packed", str(packed), "--batch", "7", "--max-steps", "1", *SMALL, *EVAL],
                       cwd=REPO, env=dict(os.environ, OMP_NUM_THREADS="1"), capture_output=True, text=True,
                       timeout=300)
    assert r.returncode != 0
    assert "batch 7 is not a multiple of the 2 processes" in r.stderr
