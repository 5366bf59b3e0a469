"""Full test-set evaluation of a run or an exported checkpoint (numbers for MODEL_CARD.md).

    python3 -m training.evaluate --run /work/runs/default
    python3 -m training.evaluate --checkpoint Sources/Model/Resources/default.safetensors
    python3 -m training.evaluate --checkpoint my.safetensors --cifar 0 --skip-kodak --images held-out/ --image-steps 8

Negative ELBO in bits/dim at the coding T (exact 256-way decoder, every step 1…T, fixed-seed noise) and
continuous-time (T → ∞, stratified t), on cifar-500 (all 500) and the 24 Kodak images (centre 256×256
crops by default, ``--kodak-size 0`` for the full 768×512 images), and optionally on every PNG of a folder
(``--images``: whole images as the codec models them, e.g. held-out images of a fine-tune). Appends a row
to RUN/final_eval.csv (or --csv) and prints JSON.
"""
import argparse
import json
import time
from pathlib import Path

import torch
from safetensors import safe_open

from .data import kodak_paths, load_png, model_planes, test_cifar, test_kodak_center_crops
from .elbo import elbo_continuous, elbo_discrete
from .export import load_run_model
from .network import VDMZNetwork
from .train import append_csv


def load_safetensors_model(path):
    with safe_open(str(path), "pt") as fh:
        meta = json.loads(fh.metadata()["vdmz"])
        state = {k: fh.get_tensor(k) for k in fh.keys()}
    # "decoder": "network" (NETWORK.md "Decoder p(x | z_0)"); absent in checkpoints with today's decoder.
    model = VDMZNetwork(meta["channels"], meta["blocks"], meta["fourier_n"], meta["learned_variance"],
                        decoder=meta.get("decoder", "uniform"))
    model.load_state_dict(state)
    return model.eval(), meta


class FixedVariance(torch.nn.Module):
    """The same network with its learned variance ignored (σ_p² = σ_Q²): measures what v saves."""

    def __init__(self, model):
        super().__init__()
        self.m = model
        self.gamma = model.gamma

    def forward(self, z, g):
        return self.m(z, g)[:, :3]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run")
    ap.add_argument("--checkpoint")
    ap.add_argument("--T", type=int, default=None, help="steps (default: the model's coding_steps)")
    ap.add_argument("--cifar", type=int, default=500, help="first N cifar-500 images; 0 skips cifar")
    ap.add_argument("--kodak-size", type=int, default=256, help="centre crop size; 0 = full images")
    ap.add_argument("--kodak-steps", type=int, default=None,
                    help="stratified subset of steps per Kodak image (unbiased; default all T)")
    ap.add_argument("--continuous-samples", type=int, default=16)
    ap.add_argument("--ignore-variance", action="store_true", help="evaluate with σ_p² = σ_Q² (ablation)")
    ap.add_argument("--skip-kodak", action="store_true")
    ap.add_argument("--images", help="also evaluate every PNG under this folder (whole images, codec model planes)")
    ap.add_argument("--image-steps", type=int, default=None,
                    help="stratified subset of steps per --images image (unbiased; default all T)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--csv")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    if args.run:
        model, ck = load_run_model(args.run)
        T = args.T or ck["config"]["coding_steps"]
        info = {"source": str(args.run), "step": ck["step"], "images_seen": ck["images_seen"],
                "hours": round(ck["train_seconds"] / 3600, 3)}
    elif args.checkpoint:
        model, meta = load_safetensors_model(args.checkpoint)
        T = args.T or meta["coding_steps"]
        info = {"source": str(args.checkpoint), "step": meta.get("training", {}).get("steps")}
    else:
        ap.error("give --run or --checkpoint")
    if args.ignore_variance:
        model = FixedVariance(model)
    row = dict(info)
    row["T"] = T
    row["ignore_variance"] = bool(args.ignore_variance)
    if args.cifar > 0:
        t0 = time.time()
        cifar = test_cifar(args.cifar)
        row[f"cifar{len(cifar)}_T{T}"] = float(elbo_discrete(model, cifar, T, seed=11).mean())
        row[f"cifar{len(cifar)}_cont"] = float(elbo_continuous(model, cifar, args.continuous_samples, seed=12).mean())
        row["cifar_seconds"] = round(time.time() - t0, 1)
        print(json.dumps(row), flush=True)
    if not args.skip_kodak:
        t0 = time.time()
        if args.kodak_size:
            kodak = [test_kodak_center_crops(args.kodak_size)]
            name = f"kodak24c{args.kodak_size}"
        else:
            kodak = [torch.from_numpy(load_png(p)).permute(2, 0, 1)[None].contiguous() for p in kodak_paths()]
            name = "kodak24full"
        disc, cont, pix = [], [], []
        for k in kodak:
            disc.append(elbo_discrete(model, k, T, seed=13, steps_per_image=args.kodak_steps, batch=4))
            cont.append(elbo_continuous(model, k, args.continuous_samples, seed=14, batch=4))
            pix += [k[0].numel()] * k.shape[0]
        d, c = torch.cat(disc), torch.cat(cont)
        w = torch.tensor(pix, dtype=torch.float64)
        # bits/dim over the whole set = total bits / total sub-pixels (all crops the same size anyway)
        row[f"{name}_T{T}"] = float((d * w).sum() / w.sum())
        row[f"{name}_cont"] = float((c * w).sum() / w.sum())
        row["kodak_steps"] = args.kodak_steps or T
        row["kodak_seconds"] = round(time.time() - t0, 1)
    if args.images:
        t0 = time.time()
        files = sorted(p for p in Path(args.images).rglob("*") if p.suffix.lower() == ".png" and p.is_file())
        if not files:
            ap.error(f"no PNG files under {args.images}")
        bits, dims = 0.0, 0
        for p in files:
            x = torch.from_numpy(model_planes(p)[0]).permute(2, 0, 1)[None].contiguous()
            bpd = float(elbo_discrete(model, x, T, seed=15, steps_per_image=args.image_steps, batch=1)[0])
            print(json.dumps({"image": p.name, "pixels": x[0, 0].numel(), f"bpd_T{T}": round(bpd, 5)}), flush=True)
            bits += bpd * x[0].numel()
            dims += x[0].numel()
        row[f"images{len(files)}_T{T}"] = bits / dims  # total bits / total sub-pixels
        row["images_dir"] = str(args.images)
        row["image_steps"] = args.image_steps or T
        row["images_seconds"] = round(time.time() - t0, 1)
    out = Path(args.csv) if args.csv else (Path(args.run) / "final_eval.csv" if args.run else None)
    if out:
        append_csv(out, row)
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    from .priority import share_nice_with_autogroup
    share_nice_with_autogroup()  # the command line only (training/priority.py)
    main()
