"""Train the vdmz prior. Resumable; atomic checkpoints; safe to stop at any time.

    nohup nice -n 10 python3 -m training.train --run /work/runs/default > /work/runs/default.log 2>&1 &

Re-running the same command resumes from RUN/checkpoint.pt (the model/loss hyper-parameters stored in
the run win; device, threads, timing and stopping options may be changed on resume).
"""
import argparse
import copy
import csv
import json
import math
import os
import signal
import sys
import time
from pathlib import Path

import torch

from .data import CropSampler, load_cifar_train, load_photos, test_cifar, test_kodak_fixed_crops
from .elbo import elbo_continuous, elbo_discrete
from .loss import LN2, training_loss
from .network import VDMZNetwork, count_parameters

MODEL_KEYS = ("channels", "blocks", "fourier_n", "learned_variance", "coding_steps", "loss", "batch", "crop",
              "photo_frac", "lr", "warmup", "weight_decay", "ema", "grad_clip", "seed")


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="run directory (created; resumed if it has checkpoint.pt)")
    ap.add_argument("--channels", type=int, default=32)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--fourier-n", type=int, nargs="*", default=[6, 7])
    ap.add_argument("--learned-variance", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--coding-steps", type=int, default=64, help="T of the coder (trained for with --loss discrete)")
    ap.add_argument("--loss", choices=["discrete", "continuous"], default="discrete")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--crop", type=int, default=32)
    ap.add_argument("--photo-frac", type=float, default=0.75)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--grad-clip", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    # May change on resume:
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--ckpt-minutes", type=float, default=5.0)
    ap.add_argument("--eval-minutes", type=float, default=10.0)
    ap.add_argument("--eval-cifar", type=int, default=200, help="first N cifar-500 images in periodic eval")
    ap.add_argument("--eval-kodak-crops", type=int, default=16, help="fixed 64×64 Kodak crops in periodic eval")
    ap.add_argument("--log-every", type=int, default=100)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--max-hours", type=float, default=None, help="stop after this much training time (total)")
    return ap.parse_args(argv)


def atomic_save(obj, path: Path):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        torch.save(obj, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def append_csv(path: Path, row: dict):
    """Append a row; if its columns differ from the file's, rewrite the file with the union of columns."""
    path = Path(path)
    rows, fields = [], list(row.keys())
    if path.exists():
        with open(path, newline="") as fh:
            reader = csv.DictReader(fh)
            old = list(reader.fieldnames or [])
            if old == fields:
                rows = None
            else:
                rows = list(reader)
                fields = old + [k for k in fields if k not in old]
    if rows is None:
        with open(path, "a", newline="") as fh:
            csv.DictWriter(fh, fieldnames=fields).writerow(row)
        return
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for r in rows + [row]:
            w.writerow(r)
    os.replace(tmp, path)


class Trainer:
    def __init__(self, args):
        self.args = args
        self.run = Path(args.run)
        self.run.mkdir(parents=True, exist_ok=True)
        torch.set_num_threads(args.threads)
        self.device = torch.device(args.device)
        ckpath = self.run / "checkpoint.pt"
        ck = torch.load(ckpath, map_location="cpu", weights_only=False) if ckpath.exists() else None
        if ck is not None:
            self.cfg = ck["config"]
        else:
            self.cfg = {k: getattr(args, k) for k in MODEL_KEYS}
            self.cfg["fourier_n"] = list(self.cfg["fourier_n"])
        c = self.cfg
        torch.manual_seed(c["seed"] + (ck["step"] if ck else 0))
        self.model = VDMZNetwork(c["channels"], c["blocks"], c["fourier_n"], c["learned_variance"]).to(self.device)
        decay, no_decay = [], []
        for name, p in self.model.named_parameters():
            (no_decay if name.startswith("gamma.") or name.endswith(".bias") else decay).append(p)
        self.opt = torch.optim.AdamW([{"params": decay, "weight_decay": c["weight_decay"]},
                                      {"params": no_decay, "weight_decay": 0.0}], lr=c["lr"], betas=(0.9, 0.99))
        self.ema = copy.deepcopy(self.model).eval()
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.step = 0
        self.images_seen = 0
        self.train_seconds = 0.0
        self.nan_skips = 0
        self.last_eval = {}
        photos = load_photos()
        cifar = load_cifar_train()
        self.sampler = CropSampler(photos, cifar, c["crop"], c["photo_frac"], seed=c["seed"])
        if ck is not None:
            self.model.load_state_dict(ck["model"])
            self.ema.load_state_dict(ck["ema"])
            self.opt.load_state_dict(ck["opt"])
            self.step, self.images_seen = ck["step"], ck["images_seen"]
            self.train_seconds, self.nan_skips = ck["train_seconds"], ck.get("nan_skips", 0)
            self.last_eval = ck.get("last_eval", {})
            self.sampler.set_state(ck["sampler"])
            print(f"resumed {ckpath} at step {self.step} ({self.train_seconds / 3600:.2f} h)", flush=True)
        else:
            (self.run / "config.json").write_text(json.dumps(self.cfg, indent=1))
        if args.channels_last and self.device.type == "cpu":
            self.model = self.model.to(memory_format=torch.channels_last)
        self.eval_cifar = test_cifar(args.eval_cifar).to(self.device)
        self.eval_kodak = test_kodak_fixed_crops(args.eval_kodak_crops).to(self.device)
        print(f"model {count_parameters(self.model)} parameters, {self.model.flops_per_pixel()} FLOP/pixel/eval; "
              f"config {json.dumps(self.cfg)}", flush=True)
        self.stop = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, *_):
        self.stop = True

    def save(self):
        atomic_save({"config": self.cfg, "model": self.model.state_dict(), "ema": self.ema.state_dict(),
                     "opt": self.opt.state_dict(), "step": self.step, "images_seen": self.images_seen,
                     "train_seconds": self.train_seconds, "nan_skips": self.nan_skips,
                     "sampler": self.sampler.state(), "last_eval": self.last_eval}, self.run / "checkpoint.pt")

    def lr_at(self, step):
        return self.cfg["lr"] * min(1.0, (step + 1) / max(1, self.cfg["warmup"]))

    def train_step(self):
        c = self.cfg
        x = self.sampler.sample(c["batch"]).to(self.device)
        for g in self.opt.param_groups:
            g["lr"] = self.lr_at(self.step)
        steps = c["coding_steps"] if c["loss"] == "discrete" else None
        total, terms = training_loss(self.model, x, steps)
        loss = total.mean() / (x[0].numel() * LN2)  # bits/dim
        if not torch.isfinite(loss):
            self.nan_skips += 1
            self.opt.zero_grad(set_to_none=True)
            return float("nan")
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(self.model.parameters(), c["grad_clip"])
        if not torch.isfinite(gn):
            self.nan_skips += 1
            self.opt.zero_grad(set_to_none=True)
            return float("nan")
        self.opt.step()
        with torch.no_grad():
            d = c["ema"]
            for pe, pm in zip(self.ema.parameters(), self.model.parameters()):
                pe.lerp_(pm.detach(), 1.0 - d)
        self.step += 1
        self.images_seen += x.shape[0]
        return float(loss.detach())

    def evaluate(self):
        t0 = time.time()
        T = self.cfg["coding_steps"]
        m = self.ema
        row = {"step": self.step, "images_seen": self.images_seen, "hours": round(self.train_seconds / 3600, 4)}
        row[f"cifar{len(self.eval_cifar)}_T{T}"] = float(elbo_discrete(m, self.eval_cifar, T, seed=1).mean())
        row[f"cifar{len(self.eval_cifar)}_cont"] = float(elbo_continuous(m, self.eval_cifar, 16, seed=2).mean())
        row[f"kodak{len(self.eval_kodak)}x64_T{T}"] = float(elbo_discrete(m, self.eval_kodak, T, seed=3).mean())
        row[f"kodak{len(self.eval_kodak)}x64_cont"] = float(elbo_continuous(m, self.eval_kodak, 16, seed=4).mean())
        g = m.gamma(torch.tensor([0.0, 1.0], device=self.device))
        row["gamma0"], row["gamma1"] = round(float(g[0]), 4), round(float(g[1]), 4)
        row["eval_seconds"] = round(time.time() - t0, 1)
        append_csv(self.run / "eval.csv", row)
        self.last_eval = {k: v for k, v in row.items() if k != "eval_seconds"}
        print("eval " + json.dumps(row), flush=True)

    def loop(self):
        a = self.args
        last_ckpt = last_eval = time.time()
        if self.step == 0:
            self.evaluate()
        acc, n_acc, t_log = 0.0, 0, time.time()
        imgs_log = self.images_seen
        while not self.stop:
            if a.max_steps is not None and self.step >= a.max_steps:
                break
            if a.max_hours is not None and self.train_seconds >= a.max_hours * 3600:
                break
            t0 = time.time()
            loss = self.train_step()
            self.train_seconds += time.time() - t0
            if math.isfinite(loss):
                acc += loss
                n_acc += 1
            if self.step % a.log_every == 0 and n_acc:
                now = time.time()
                g = self.model.gamma(torch.tensor([0.0, 1.0], device=self.device))
                row = {"step": self.step, "images_seen": self.images_seen,
                       "hours": round(self.train_seconds / 3600, 4), "train_bpd": round(acc / n_acc, 5),
                       "img_per_s": round((self.images_seen - imgs_log) / (now - t_log), 1),
                       "lr": self.lr_at(self.step), "nan_skips": self.nan_skips,
                       "gamma0": round(float(g[0]), 4), "gamma1": round(float(g[1]), 4)}
                append_csv(self.run / "train.csv", row)
                print("train " + json.dumps(row), flush=True)
                acc, n_acc, t_log, imgs_log = 0.0, 0, now, self.images_seen
            if time.time() - last_eval > a.eval_minutes * 60:
                self.evaluate()
                last_eval = time.time()
                self.save()
                last_ckpt = time.time()
            if time.time() - last_ckpt > a.ckpt_minutes * 60:
                self.save()
                last_ckpt = time.time()
        self.save()
        print(f"stopped at step {self.step}; checkpoint saved", flush=True)


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    Trainer(args).loop()


if __name__ == "__main__":
    main()
