"""Exact-decoder negative ELBO of a trained model (evaluation and parity fixtures).

Element-wise terms are computed in float64; the network runs in float32 on z rounded to float32.
"""
import math

import torch

from .loss import LN2, diffusion_kl, prior_nats, recon_nats, scaled, stratified_uniform


def _ab(g):
    return torch.sqrt(torch.sigmoid(-g)), torch.sqrt(torch.sigmoid(g))


def _bc(v, like):
    return v.reshape(-1, *([1] * (like.dim() - 1)))


def _is_study(model):
    return getattr(model, "space", "rgb") != "rgb" or getattr(model, "decoder", "uniform") != "uniform"


def _values(model, x):
    """f of the model's data space in float64 (``scaled`` for RGB, the default)."""
    space = getattr(model, "space", "rgb")
    if space == "rgb":
        return scaled(x).to(torch.float64)
    from .colour import level_values, to_levels
    return level_values(to_levels(x, space), space, torch.float64)


def _recon(model, x, z0, g0):
    """Exact-normaliser −log p(x|z_0) per image: today's decoder, or the study decoder (training/decoder.py)."""
    if not _is_study(model):
        return recon_nats(x, z0, g0, window=None)
    from .colour import to_levels
    from .decoder import recon_nats_study
    space = getattr(model, "space", "rgb")
    return recon_nats_study(model, to_levels(x, space), z0, g0, space, window=None)


@torch.no_grad()
def elbo_discrete_terms(model, x, gamma_grid, eps0, eps_of_step, steps=None):
    """Per-image terms in bits per sub-pixel of the T-step ELBO (docs/DESIGN.md §1 / NETWORK.md fixture).

    gamma_grid: [T+1] float32 γ(i/T). eps0: [N,3,H,W] noise of z_0. eps_of_step(i) → [N,3,H,W] noise of
    z_{t_i}. steps: iterable subset of 1…T (diffusion term scaled by T/len(steps)); default all.
    """
    dev = x.device
    T = gamma_grid.numel() - 1
    g = gamma_grid.to(torch.float64)
    f = _values(model, x)
    d = x[0].numel()
    prior = prior_nats(f, g[T])
    a0, s0 = _ab(g[0])
    z0 = a0 * f + s0 * eps0.to(torch.float64)
    recon = _recon(model, x, z0, g[0])
    steps = list(range(1, T + 1)) if steps is None else list(steps)
    diff = torch.zeros(x.shape[0], dtype=torch.float64, device=dev)
    for i in steps:
        eps = eps_of_step(i).to(torch.float64)
        at, st = _ab(g[i])
        z = (at * f + st * eps).to(torch.float32)
        gam = gamma_grid[i].to(torch.float32).expand(x.shape[0]).contiguous()
        y = model(z, gam).to(torch.float64)
        diff += diffusion_kl(eps, y, g[i - 1], g[i])
    diff *= T / len(steps)
    k = d * LN2
    return {"prior": prior / k, "recon": recon / k, "diffusion": diff / k}


@torch.no_grad()
def elbo_discrete(model, x, T, seed=0, steps_per_image=None, batch=64):
    """T-step negative ELBO, bits/dim per image [N] (float64), with fixed-seed noise.

    steps_per_image=None: all T steps; else that many stratified steps (unbiased, scaled by T/k)."""
    gen = torch.Generator(device="cpu").manual_seed(seed)
    grid = model.gamma.grid(T)
    out = []
    for b in range(0, x.shape[0], batch):
        xb = x[b:b + batch]
        shape = xb.shape
        eps0 = torch.randn(shape, generator=gen).to(xb.device)
        if steps_per_image is None:
            steps = range(1, T + 1)
        else:
            k = steps_per_image
            off = int(torch.randint(0, T // k, (), generator=gen)) if T >= k else 0
            steps = [1 + off + j * (T // k) for j in range(k)]
        noises = {i: torch.randn(shape, generator=gen).to(xb.device) for i in steps}
        terms = elbo_discrete_terms(model, xb, grid.to(xb.device), eps0, lambda i: noises[i], steps)
        out.append(terms["prior"] + terms["recon"] + terms["diffusion"])
    return torch.cat(out)


@torch.no_grad()
def elbo_continuous(model, x, samples=16, seed=0, batch=64):
    """Continuous-time (T → ∞) negative ELBO, bits/dim per image [N]: prior + recon (exact decoder) +
    mean over ``samples`` stratified t of ½·γ'(t)·‖ε − ε̂‖²."""
    gen = torch.Generator(device="cpu").manual_seed(seed)
    dev = x.device
    out = []
    for b in range(0, x.shape[0], batch):
        xb = x[b:b + batch]
        n = xb.shape[0]
        f = _values(model, xb)
        g01 = model.gamma(torch.tensor([0.0, 1.0], dtype=torch.float64, device=dev))
        prior = prior_nats(f, g01[1])
        a0, s0 = _ab(g01[0])
        z0 = a0 * f + s0 * torch.randn(xb.shape, generator=gen).to(dev, torch.float64)
        recon = _recon(model, xb, z0, g01[0])
        diff = torch.zeros(n, dtype=torch.float64, device=dev)
        for _ in range(samples):
            t = stratified_uniform(n, gen).to(dev, torch.float64)
            with torch.enable_grad():
                t.requires_grad_(True)
                gt = model.gamma(t)
                (dg,) = torch.autograd.grad(gt.sum(), t)
            gt = gt.detach()
            eps = torch.randn(xb.shape, generator=gen).to(dev, torch.float64)
            at, st = _ab(_bc(gt, f))
            y = model((at * f + st * eps).to(torch.float32), gt.to(torch.float32)).to(torch.float64)
            diff += 0.5 * dg * ((eps - y[:, :3]) ** 2).flatten(1).sum(1)
        diff /= samples
        out.append((prior + recon + diff) / (xb[0].numel() * LN2))
    return torch.cat(out)
