"""VDM negative ELBO (docs/DESIGN.md §1): prior, discretized decoder, discrete-time (L_T) and continuous-time
diffusion terms. All per-image functions return nats per image, shape [N]."""
import math

import torch
import torch.nn.functional as F

LN2 = math.log(2.0)
DECODER_WINDOW = 8  # training decoder looks at x−8…x+8 only (17 values) …
WINDOW_MAX_GAMMA0 = -10.5  # … while γ_0 < −10.5: σ_0/α_0 < 0.67 bins, so omitted terms are < e^−60 relative


def scaled(x: torch.Tensor) -> torch.Tensor:
    """f(x) = 2·(x + 0.5)/256 − 1 for uint8 pixels (exact in float32)."""
    return (2.0 * (x.to(torch.float32) + 0.5)) / 256.0 - 1.0


def _bc(g: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Broadcast a per-image [N] (or scalar) tensor over [N, C, H, W]."""
    if g.dim() == 0:
        return g
    return g.reshape(-1, *([1] * (like.dim() - 1)))


def alpha_sigma(g: torch.Tensor):
    """α = sqrt(sigmoid(−γ)), σ = sqrt(sigmoid(γ))."""
    return torch.sqrt(torch.sigmoid(-g)), torch.sqrt(torch.sigmoid(g))


def prior_nats(f: torch.Tensor, gamma1: torch.Tensor) -> torch.Tensor:
    """KL(N(α_1 f, σ_1²) ‖ N(0, 1)) summed over each image."""
    g = _bc(gamma1, f)
    s2 = torch.sigmoid(g)
    a2 = torch.sigmoid(-g)
    kl = 0.5 * (s2 + a2 * f * f - F.logsigmoid(g) - 1.0)
    return kl.flatten(1).sum(1)


def recon_nats(x: torch.Tensor, z0: torch.Tensor, gamma0: torch.Tensor, window: int | None = None) -> torch.Tensor:
    """−log p(x | z_0) with the decoder softmax_k of −½((z_0/α_0 − f(k))·exp(−γ_0/2))².

    ``window=None``: the exact 256-way softmax (evaluation, export). ``window=w``: the normaliser over
    k ∈ [x−w, x+w] only (training); the omitted terms are below float precision while
    exp(γ_0/2) ≪ w·2/256.
    """
    g = _bc(gamma0, z0)
    alpha0 = torch.sqrt(torch.sigmoid(-g))
    inv_scale = torch.exp(-0.5 * g)
    zs = z0 / alpha0
    xl = x.to(torch.long)
    if window is None:
        fk = scaled(torch.arange(256, device=z0.device))
        out = []
        for n in range(z0.shape[0]):  # one image at a time: [3, H, W, 256]
            scale_n = inv_scale if g.dim() == 0 else inv_scale[n]
            logits = -0.5 * ((zs[n, ..., None] - fk.to(zs.dtype)) * scale_n[..., None]) ** 2 \
                if g.dim() else -0.5 * ((zs[n, ..., None] - fk.to(zs.dtype)) * scale_n) ** 2
            lse = torch.logsumexp(logits, dim=-1)
            own = torch.gather(logits, -1, xl[n, ..., None])[..., 0]
            out.append((lse - own).sum())
        return torch.stack(out)
    offsets = torch.arange(-window, window + 1, device=z0.device)
    k = xl[..., None] + offsets
    valid = (k >= 0) & (k <= 255)
    fk = scaled(k.clamp(0, 255))
    logits = -0.5 * ((zs[..., None] - fk) * inv_scale[..., None]) ** 2
    logits = logits.masked_fill(~valid, float("-inf"))
    lse = torch.logsumexp(logits, dim=-1)
    own = logits[..., window]
    return (lse - own).flatten(1).sum(1)


def diffusion_kl(eps: torch.Tensor, y: torch.Tensor, gamma_s: torch.Tensor, gamma_t: torch.Tensor) -> torch.Tensor:
    """Closed-form KL(q(z_s|z_t,x) ‖ p(z_s|z_t)) per image for one step s < t, given the true noise ε of
    z_t and the network output y (ε̂ = y[:, :3]; v = y[:, 3:6] if present: IDDPM learned variance).

    Without v: ½·expm1(γ_t − γ_s)·‖ε − ε̂‖². With v, ℓ = log σ_p² − log σ_Q² = frac·(log σ_t² − log σ_s²),
    frac = (v + 1)/2, and KL = ½(ℓ + expm1(−ℓ) + e^{−ℓ}·expm1(γ_t − γ_s)·(ε − ε̂)²) per element.
    """
    gs = _bc(gamma_s, eps)
    gt = _bc(gamma_t, eps)
    w = torch.expm1(gt - gs)
    se = (eps - y[:, :3]) ** 2
    if y.shape[1] == 3:
        kl = 0.5 * w * se
    else:
        frac = (y[:, 3:6] + 1.0) * 0.5
        ell = frac * (F.logsigmoid(gt) - F.logsigmoid(gs))
        kl = 0.5 * (ell + torch.expm1(-ell) + torch.exp(-ell) * w * se)
    return kl.flatten(1).sum(1)


def stratified_uniform(n: int, generator=None, device="cpu") -> torch.Tensor:
    """Antithetic (stratified) times: (u0 + i/n) mod 1, i = 0…n−1, in random order."""
    u0 = torch.rand((), generator=generator, device=device)
    t = torch.remainder(u0 + torch.arange(n, device=device) / n, 1.0)
    return t[torch.randperm(n, generator=generator, device=device)]


def _denoise(model, z, gamma, amp_dtype):
    if amp_dtype is None:
        return model(z, gamma)
    return model.forward_mixed(z, gamma, amp_dtype)


def training_loss(model, x: torch.Tensor, steps: int | None, generator=None, window: int | None = DECODER_WINDOW,
                  window_checked: bool = False, amp_dtype: torch.dtype | None = None,
                  part: tuple[int, int] | None = None):
    """Monte-Carlo negative ELBO per image (nats), one diffusion step per image with stratified times.

    ``steps=T``: discrete-time L_T (t = i/T, s = (i−1)/T, term scaled by T).
    ``steps=None``: continuous-time ½·γ'(t)·‖ε − ε̂‖² (γ' by autograd, differentiable w.r.t. γ params).
    ``window_checked``: the caller guarantees γ_0 < WINDOW_MAX_GAMMA0 whenever it passes a window (the
    trainer's bound on how far Adam can move γ_0), so the per-step host read of γ_0 is skipped.
    ``amp_dtype``: the denoiser's residual blocks under autocast to this dtype (``forward_mixed``); γ,
    the noise, the input and output layers, the decoder and every loss term stay float32.
    ``part=(first, total)``: ``x`` is rows first…first+n−1 of a batch of ``total`` images (one rank's share
    in data-parallel training, training/distributed.py): the noise and times are drawn for the whole batch
    and these rows kept, so every rank sees what one process training on the whole batch would.
    Returns (total, dict of per-image terms).
    """
    n = x.shape[0]
    dev = x.device
    first, total_n = part if part is not None else (0, n)
    rows = slice(first, first + n)
    space = getattr(model, "space", "rgb")
    study = space != "rgb" or getattr(model, "decoder", "uniform") != "uniform"
    if space == "rgb":
        f = scaled(x)
    else:
        from .colour import level_values, to_levels
        j = to_levels(x, space)
        f = level_values(j, space)
    g01 = model.gamma(torch.arange(2, dtype=torch.float32, device=dev))  # t = 0, 1 made on the device: no copy/sync
    g0, g1 = g01[0], g01[1]
    prior = prior_nats(f, g1)
    a0, s0 = alpha_sigma(g0)
    whole = (total_n, *f.shape[1:])
    eps0 = torch.randn(whole, generator=generator, device=dev)[rows]
    if window is not None and not window_checked and float(g0.detach()) >= WINDOW_MAX_GAMMA0:
        window = None  # decoder noise too wide for the window: use the exact 256-way softmax
    if study:  # --decoder network / --space ycocg (training/decoder.py)
        from .decoder import STUDY_WINDOW, recon_nats_study
        recon = recon_nats_study(model, x.to(torch.int64) if space == "rgb" else j, a0 * f + s0 * eps0, g0, space,
                                 window=None if window is None else STUDY_WINDOW)
    else:
        recon = recon_nats(x, a0 * f + s0 * eps0, g0, window=window)
    u = stratified_uniform(total_n, generator, dev)[rows]
    eps = torch.randn(whole, generator=generator, device=dev)[rows]
    if steps is not None:
        i = torch.clamp(torch.ceil(u * steps), 1, steps)
        t = i / steps
        s = (i - 1) / steps
        gts = model.gamma(torch.cat([t, s]))
        gt, gs = gts[:n], gts[n:]
        at, st = alpha_sigma(_bc(gt, f))
        y = _denoise(model, at * f + st * eps, gt, amp_dtype)
        diff = steps * diffusion_kl(eps, y, gs, gt)
    else:
        t = u.clone().requires_grad_(True)
        gt = model.gamma(t)
        (dgdt,) = torch.autograd.grad(gt.sum(), t, create_graph=True)
        at, st = alpha_sigma(_bc(gt, f))
        y = _denoise(model, at * f + st * eps, gt, amp_dtype)
        diff = 0.5 * dgdt * ((eps - y[:, :3]) ** 2).flatten(1).sum(1)
    total = prior + recon + diff
    return total, {"prior": prior, "recon": recon, "diffusion": diff}


def bits_per_dim(nats: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    d = x[0].numel()
    return nats / (d * LN2)
