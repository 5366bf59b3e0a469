"""Train the vdmz prior. Resumable; atomic checkpoints; safe to stop at any time.

    nohup nice -n 10 python3 -m training.train --run /work/runs/default > /work/runs/default.log 2>&1 &

Re-running the same command resumes from RUN/checkpoint.pt (the model/loss hyper-parameters stored in
the run win; device, threads, data source, timing and stopping options may be changed on resume, and
--batch/--lr/--decay-steps change the stored schedule deliberately, recorded in the config's "changes").

    python3 -m training.train --run R --images DIR [--init training/state/default]   # your own PNGs
    python3 -m training.train --run R --packed training/packed --device cuda ...        # no ../shared needed
"""
import time

_T0 = time.time()  # process start, before torch is imported: --max-minutes counts start-up too

import argparse
import contextlib
import copy
import csv
import hashlib
import json
import math
import os
import signal
import sys
from pathlib import Path

import numpy as np
import torch

from .distributed import DataParallel, Solo
from .priority import share_nice_with_autogroup
from .data import (CropSampler, TorchCropSampler, load_cifar_train, load_image_folder, load_packed, load_photos,
                   test_cifar, test_kodak_fixed_crops)
from .elbo import elbo_continuous, elbo_discrete
from .loss import DECODER_WINDOW, LN2, WINDOW_MAX_GAMMA0, training_loss
from .network import VDMZNetwork, count_parameters

MODEL_KEYS = ("channels", "blocks", "fourier_n", "learned_variance", "coding_steps", "loss", "batch", "crop",
              "photo_frac", "lr", "warmup", "weight_decay", "ema", "grad_clip", "seed")
