"""Rate–compute study driver (issue 16): train named configurations one after another with the same budget
in crops seen, evaluate each the same way, and append one CSV row per configuration.

    nice -n 15 python3 -m training.study --out /work/study --queue /work/study/queue.txt

Each configuration is one ``python3 -m training.train`` command (printed and stored in the CSV, so every
row says how it was made) in ``OUT/runs/NAME``, followed by the evaluation of its EMA weights: negative ELBO
at the coding T (every step 1…T, exact decoder, fixed seeds 1 and 3 as the in-run evaluation) on the first
200 cifar-500 images and the 16 fixed 64×64 Kodak crops. ``--queue FILE`` runs the names listed in FILE
(one a line; re-read after each run, so names can be appended while it works) that have no row yet.

Two families share a budget each (crops seen, not wall time, which depends on the machine's load):
  A (``a_*``): warm-started from the EMA weights of a copy of the main run (``--init OUT/src``), fresh AdamW,
     50-step warm-up, EMA 0.99, batch 64, A_STEPS steps;
  B (``b_*``): a fresh network with the trained γ schedule copied in (``--init-gamma OUT/src``: the short run
     then measures the denoiser, not the ~700 steps γ needs to move from its initial values), batch 32,
     lr 1e-3, 100-step warm-up, EMA 0.99, B_STEPS steps.
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import torch

A_STEPS = 400
B_STEPS = 800
COMMON = ["--threads", "1", "--eval-cifar", "0", "--eval-kodak-crops", "0", "--ckpt-minutes", "10",
          "--log-every", "50"]


def family_a(extra):
    return ["--init", "{src}", "--warmup", "50", "--ema", "0.99", "--batch", "64", "--lr", "1e-3",
            "--max-steps", str(A_STEPS)] + extra


def family_b(extra):
    return ["--init-gamma", "{src}", "--warmup", "100", "--ema", "0.99", "--batch", "32", "--lr", "1e-3",
            "--max-steps", str(B_STEPS)] + extra


CONFIGS = {
    # name: (family, train.py flags beyond the family's, note)
    "a_init": ("A", None, "the starting point (main run's EMA at step 57,636), not trained further"),
    "a_base": ("A", family_a([]), "baseline continued (today's decoder, constant lr)"),
    "a_netdec": ("A", family_a(["--decoder", "network"]), "network-informed decoder, γ(0) free"),
    "a_decay": ("A", family_a(["--decay-steps", str(A_STEPS)]), "cosine lr decay to 0 over the budget"),
    "a_smooth": ("A", family_a(["--smooth-frac", "0.5"]), "half the photo crops the smoothest of 4 draws"),
    "a_netdec_decay": ("A", family_a(["--decoder", "network", "--decay-steps", str(A_STEPS)]),
                       "network decoder + lr decay"),
    "b_base": ("B", family_b([]), "C=32, B=4 from scratch"),
    "b_c64": ("B", family_b(["--channels", "64"]), "C=64, B=4"),
    "b_c48": ("B", family_b(["--channels", "48"]), "C=48, B=4"),
    "b_b8": ("B", family_b(["--blocks", "8"]), "C=32, B=8"),
    "b_multires": ("B", family_b(["--lowres-blocks", "4"]), "C=32, B=4 + 4 blocks at half resolution"),
    "b_ycocg": ("B", family_b(["--space", "ycocg"]), "C=32, B=4 in YCoCg-R"),
    "b_netdec": ("B", family_b(["--decoder", "network"]), "C=32, B=4, network decoder"),
}


def done_names(csv_path):
    if not Path(csv_path).exists():
        return set()
    with open(csv_path, newline="") as fh:
        return {r["name"] for r in csv.DictReader(fh)}


@torch.no_grad()
def recon_bits(model, x, seed=5):
    """The reconstruction term −log p(x|z_0) alone (bits/dim, exact decoder, own fixed-seed z_0)."""
    from .elbo import _recon, _values
    from .loss import LN2
    gen = torch.Generator().manual_seed(seed)
    g0 = model.gamma(torch.tensor([0.0], dtype=torch.float64))[0]
    a0, s0 = torch.sqrt(torch.sigmoid(-g0)), torch.sqrt(torch.sigmoid(g0))
    f = _values(model, x)
    z0 = a0 * f + s0 * torch.randn(x.shape, generator=gen, dtype=torch.float64)
    return float(_recon(model, x, z0, g0).sum() / (x.numel() * LN2))


@torch.no_grad()
def evaluate_run(run_dir, threads=1):
    from .data import test_cifar, test_kodak_fixed_crops
    from .elbo import elbo_discrete
    from .export import load_run_model
    torch.set_num_threads(threads)
    model, ck = load_run_model(run_dir)
    T = ck["config"]["coding_steps"]
    t0 = time.time()
    cifar = float(elbo_discrete(model, test_cifar(200), T, seed=1).mean())
    kodak = float(elbo_discrete(model, test_kodak_fixed_crops(16), T, seed=3).mean())
    g = model.gamma(torch.tensor([0.0, 1.0]))
    return {"cifar200_T64": round(cifar, 5), "kodak16x64_T64": round(kodak, 5),
            "cifar200_recon": round(recon_bits(model, test_cifar(200)), 5),
            "gamma0": round(float(g[0]), 4), "gamma1": round(float(g[1]), 4),
            "eval_seconds": round(time.time() - t0, 1)}, model, ck


def run_one(name, out: Path, src: Path, csv_path: Path, python: str):
    from .train import append_csv
    family, flags, note = CONFIGS[name]
    run_dir = out / "runs" / name
    cmd = None
    t0 = time.time()
    if flags is None:
        run_dir = src
    else:
        cmd = [python, "-m", "training.train", "--run", str(run_dir)] + \
              [a.replace("{src}", str(src)) for a in flags] + COMMON
        print("+ " + " ".join(cmd), flush=True)
        log = open(out / f"{name}.log", "a")
        rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if rc != 0:
            print(f"{name}: train.py failed (rc {rc}), see {out / (name + '.log')}", flush=True)
            append_csv(csv_path.with_name("failed.csv"), {"name": name, "rc": rc, "time": time.time()})
            return
    wall = time.time() - t0
    # The evaluation runs in its own process too, so that code changed while the queue runs is used.
    res = subprocess.run([python, "-m", "training.study", "--out", str(out), "--eval-run", str(run_dir)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        print(f"{name}: evaluation failed:\n{res.stderr[-2000:]}", flush=True)
        append_csv(csv_path.with_name("failed.csv"), {"name": name, "rc": res.returncode, "time": time.time()})
        return
    info = json.loads(res.stdout.strip().splitlines()[-1])
    row_eval, model_info, cfg = info["eval"], info["model"], info["config"]
    ck = info["ck"]
    trained = ck["step"] if flags is not None else 0
    row = {"name": name, "family": family, "note": note,
           "channels": cfg["channels"], "blocks": cfg["blocks"], "lowres_blocks": cfg.get("lowres_blocks", 0),
           "decoder": cfg.get("decoder", "uniform"), "space": cfg.get("space", "rgb"),
           "smooth_frac": cfg.get("smooth_frac", 0.0), "decay": bool(cfg.get("decay")),
           **model_info,
           "steps": trained, "crops": ck["images_seen"] if flags is not None else 0,
           "train_hours": round(ck["train_seconds"] / 3600, 4) if flags is not None else 0.0,
           "wall_seconds": round(wall, 1), **row_eval,
           "command": " ".join(cmd[1:]) if cmd else "(evaluation of OUT/src only)"}
    append_csv(csv_path, row)
    print("row " + json.dumps(row), flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="study folder: src/ (copy of the main run), runs/, study.csv")
    ap.add_argument("--queue", help="file of configuration names, one a line, re-read after each run")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: train and evaluate one configuration
    ap.add_argument("--eval-run", help=argparse.SUPPRESS)  # internal: evaluate one run, print JSON
    ap.add_argument("names", nargs="*")
    args = ap.parse_args(argv)
    if args.eval_run:
        ev, model, ck = evaluate_run(args.eval_run)
        cfg = ck["config"]
        T = cfg["coding_steps"]
        minfo = {"params": sum(p.numel() for p in model.parameters()), "flops_per_px_eval": model.flops_per_pixel(),
                 "flops_per_px_code_T64": model.flops_per_pixel() * (T + model.extra_decoder_passes())}
        print(json.dumps({"eval": ev, "model": minfo, "config": {k: v for k, v in cfg.items() if k != "init"},
                          "ck": {"step": ck["step"], "images_seen": ck["images_seen"],
                                 "train_seconds": ck["train_seconds"]}}))
        return
    out = Path(args.out)
    if args.one:
        run_one(args.one, out, out / "src", out / "study.csv", sys.executable)
        return
    src = out / "src"
    csv_path = out / "study.csv"
    python = sys.executable
    tried = set()
    while True:
        names = list(args.names)
        if args.queue:
            names += [l.strip() for l in Path(args.queue).read_text().splitlines() if l.strip()]
        todo = [n for n in names if n not in done_names(csv_path) and n not in tried]
        if not todo:
            break
        name = todo[0]
        tried.add(name)
        if name not in CONFIGS:
            print(f"unknown configuration {name}", flush=True)
            continue
        # Each configuration in a fresh driver process: code changed while the queue runs is used.
        subprocess.call([python, "-m", "training.study", "--out", str(out), "--one", name])


if __name__ == "__main__":
    from .priority import share_nice_with_autogroup
    share_nice_with_autogroup()  # the command line only (training/priority.py)
    main()
