"""Export a checkpoint (safetensors + JSON metadata, NETWORK.md "Checkpoint file") and parity fixtures
(NETWORK.md "Parity fixture").

    python3 -m training.export --run /work/runs/default --out Sources/Model/Resources/default.safetensors \
        --fixture Tests/ModelTests/Fixtures/default_fixture.safetensors
    python3 -m training.export --tiny-fixtures Tests/ModelTests/Fixtures

A run trained with ``--decoder network`` exports with ``"decoder": "network"`` in the metadata and its
``decoder_scale`` tensor (NETWORK.md "Decoder p(x | z_0)"); other study options are refused.
"""
import argparse
import hashlib
import json
import math
from pathlib import Path

import torch
from safetensors.torch import save_file

from .elbo import elbo_discrete_terms
from .network import ARCHITECTURE, VDMZNetwork
from .loss import scaled


# Study options the Swift model implements (NETWORK.md "Decoder p(x | z_0)"); the others are refused.
EXPORTABLE_STUDY_OPTIONS = ({}, {"decoder": "network"})


def checkpoint_metadata(model: VDMZNetwork, coding_steps: int, training: dict, evaluation: dict) -> dict:
    """The ``vdmz`` metadata object; ``"decoder": "network"`` only for the network decoder (a checkpoint
    without the key has today's decoder, so today's exports keep their bytes)."""
    decoder = {"decoder": "network"} if model.decoder == "network" else {}
    return {"format": "vdmz-checkpoint", "version": 1, "architecture": ARCHITECTURE,
            **model.hyperparameters(), **decoder, "coding_steps": int(coding_steps),
            "training": training, "evaluation": evaluation}