# Study options (training/study.py, MODEL_CARD.md "Rate–compute study"). Stored in a new run's config only
# when they differ from these defaults, so a default run's config (and every run made before them) reads
# exactly as before; a stored run's missing key means the default.
STUDY_DEFAULTS = {"decoder": "uniform", "space": "rgb", "lowres_blocks": 0, "smooth_frac": 0.0}
ARCH_KEYS = ("channels", "blocks", "fourier_n", "learned_variance")
NEW_RUN_DEFAULTS = {"batch": 64, "lr": 1e-3}
BETAS = (0.9, 0.99)
# One Adam step moves a parameter by at most lr·(1−β1)/√(1−β2)/√(1−β1²/β2) (Cauchy–Schwarz on the moment
# sums; the bias corrections only shrink it) = 2.345·lr for β = (0.9, 0.99), whatever the gradients.
# γ_0 has no weight decay, so after k steps it is within k·2.5·lr of its last value read on the host.
ADAM_STEP_BOUND = 2.5
STOP_MARGIN_S = 5.0  # a deadline stop leaves this much beyond the measured final-eval and checkpoint times


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="run directory (created; resumed if it has checkpoint.pt)")
    ap.add_argument("--channels", type=int, default=32)
    ap.add_argument("--blocks", type=int, default=4)
    ap.add_argument("--fourier-n", type=int, nargs="*", default=[6, 7])
    ap.add_argument("--learned-variance", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--coding-steps", type=int, default=64, help="T of the coder (trained for with --loss discrete)")
    ap.add_argument("--loss", choices=["discrete", "continuous"], default="discrete")
    ap.add_argument("--batch", type=int, default=None,
                    help="batch (new run: default 64; on resume: overrides the stored batch, lr scaled by --lr-rule)")
    ap.add_argument("--crop", type=int, default=32)
    ap.add_argument("--photo-frac", type=float, default=0.75)
    ap.add_argument("--lr", type=float, default=None, help="peak lr (new run: default 1e-3; on resume: overrides)")
    ap.add_argument("--lr-rule", choices=["sqrt", "linear", "keep"], default="sqrt",
                    help="lr for a resumed run whose batch changes and no --lr is given: ×√(new/old), ×new/old, or kept")
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--grad-clip", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--decoder", choices=["uniform", "network"], default="uniform",
                    help="study: p(x|z_0) network-free (today) or informed by x̂(z_0) of one more network pass "
                         "(training/decoder.py)")
    ap.add_argument("--space", choices=["rgb", "ycocg"], default="rgb",
                    help="study: data space of the diffusion (ycocg: the reversible YCoCg-R, training/colour.py)")
    ap.add_argument("--lowres-blocks", type=int, default=0,
                    help="study: residual blocks on a 2×-downsampled path after the full-resolution ones")
    ap.add_argument("--smooth-frac", type=float, default=0.0,
                    help="study: this share of the photo crops is the smoothest of 4 random candidates")
    ap.add_argument("--init-gamma", help="new run only: copy the γ schedule (gamma.* of the EMA weights) from "
                                         "this run directory or checkpoint.pt; the denoiser starts fresh")
    ap.add_argument("--init", help="new run only: start from these weights (a run directory or its checkpoint.pt: "
                                   "its EMA weights; or an exported .safetensors); architecture and T from there")
    ap.add_argument("--decay-steps", type=int, default=None,
                    help="anneal the lr to 0 over this many steps from the current step, then stop (recorded)")
    ap.add_argument("--decay-shape", choices=["cosine", "linear"], default="cosine")
    # Data (may change on resume):
    ap.add_argument("--images", help="train on every PNG under this folder (the codec's RGB model planes) "
                                     "instead of photos-train + CIFAR")
    ap.add_argument("--packed", default=os.environ.get("VDMZ_PACKED"),
                    help="read training and eval data from this training.pack_data folder instead of ../shared "
                         "(env VDMZ_PACKED)")
    # May change on resume:
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--amp", choices=["none", "bf16"], default="none",
                    help="bf16: residual blocks under bf16 autocast (input/output layers, γ and loss in float32)")
    ap.add_argument("--fused", action=argparse.BooleanOptionalAction, default=None,
                    help="fused AdamW, non-finite steps skipped on the device, no per-step host sync "
                         "(default: on for cuda)")
    ap.add_argument("--sampler", choices=["auto", "numpy", "torch"], default="auto",
                    help="crop sampler: numpy on the host, or torch on the device (auto: torch for cuda)")
    ap.add_argument("--ckpt-minutes", type=float, default=5.0)
    ap.add_argument("--eval-minutes", type=float, default=10.0)
    ap.add_argument("--eval-cifar", type=int, default=200, help="first N cifar-500 images in periodic eval (0: none)")
    ap.add_argument("--eval-kodak-crops", type=int, default=16, help="fixed 64×64 Kodak crops in periodic eval (0: none)")
    ap.add_argument("--eval-at-start", action="store_true", help="also evaluate before the first step of this session")
    ap.add_argument("--final-eval", action="store_true", help="evaluate when stopping (inside the time budget)")
    ap.add_argument("--log-every", type=int, default=100)
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--max-hours", type=float, default=None, help="stop after this much training time (total)")
    ap.add_argument("--max-minutes", type=float, default=None,
                    help="wall-clock budget of this process, start-up, final eval and checkpoint included")
    ap.add_argument("--deadline", type=float, default=None,
                    help="Unix time by which this process has saved its checkpoint and exited (like --max-minutes)")
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


def load_init(path):
    """(EMA/exported weights, architecture dict, coding_steps, description) of --init."""
    path = Path(path)
    if path.is_dir():
        path = path / "checkpoint.pt"
    if path.suffix == ".safetensors":
        from .evaluate import load_safetensors_model
        model, meta = load_safetensors_model(path)
        arch = {k: meta[k] for k in ARCH_KEYS}
        steps = meta.get("training", {}).get("steps")
        return model.state_dict(), arch, meta["coding_steps"], {"path": str(path), "weights": "exported",
                                                                   "steps": steps}
    ck = torch.load(path, map_location="cpu", weights_only=False)
    arch = {k: ck["config"][k] for k in ARCH_KEYS}
    return ck["ema"], arch, ck["config"]["coding_steps"], {"path": str(path), "weights": "EMA", "steps": ck["step"]}


def opt_state_for(sd: dict, fused: bool) -> dict:
    """The stored optimizer state with this session's implementation (fused or not) in its groups, so that
    load_state_dict places the step counters where that implementation wants them."""
    sd = {"state": sd["state"], "param_groups": [dict(g) for g in sd["param_groups"]]}
    for g in sd["param_groups"]:
        g["fused"] = True if fused else None
        g["foreach"] = None
        g["capturable"] = False
    return sd


class Trainer:
    def __init__(self, args, dp: Solo | None = None):
        """``dp``: this process's place in a torchrun job (training/distributed.py); one process if None."""
        self.args = args
        self.dp = dp or Solo()
        self.run = Path(args.run)
        self.run.mkdir(parents=True, exist_ok=True)
        torch.set_num_threads(args.threads)
        self.device = self.dp.device(args.device)
        cuda = self.device.type == "cuda"
        if cuda:
            if not torch.cuda.is_available():
                sys.exit("--device cuda but torch.cuda.is_available() is False")
            torch.backends.cudnn.benchmark = True  # fixed shapes: pick the fastest convolution once
            # float32 convolutions may use TF32; matmuls stay full float32 (γ's network is a matmul).
            torch.backends.cudnn.allow_tf32 = True
        ckpath = self.run / "checkpoint.pt"
        ck = torch.load(ckpath, map_location="cpu", weights_only=False) if ckpath.exists() else None
        init = None
        if ck is not None:
            self.cfg = ck["config"]
            if args.init:
                print(f"note: --init ignored, resuming {ckpath}", flush=True)
        else:
            self.cfg = {k: getattr(args, k) for k in MODEL_KEYS}
            for k, v in NEW_RUN_DEFAULTS.items():
                if self.cfg[k] is None:
                    self.cfg[k] = v
            self.cfg["fourier_n"] = list(self.cfg["fourier_n"])
            if args.images:
                self.cfg["photo_frac"] = 1.0  # every crop from the folder, no CIFAR
            for k, default in STUDY_DEFAULTS.items():
                if getattr(args, k) != default:
                    self.cfg[k] = getattr(args, k)
            if args.init_gamma:
                self.cfg["init_gamma"] = str(args.init_gamma)
            if args.init:
                init_state, arch, steps, desc = load_init(args.init)
                self.cfg.update(arch)
                self.cfg["coding_steps"] = steps
                self.cfg["init"] = desc
                init = init_state
        self.cfg.setdefault("changes", [])
        c = self.cfg
        self.step = ck["step"] if ck else 0
        if ck is not None:
            self._apply_overrides(args)
        if args.decay_steps is not None:
            self._apply_decay(args)
        torch.manual_seed(c["seed"] + self.step)
        self.model = VDMZNetwork(c["channels"], c["blocks"], c["fourier_n"], c["learned_variance"],
                                 lowres_blocks=c.get("lowres_blocks", 0), decoder=c.get("decoder", "uniform"),
                                 space=c.get("space", "rgb"))
        if init is not None:
            missing, unexpected = self.model.load_state_dict(init, strict=False)
            new = [k for k in missing if k == "decoder_scale" or k.startswith("low_blocks.")]
            if unexpected or len(new) != len(missing):
                raise RuntimeError(f"--init: weights do not fit (missing {missing}, unexpected {unexpected})")
            if new:
                print(f"note: --init: study parameters start at their initial values: {', '.join(new)}", flush=True)
        if ck is None and args.init_gamma:
            p = Path(args.init_gamma)
            src = torch.load(p / "checkpoint.pt" if p.is_dir() else p, map_location="cpu", weights_only=False)["ema"]
            self.model.gamma.load_state_dict({k[len("gamma."):]: v for k, v in src.items() if k.startswith("gamma.")})
        self.model.to(self.device)
        if args.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.fused = args.fused if args.fused is not None else cuda
        decay, no_decay = [], []
        for name, p in self.model.named_parameters():
            (no_decay if name.startswith("gamma.") or name.endswith(".bias") or name == "decoder_scale" else decay).append(p)
        self.opt = torch.optim.AdamW([{"params": decay, "weight_decay": c["weight_decay"]},
                                      {"params": no_decay, "weight_decay": 0.0}], lr=c["lr"], betas=BETAS,
                                     fused=True if self.fused else None)
        self.ema = copy.deepcopy(self.model).eval()
        if not cuda:  # as before: the CPU run's EMA (evaluated on the CPU) stays in the default layout
            self.ema = self.ema.to(memory_format=torch.contiguous_format)
        for p in self.ema.parameters():
            p.requires_grad_(False)
        self.images_seen = 0
        self.train_seconds = 0.0
        self.nan_skips = 0
        self.last_eval = {}
        self._load_data(args)
        if ck is not None:
            self.model.load_state_dict(ck["model"])
            self.ema.load_state_dict(ck["ema"])
            self.opt.load_state_dict(opt_state_for(ck["opt"], self.fused))
            self.images_seen = ck["images_seen"]
            self.train_seconds, self.nan_skips = ck["train_seconds"], ck.get("nan_skips", 0)
            self.last_eval = ck.get("last_eval", {})
            self._restore_sampler(ck["sampler"])
            print(f"resumed {ckpath} at step {self.step} ({self.train_seconds / 3600:.2f} h)", flush=True)
        if c["batch"] % self.dp.world:
            sys.exit(f"batch {c['batch']} is not a multiple of the {self.dp.world} processes (--batch)")
        if self.dp.is_main:
            (self.run / "config.json").write_text(json.dumps(self.cfg, indent=1))
        self.params = [p for p in self.model.parameters()]
        self.ema_params = [p for p in self.ema.parameters()]
        self.dp.broadcast_parameters(self.params + self.ema_params)
        self.amp = torch.bfloat16 if args.amp == "bf16" else None
        zero = lambda: torch.zeros((), device=self.device)
        self.dev_loss, self.dev_ok, self.dev_skips = zero(), zero(), zero()
        self.host_loss, self.host_ok = 0.0, 0
        self._g0_checked_at, self._g0_free_steps = 0, 0
        self.eval_seconds_est = 60.0
        self.save_seconds_est = 1.0  # measured at each checkpoint (a 2 MB file: well under a second)
        print(f"model {count_parameters(self.model)} parameters, {self.model.flops_per_pixel()} FLOP/pixel/eval; "
              f"config {json.dumps({k: v for k, v in self.cfg.items() if k != 'changes'})}", flush=True)
        ranks = f", {self.dp.world} processes of batch {c['batch'] // self.dp.world}" if self.dp.world > 1 else ""
        print(f"session: device {self.device}{ranks}, amp {args.amp}, fused {self.fused}, sampler "
              f"{type(self.sampler).__name__}, batch {c['batch']}, lr {c['lr']:g}, data {self.data_desc}", flush=True)
        self.stop = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        # Hold (SIGUSR1) and go on (SIGUSR2): a pause for a quiet measurement that stops the training clock.
        # SIGSTOP would pause the process too, but its time would count as training hours.
        self.hold = False
        signal.signal(signal.SIGUSR1, self._on_hold)
        signal.signal(signal.SIGUSR2, self._on_go_on)

    # -- configuration changes on resume ------------------------------------------------------------------
    def _record(self, change: dict):
        change = {"step": self.step, **change}
        self.cfg["changes"].append(change)
        print("change " + json.dumps(change), flush=True)

    def _apply_overrides(self, args):
        c = self.cfg
        old_batch, old_lr = c["batch"], c["lr"]
        new_batch = args.batch if args.batch is not None else old_batch
        if args.lr is not None:
            new_lr, rule = args.lr, "--lr"
        elif new_batch != old_batch:
            ratio = new_batch / old_batch
            new_lr = old_lr * {"sqrt": math.sqrt(ratio), "linear": ratio, "keep": 1.0}[args.lr_rule]
            rule = args.lr_rule
        else:
            return
        if new_batch == old_batch and math.isclose(new_lr, old_lr, rel_tol=1e-12):
            return
        # The lr moves from the current value to the new one over `warmup` steps (Adam's moment estimates
        # were made at the old batch and lr); recorded so that a later resume continues the same schedule.
        cur = self.base_lr_at(self.step)
        c["batch"], c["lr"] = new_batch, new_lr
        c["lr_ramp"] = {"start": self.step, "steps": c["warmup"], "from": cur}
        self._record({"batch": [old_batch, new_batch], "lr": [old_lr, new_lr], "lr_rule": rule,
                      "lr_ramp_steps": c["warmup"]})

    def _apply_decay(self, args):
        c = self.cfg
        d = c.get("decay")
        if d and d["steps"] == args.decay_steps and d["shape"] == args.decay_shape:
            return  # the same command again: continue the recorded decay
        start_mult = self.decay_mult(self.step) if d else 1.0
        c["decay"] = {"start": self.step, "steps": args.decay_steps, "shape": args.decay_shape, "from": start_mult}
        self._record({"decay": c["decay"]})

    def decay_mult(self, step):
        d = self.cfg.get("decay")
        if not d:
            return 1.0
        frac = min(1.0, max(0.0, (step - d["start"]) / max(1, d["steps"])))
        shape = 0.5 * (1.0 + math.cos(math.pi * frac)) if d["shape"] == "cosine" else 1.0 - frac
        return d["from"] * shape

    def base_lr_at(self, step):
        """The lr before any decay: warm-up from 0, then after a --batch/--lr change a linear ramp from the
        old lr to the new one over `warmup` steps."""
        c = self.cfg
        lr = c["lr"] * min(1.0, (step + 1) / max(1, c["warmup"]))
        ramp = c.get("lr_ramp")
        if ramp and step < ramp["start"] + ramp["steps"]:
            a = (step - ramp["start"] + 1) / max(1, ramp["steps"])
            lr = ramp["from"] + (c["lr"] - ramp["from"]) * a
        return lr

    def lr_at(self, step):
        return self.base_lr_at(step) * self.decay_mult(step)

    def decay_done(self):
        d = self.cfg.get("decay")
        return bool(d) and self.step >= d["start"] + d["steps"]

    # -- data ---------------------------------------------------------------------------------------------
    def _load_data(self, args):
        c = self.cfg
        packed = load_packed(args.packed) if args.packed else None
        images = args.images or (c.get("data", {}).get("dir") if c.get("data", {}).get("source") == "images" else None)
        if images:
            photos, cifar = load_image_folder(images, min_side=c["crop"]), None
            if c["photo_frac"] < 1.0:
                sys.exit(f"--images needs photo_frac 1 (this run has {c['photo_frac']}): use a new run")
            data = {"source": "images", "dir": str(Path(images).resolve())}
            self.data_desc = f"images {data['dir']} ({len(photos)} PNGs)"
        elif packed is not None:
            photos, cifar = packed["photos"], packed["cifar"]
            data = {"source": "corpora"}
            man = json.dumps(packed["manifest"], sort_keys=True).encode()
            self.data_desc = (f"packed {args.packed} ({len(photos)} tiles = "
                              f"{packed['manifest']['photo_fraction_of_pixels']:.1%} of photos-train, "
                              f"manifest {hashlib.sha256(man).hexdigest()[:12]})")
        else:
            photos, cifar = load_photos(), load_cifar_train()
            data = {"source": "corpora"}
            self.data_desc = "corpora (photos-train + CIFAR-10 train)"
        if "data" not in c:
            c["data"] = data
        elif c["data"] != data:
            self._record({"data": data})
            c["data"] = data
        kind = args.sampler if args.sampler != "auto" else ("torch" if self.device.type == "cuda" else "numpy")
        if kind == "torch" and c.get("smooth_frac", 0.0):
            sys.exit("--smooth-frac needs the numpy sampler (--sampler numpy)")
        if kind == "torch":
            self.sampler = TorchCropSampler(photos, cifar, c["crop"], c["photo_frac"], seed=c["seed"],
                                            device=self.device)
        else:
            self.sampler = CropSampler(photos, cifar, c["crop"], c["photo_frac"], seed=c["seed"],
                                       smooth_frac=c.get("smooth_frac", 0.0))
        self.eval_cifar = self._eval_set("cifar", args.eval_cifar, packed)
        self.eval_kodak = self._eval_set("kodak", args.eval_kodak_crops, packed)

    def _eval_set(self, which, count, packed):
        if not count or not self.dp.is_main:  # rank 0 evaluates
            return None
        try:
            if packed is not None:
                t = packed[f"eval_{which}"]
                if t is None or len(t) < count:
                    raise FileNotFoundError(f"the packed data hold {0 if t is None else len(t)} {which} eval images")
                t = t[:count]
            else:
                t = test_cifar(count) if which == "cifar" else test_kodak_fixed_crops(count)
        except (FileNotFoundError, OSError) as e:
            print(f"note: no {which} evaluation ({e})", flush=True)
            return None
        return t.to(self.device)

    def _restore_sampler(self, state):
        torch_state = isinstance(state, dict) and "torch_generator" in state
        if isinstance(self.sampler, TorchCropSampler) == torch_state and \
                (not torch_state or state.get("device") == self.device.type):
            self.sampler.set_state(state)
            return
        seed = self.cfg["seed"] + self.step  # another sampler kind: a fresh, deterministic stream
        if isinstance(self.sampler, TorchCropSampler):
            self.sampler.gen.manual_seed(seed)
        else:
            self.sampler.rng = np.random.default_rng(seed)
        print(f"note: sampler state of another kind in the checkpoint; crops re-seeded with seed+step = {seed}",
              flush=True)

    # -- steps --------------------------------------------------------------------------------------------
    def _on_signal(self, *_):
        self.stop = True

    def _on_hold(self, *_):
        self.hold = True

    def _on_go_on(self, *_):
        self.hold = False

    def save(self):
        t0 = time.time()
        nan_skips = self.nan_skips + int(round(float(self.dev_skips)))
        atomic_save({"config": self.cfg, "model": self.model.state_dict(), "ema": self.ema.state_dict(),
                     "opt": self.opt.state_dict(), "step": self.step, "images_seen": self.images_seen,
                     "train_seconds": self.train_seconds, "nan_skips": nan_skips,
                     "sampler": self.sampler.state(), "last_eval": self.last_eval}, self.run / "checkpoint.pt")
        self.save_seconds_est = max(self.save_seconds_est if self.step else 0.0, time.time() - t0)

    def window_for_step(self):
        """The training decoder window when γ_0 < WINDOW_MAX_GAMMA0 is certain, else None (exact decoder).

        γ_0 is read on the host only when the Adam bound can no longer guarantee it (about every 100 steps
        at lr 4e-3 with γ_0 = −11.9), not every step."""
        if self.step - self._g0_checked_at >= self._g0_free_steps:
            g0 = float(self.model.gamma.gamma0.detach())
            ramp = self.cfg.get("lr_ramp") or {}
            lr_max = max(self.cfg["lr"], ramp.get("from", 0.0))
            margin = WINDOW_MAX_GAMMA0 - g0
            self._g0_checked_at = self.step
            self._g0_free_steps = int(margin / (ADAM_STEP_BOUND * lr_max)) if margin > 0 else 0
        return DECODER_WINDOW if self.step - self._g0_checked_at < self._g0_free_steps else None

    def train_step(self):
        c = self.cfg
        x = self.sampler.sample(c["batch"])[self.dp.rows(c["batch"])]  # every rank draws the global batch
        if x.device != self.device:
            x = x.to(self.device, non_blocking=True)
        for g in self.opt.param_groups:
            g["lr"] = self.lr_at(self.step)
        steps = c["coding_steps"] if c["loss"] == "discrete" else None
        total, terms = training_loss(self.model, x, steps, window=self.window_for_step(), window_checked=True,
                                     amp_dtype=self.amp, part=self.dp.part(c["batch"]))
        loss = total.mean() / (x[0].numel() * LN2)  # bits/dim
        self.opt.zero_grad(set_to_none=True)
        if self.fused:
            return self._step_on_device(loss, c["batch"])
        if self.dp.world > 1:  # every rank takes part in the all-reduce, then all decide alike
            loss.backward()
            loss = self.dp.average_gradients(self.params, loss)
            if not torch.isfinite(loss):
                self.nan_skips += 1
                self.opt.zero_grad(set_to_none=True)
                return
        elif not torch.isfinite(loss):
            self.nan_skips += 1
            return
        else:
            loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(self.params, c["grad_clip"])
        if not torch.isfinite(gn):
            self.nan_skips += 1
            self.opt.zero_grad(set_to_none=True)
            return
        self.opt.step()
        with torch.no_grad():
            d = c["ema"]
            for pe, pm in zip(self.ema_params, self.params):
                pe.lerp_(pm.detach(), 1.0 - d)
        self.step += 1
        self.images_seen += c["batch"]
        self.host_loss += float(loss.detach())
        self.host_ok += 1

    def _step_on_device(self, loss, n):
        """Backward, clip, AdamW, EMA without reading anything on the host: a non-finite loss or gradient
        norm sets found_inf, which makes the fused AdamW kernel skip the update (and undo its step count),
        and zeroes the EMA's move. The step is counted either way; nan_skips counts the skipped ones."""
        c = self.cfg
        loss.backward()
        loss = self.dp.average_gradients(self.params, loss)
        gn = torch.nn.utils.clip_grad_norm_(self.params, c["grad_clip"], foreach=True)
        with torch.no_grad():
            bad = torch.logical_not(torch.isfinite(loss) & torch.isfinite(gn)).to(torch.float32)
            self.opt.found_inf = bad  # 0-dim, like the step counters it is subtracted from
            self.opt.step()
            w = (1.0 - c["ema"]) * (1.0 - bad)
            moves = torch._foreach_sub(self.params, self.ema_params)
            torch._foreach_mul_(moves, w)
            torch._foreach_add_(self.ema_params, moves)
            self.dev_loss += torch.where(bad > 0, 0.0, loss.detach())
            self.dev_ok += 1.0 - bad
            self.dev_skips += bad
        self.step += 1
        self.images_seen += n

    def take_losses(self):
        """(mean train loss since the last call or nan, skipped steps) — one host read in fused mode."""
        if self.fused:
            s, ok, skips = torch.stack([self.dev_loss, self.dev_ok, self.dev_skips]).tolist()
            self.dev_loss.zero_()
            self.dev_ok.zero_()
            self.dev_skips.zero_()
            self.nan_skips += int(round(skips))
        else:
            s, ok = self.host_loss, self.host_ok
            self.host_loss, self.host_ok = 0.0, 0
        return (s / ok if ok else float("nan")), self.nan_skips

    @torch.no_grad()
    def evaluate(self):
        t0 = time.time()
        T = self.cfg["coding_steps"]
        m = self.ema
        row = {"step": self.step, "images_seen": self.images_seen, "hours": round(self.train_seconds / 3600, 4)}
        tf32 = torch.backends.cudnn.allow_tf32
        torch.backends.cudnn.allow_tf32 = False  # evaluate in full float32, as on the CPU
        try:
            if self.eval_cifar is not None:
                n = len(self.eval_cifar)
                row[f"cifar{n}_T{T}"] = float(elbo_discrete(m, self.eval_cifar, T, seed=1).mean())
                row[f"cifar{n}_cont"] = float(elbo_continuous(m, self.eval_cifar, 16, seed=2).mean())
            if self.eval_kodak is not None:
                n = len(self.eval_kodak)
                row[f"kodak{n}x64_T{T}"] = float(elbo_discrete(m, self.eval_kodak, T, seed=3).mean())
                row[f"kodak{n}x64_cont"] = float(elbo_continuous(m, self.eval_kodak, 16, seed=4).mean())
        finally:
            torch.backends.cudnn.allow_tf32 = tf32
        g = m.gamma(torch.tensor([0.0, 1.0], device=self.device))
        row["gamma0"], row["gamma1"] = round(float(g[0]), 4), round(float(g[1]), 4)
        row["eval_seconds"] = round(time.time() - t0, 1)
        self.eval_seconds_est = time.time() - t0
        append_csv(self.run / "eval.csv", row)
        self.last_eval = {k: v for k, v in row.items() if k != "eval_seconds"}
        self.last_eval_step = self.step
        print("eval " + json.dumps(row), flush=True)

    # -- the loop -----------------------------------------------------------------------------------------
    def _sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize()

    def loop(self):
        a = self.args
        deadline = a.deadline
        if a.max_minutes is not None:
            deadline = min(deadline or math.inf, _T0 + 60 * a.max_minutes)
        self.last_eval_step = -1
        mark = time.time()  # training time runs from here, paused for evaluations and checkpoints

        def pause():
            nonlocal mark
            self._sync()
            self.train_seconds += time.time() - mark

        def resume():
            nonlocal mark
            mark = time.time()

        main = self.dp.is_main
        if (self.step == 0 or a.eval_at_start) and main:
            self.evaluate()
            resume()
        last_ckpt = last_eval = time.time()
        t_log, imgs_log, paused_since_log = time.time(), self.images_seen, 0.0

        def reserve():  # what a deadline stop needs: the checkpoint, the final evaluation if asked, a margin
            return self.save_seconds_est + (self.eval_seconds_est if a.final_eval else 0.0) + STOP_MARGIN_S

        def why_stop():
            if self.stop:
                return "signal"
            if a.max_steps is not None and self.step >= a.max_steps:
                return "max-steps"
            if a.max_hours is not None and self.train_seconds + time.time() - mark >= a.max_hours * 3600:
                return "max-hours"
            if self.decay_done():
                return "decay finished"
            if deadline is not None and time.time() + reserve() >= deadline:
                return "time budget"
            return None

        while True:
            # Rank 0's clock and signals decide for every rank (one broadcast a step; none in one process).
            why, hold = self.dp.agree((why_stop(), self.hold))
            if why is not None:
                break
            if hold:  # SIGUSR1: not training, so the clock stops until SIGUSR2, a stop or the deadline
                t0 = time.time()
                pause()
                print(f"held at step {self.step} (SIGUSR1); SIGUSR2 goes on", flush=True)
                while self.hold and not self.stop and (deadline is None or time.time() + reserve() < deadline):
                    time.sleep(0.2)  # the other ranks wait in the next broadcast
                paused_since_log += time.time() - t0
                resume()
                continue
            self.train_step()
            if self.step % a.log_every == 0 and main:
                loss, skips = self.take_losses()  # in fused mode the one host sync of the interval
                now = time.time()
                row = {"step": self.step, "images_seen": self.images_seen,
                       "hours": round((self.train_seconds + now - mark) / 3600, 4), "train_bpd": round(loss, 5),
                       "img_per_s": round((self.images_seen - imgs_log) / max(1e-9, now - t_log - paused_since_log), 1),
                       "lr": self.lr_at(self.step), "nan_skips": skips}
                with torch.no_grad():
                    g = self.model.gamma(torch.tensor([0.0, 1.0], device=self.device))
                row["gamma0"], row["gamma1"] = round(float(g[0]), 4), round(float(g[1]), 4)
                append_csv(self.run / "train.csv", row)
                print("train " + json.dumps(row), flush=True)
                t_log, imgs_log, paused_since_log = now, self.images_seen, 0.0
            due_eval = time.time() - last_eval > a.eval_minutes * 60
            if due_eval and deadline is not None and \
                    time.time() + 2 * self.eval_seconds_est + self.save_seconds_est + 10 >= deadline:
                due_eval = False  # no room before the final evaluation / checkpoint
            due_eval, due_ckpt = self.dp.agree((due_eval, due_eval or time.time() - last_ckpt > a.ckpt_minutes * 60))
            if due_ckpt:
                t0 = time.time()
                pause()
                if due_eval:
                    if main:
                        self.evaluate()
                    last_eval = time.time()
                if main:
                    self.save()
                last_ckpt = time.time()
                paused_since_log += time.time() - t0
                resume()
        pause()
        if a.final_eval and self.last_eval_step != self.step and main:
            self.evaluate()
        self.take_losses()
        if main:
            self.save()
        print(f"stopped at step {self.step} ({why}); checkpoint saved; "
              f"{time.time() - _T0:.0f} s since start", flush=True)