def save_checkpoint(model: VDMZNetwork, path, coding_steps: int, training=None, evaluation=None) -> str:
    """Writes the safetensors checkpoint; returns its sha256 (hex). ``vdmz-resnet-1``, with the network decoder
    (``decoder_scale`` tensor, ``"decoder": "network"``) as the only study option: the Swift model does not
    implement the others."""
    if model.study_options() not in EXPORTABLE_STUDY_OPTIONS:
        raise ValueError(f"study options {model.study_options()} are not part of {ARCHITECTURE}: not exportable")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in model.state_dict().items()}
    meta = checkpoint_metadata(model, coding_steps, training or {}, evaluation or {})
    tmp = path.with_suffix(path.suffix + ".tmp")
    save_file(tensors, str(tmp), metadata={"vdmz": json.dumps(meta)})
    tmp.replace(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@torch.no_grad()
def save_fixture(model: VDMZNetwork, checkpoint_sha256: str, x_nhwc: torch.Tensor, T: int, path, seed=0):
    """Parity fixture: inputs, network outputs and per-image ELBO terms computed by PyTorch.

    ELBO noise: z_{t_i} = α_{t_i} f + σ_{t_i} ε_i with α, σ from the float32 γ grid computed in float64,
    z rounded to float32 before the network; element-wise ELBO terms in float64, stored as float32.
    """
    model = model.to("cpu").eval()
    gen = torch.Generator().manual_seed(seed)
    x = x_nhwc.permute(0, 3, 1, 2).contiguous()
    n, _, h, w = x.shape
    grid = model.gamma.grid(T)
    # Network evaluations at varied γ and z.
    ts = torch.tensor([0.03, 0.5, 0.93], dtype=torch.float64)
    net_gamma = model.gamma(ts).to(torch.float32)
    f = scaled(x).to(torch.float64)
    zs = []
    for m in range(3):
        g = net_gamma[m].to(torch.float64)
        a, s = torch.sqrt(torch.sigmoid(-g)), torch.sqrt(torch.sigmoid(g))
        zs.append((a * f[m % n] + s * torch.randn((3, h, w), generator=gen, dtype=torch.float64)).to(torch.float32))
    net_z = torch.stack(zs)
    net_out = model(net_z, net_gamma)
    eps0 = torch.randn((n, 3, h, w), generator=gen, dtype=torch.float64)
    eps = torch.randn((n, T, 3, h, w), generator=gen, dtype=torch.float64)
    terms = elbo_discrete_terms(model, x, grid, eps0, lambda i: eps[:, i - 1])
    tensors = {
        "x": x_nhwc.to(torch.uint8).contiguous(),
        "net_z": net_z.contiguous(), "net_gamma": net_gamma.contiguous(), "net_out": net_out.contiguous(),
        "gamma_t": grid.contiguous(),
        "elbo_eps0": eps0.to(torch.float32).contiguous(), "elbo_eps": eps.to(torch.float32).contiguous(),
        "elbo_prior_bpd": terms["prior"].to(torch.float32), "elbo_recon_bpd": terms["recon"].to(torch.float32),
        "elbo_diffusion_bpd": terms["diffusion"].to(torch.float32),
    }
    # The stored float32 noise is what the Swift side reads: recompute with exactly those values.
    terms = elbo_discrete_terms(model, x, grid, tensors["elbo_eps0"], lambda i: tensors["elbo_eps"][:, i - 1])
    for k in ("prior", "recon", "diffusion"):
        tensors[f"elbo_{k}_bpd"] = terms[k].to(torch.float32).contiguous()
    if model.decoder == "network":
        tensors.update(decoder_fixture(model, x, grid, tensors["elbo_eps0"]))
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    meta = {"checkpoint_sha256": checkpoint_sha256, "T": T, "N": n, "M": 3, "H": h, "W": w,
            "learned_variance": model.learned_variance,
            "note": "ELBO element-wise terms in float64 from these float32 inputs; network in float32"}
    save_file(tensors, str(path), metadata={"vdmz_fixture": json.dumps(meta)})
    return {k: v.tolist() for k, v in terms.items()}


def decoder_fixture(model: VDMZNetwork, x: torch.Tensor, grid: torch.Tensor, eps0: torch.Tensor) -> dict:
    """The network decoder's intermediate values at the fixture's z_0 = α_0 f + σ_0 ε_0 (float64, ε_0 the
    stored float32 noise): x̂ and 1/s² of decoder_terms, and log p(x | z_0) of each sub-pixel (exact
    256-way normaliser), all [N, 3, H, W] float32."""
    from .decoder import decoder_probabilities, decoder_terms
    g0 = grid[0].to(torch.float64)
    f = scaled(x).to(torch.float64)
    z0 = torch.sqrt(torch.sigmoid(-g0)) * f + torch.sqrt(torch.sigmoid(g0)) * eps0.to(torch.float64)
    xhat, inv_s2 = decoder_terms(model, z0, g0)
    probs = decoder_probabilities(model, z0, g0)
    logp = torch.log(torch.gather(probs, -1, x.to(torch.int64)[..., None]))[..., 0]
    return {"decoder_xhat": xhat.to(torch.float32).contiguous(),
            "decoder_precision": inv_s2.expand_as(xhat).to(torch.float32).contiguous(),
            "decoder_log_prob": logp.to(torch.float32).contiguous()}


def random_tiny_model(learned_variance: bool, seed: int, decoder: str = "uniform") -> VDMZNetwork:
    """C=8, B=2, fourier [6, 7] with every weight random and non-zero (zero-initialised layers perturbed,
    γ randomised a little), so the parity test exercises every path. ``decoder="network"``: the network
    decoder with ``decoder_scale`` drawn around s = one bin after the other weights (their values do not
    change)."""
    torch.manual_seed(seed)
    model = VDMZNetwork(channels=8, blocks=2, fourier_n=(6, 7), learned_variance=learned_variance, decoder=decoder)
    with torch.no_grad():
        for b in model.blocks:
            b.conv2.weight.normal_(0, 0.1)
            b.conv2.bias.normal_(0, 0.1)
        model.conv_out.weight.normal_(0, 0.1)
        model.conv_out.bias.normal_(0, 0.1)
        for name in ("temb1", "temb2"):
            getattr(model, name).bias.normal_(0, 0.1)
        gm = model.gamma
        gm.l1.weight.fill_(1.3)
        gm.l1.bias.fill_(-0.2)
        gm.l2.bias.normal_(-4, 2)
        gm.l3.weight.uniform_(-2e-3, 2e-3)  # signs vary: |W3| must be honoured
        gm.l3.bias.fill_(0.7)
        gm.gamma0.fill_(-12.7)
        gm.gamma1.fill_(5.6)
        if decoder == "network":
            model.decoder_scale[0].normal_(math.log(2.0 / 256.0), 0.3)
            model.decoder_scale[1].normal_(0, 0.5)
    return model.eval()


def export_tiny(out_dir):
    out_dir = Path(out_dir)
    gen = torch.Generator().manual_seed(7)
    x = torch.randint(0, 256, (2, 11, 13, 3), generator=gen, dtype=torch.uint8)
    x[1, :, :6] = 255  # saturated and dark regions exercise the decoder tails
    x[1, :4, 6:] = 0
    for lv, stem, seed, decoder in ((False, "tiny", 1, "uniform"), (True, "tiny_lv", 2, "uniform"),
                                    (True, "tiny_nd", 3, "network")):
        model = random_tiny_model(lv, seed, decoder)
        sha = save_checkpoint(model, out_dir / f"{stem}.safetensors", coding_steps=8,
                              training={"note": "random weights for parity tests; not trained"})
        terms = save_fixture(model, sha, x, T=8, path=out_dir / f"{stem}_fixture.safetensors", seed=seed)
        print(stem, sha[:16], {k: [round(v, 5) for v in vs] for k, vs in terms.items()})


def study_options(cfg: dict) -> dict:
    """The study options of a run config (training/study.py); empty for runs made before them."""
    return {k: cfg[k] for k in ("lowres_blocks", "decoder", "space") if k in cfg}


def load_run_model(run_dir, which="ema"):
    ck = torch.load(Path(run_dir) / "checkpoint.pt", map_location="cpu", weights_only=False)
    cfg = ck["config"]
    model = VDMZNetwork(cfg["channels"], cfg["blocks"], cfg["fourier_n"], cfg["learned_variance"],
                        **study_options(cfg))
    model.load_state_dict(ck[which])
    return model.eval(), ck


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", help="run directory with checkpoint.pt")
    ap.add_argument("--out", help="output .safetensors checkpoint")
    ap.add_argument("--fixture", help="also write a parity fixture for the exported model here")
    ap.add_argument("--fixture-T", type=int, default=16)
    ap.add_argument("--tiny-fixtures", metavar="DIR", help="write the tiny random parity models + fixtures")
    args = ap.parse_args(argv)
    if args.tiny_fixtures:
        export_tiny(args.tiny_fixtures)
    if args.run:
        if not args.out:
            ap.error("--run needs --out")
        model, ck = load_run_model(args.run)
        cfg = ck["config"]
        training = {"weights": "EMA", "ema_decay": cfg["ema"], "steps": ck["step"],
                    "images_seen": ck["images_seen"], "hours": round(ck["train_seconds"] / 3600, 3),
                    "loss": f"discrete-time L_T, T={cfg['coding_steps']}" if cfg["loss"] == "discrete"
                    else "continuous-time", "batch": cfg["batch"], "crop": cfg["crop"],
                    "data": f"random {cfg['crop']}x{cfg['crop']} crops: {cfg['photo_frac']} photos-train, "
                            f"rest CIFAR-10 train_images.npy (3000); horizontal flips",
                    "optimizer": f"AdamW lr {cfg['lr']} wd {cfg['weight_decay']}"}
        if cfg.get("data", {}).get("source") == "images":
            training["data"] = (f"random {cfg['crop']}x{cfg['crop']} crops of the PNGs under {cfg['data']['dir']} "
                                f"(codec model planes); horizontal flips")
        if cfg.get("init"):
            training["init"] = cfg["init"]  # fine-tuned from these weights; steps/hours count this run only
        if cfg.get("changes"):
            training["schedule_changes"] = cfg["changes"]  # --batch/--lr overrides, --decay-steps, data changes
        evaluation = ck.get("last_eval", {})
        sha = save_checkpoint(model, args.out, cfg["coding_steps"], training, evaluation)
        print(f"wrote {args.out} sha256 {sha}")
        if args.fixture:
            import numpy as np
            from .data import test_cifar
            x = test_cifar(2).permute(0, 2, 3, 1)[:, 3:14, 5:18].contiguous()  # 2 images, 11×13
            terms = save_fixture(model, sha, x, T=args.fixture_T, path=args.fixture)
            print(f"wrote {args.fixture}", terms)


if __name__ == "__main__":
    main()