class RunLock:
    """An exclusive lock on a run directory for the life of one training process, so that a second
    process on the same run (say, a resume started while a stopping one still finishes its evaluation)
    exits with one line instead of interleaving checkpoints and logs. It is an flock on the directory
    itself: no file is added to the run, and the kernel releases it when the process dies."""

    def __init__(self, run):
        self.run = Path(run)

    def __enter__(self):
        import fcntl
        self.run.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.run, os.O_RDONLY)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            sys.exit(f"{self.run}: another training process is using this run (a stopping one may still be "
                     "writing its evaluation and checkpoint); wait for it to exit")
        return self

    def __exit__(self, *exc):
        os.close(self.fd)  # closing the descriptor releases the flock
        return False


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    dp = DataParallel.from_environment(args.device)  # Solo unless started by torchrun with > 1 process
    if not dp.is_main:
        sys.stdout = open(os.devnull, "w")  # rank 0 logs; errors still reach stderr
    # On an error this rank just exits (torchrun then stops the others); a barrier here could wait for ever
    # on a rank that is inside a collective of the loop.
    with RunLock(args.run) if dp.is_main else contextlib.nullcontext():
        Trainer(args, dp).loop()
    dp.close()
    if not dp.is_main:
        # The other ranks write nothing, so they leave without the interpreter's teardown: under load, gloo's
        # threads were seen to abort a rank there ("terminate called without an active exception", 2 runs in
        # 11), which fails the whole torchrun job after the run had finished and saved.
        sys.stderr.flush()
        os._exit(0)


if __name__ == "__main__":
    share_nice_with_autogroup()  # the command line only: tests calling main() never renice their session
    main()
