"""The decoder p(x | z_0) for the study options (``--decoder network``, ``--space ycocg``).

Today's decoder (``loss.recon_nats``) is network-free: per sub-pixel the K-way categorical
softmax_k(ℓ_k) with ℓ_k = −½·e^{−γ_0}·(z_0/α_0 − f_k)², i.e. log q(z_0 | x = k) up to a constant.

The network-informed decoder (DDPM's L_0 idea, made codable) adds the denoised estimate of one network pass
at t = 0: ε̂, v = net(z_0, γ_0); x̂ = (z_0 − σ_0·ε̂)/α_0; log s = a_c + b_c·v (a, b: ``decoder_scale``, one
pair per colour channel; v = 0 without learned variance), and

    ℓ_k = −½·e^{−γ_0}·(z_0/α_0 − f_k)²  −  ½·((f_k − x̂)/s)²,      p(x = k | z_0) = softmax_k(ℓ_k),

i.e. log q(z_0|k) + log p̃(k | x̂, s) normalised over the K values (K = 256 per RGB channel). For the Swift
coder this is the same kind of object as today's PixelCodec: a K-way categorical from logits, with one more
network evaluation (at γ_0, on z_0 which the decoder already has) and one more quadratic term per logit;
ℓ_k is a quadratic in f_k, so the categorical is a discretised Gaussian of mean
μ = (e^{−γ_0}·z_0/α_0 + x̂/s²)/(e^{−γ_0} + 1/s²) and precision e^{−γ_0} + 1/s². It is trained jointly (the
gradient reaches γ_0, the network and ``decoder_scale``), so γ(0) can move.

Windowed normaliser (training): the categorical has a standard deviation ≤ σ_0/α_0 (precisions add), so
while γ_0 < −10.5 (σ_0/α_0 < 0.67 bins) the K-way normaliser over the 17 values around the mode μ is exact to
float precision (omitted terms < e^−60 relative); tested against the exact one.
"""
import torch

from .colour import CENTRES, LEVELS

STUDY_WINDOW = 8


def _bc(g, like):
    if g.dim() == 0:
        return g
    return g.reshape(-1, *([1] * (like.dim() - 1)))


def decoder_terms(model, z0: torch.Tensor, g0: torch.Tensor):
    """(x̂, s⁻²) of the network decoder: one network pass at γ_0 on z_0 (z_0 in float32 for the network)."""
    n = z0.shape[0]
    gam = g0.to(torch.float32).reshape(()).expand(n).contiguous() if g0.dim() == 0 else g0.to(torch.float32)
    y = model(z0.to(torch.float32), gam).to(z0.dtype)
    g = _bc(g0.to(z0.dtype), z0)
    a0, s0 = torch.sqrt(torch.sigmoid(-g)), torch.sqrt(torch.sigmoid(g))
    xhat = (z0 - s0 * y[:, :3]) / a0
    ds = model.decoder_scale.to(z0.dtype)
    log_s = ds[0].reshape(1, 3, 1, 1)
    if y.shape[1] > 3:
        log_s = log_s + ds[1].reshape(1, 3, 1, 1) * y[:, 3:6]
    return xhat, torch.exp(-2.0 * log_s)


def decoder_logits(zs, inv_var_q, fk, xhat=None, inv_s2=None):
    """ℓ_k for values fk (broadcast over a trailing K axis)."""
    ell = -0.5 * inv_var_q * (zs - fk) ** 2
    if xhat is not None:
        ell = ell - 0.5 * inv_s2 * (fk - xhat) ** 2
    return ell


def recon_nats_study(model, j: torch.Tensor, z0: torch.Tensor, g0: torch.Tensor, space: str,
                     window: int | None = None) -> torch.Tensor:
    """−log p(x | z_0) per image (nats, [N]) for levels j (int64 NCHW) of ``space``, with the network decoder
    if ``model.decoder == "network"`` (else today's decoder over the space's K levels).

    ``window=None``: exact K-way normaliser (evaluation); ``window=w``: the 2w+1 values around the mode."""
    dev, dt = z0.device, z0.dtype
    g = _bc(g0.to(dt), z0)
    a0 = torch.sqrt(torch.sigmoid(-g))
    inv_var_q = torch.exp(-g)
    zs = z0 / a0
    xhat = inv_s2 = None
    if getattr(model, "decoder", "uniform") == "network":
        xhat, inv_s2 = decoder_terms(model, z0, g0)
    kmax = torch.tensor(LEVELS[space], device=dev).reshape(1, 3, 1, 1)
    cen = torch.tensor(CENTRES[space], dtype=dt, device=dev).reshape(1, 3, 1, 1)
    f_of = lambda k: (2.0 * (k.to(dt) - cen[..., None])) / 256.0
    f_own = (2.0 * (j.to(dt) - cen)) / 256.0
    own = decoder_logits(zs, inv_var_q, f_own, xhat, inv_s2)
    if window is None:
        out = []
        ks = torch.arange(max(LEVELS[space]), device=dev)
        for n in range(z0.shape[0]):  # one image at a time: [3, H, W, K]
            sl = slice(n, n + 1)
            pick = lambda t: t if t is None or t.dim() == 0 or t.shape[0] == 1 else t[sl]
            fk = f_of(ks.reshape(1, 1, 1, 1, -1).expand(1, 3, 1, 1, -1))
            ell = decoder_logits(pick(zs)[..., None], pick(inv_var_q)[..., None] if inv_var_q.dim() else inv_var_q,
                                 fk, None if xhat is None else pick(xhat)[..., None],
                                 None if inv_s2 is None else pick(inv_s2)[..., None])
            ell = ell.masked_fill(ks.reshape(1, 1, 1, 1, -1) >= kmax[..., None], float("-inf"))
            out.append((torch.logsumexp(ell, dim=-1) - own[sl]).sum())
        return torch.stack(out)
    if xhat is None:
        mu = zs
    else:
        mu = (inv_var_q * zs + inv_s2 * xhat) / (inv_var_q + inv_s2)
    mode = torch.round(mu * 128.0 + cen).clamp(torch.zeros_like(kmax), kmax - 1).detach().to(torch.int64)
    k = mode[..., None] + torch.arange(-window, window + 1, device=dev)
    valid = (k >= 0) & (k < kmax[..., None])
    ell = decoder_logits(zs[..., None], inv_var_q[..., None] if inv_var_q.dim() else inv_var_q, f_of(k),
                         None if xhat is None else xhat[..., None], None if inv_s2 is None else inv_s2[..., None])
    ell = ell.masked_fill(~valid, float("-inf"))
    return (torch.logsumexp(ell, dim=-1) - own).flatten(1).sum(1)


def decoder_probabilities(model, z0: torch.Tensor, g0: torch.Tensor, space: str = "rgb") -> torch.Tensor:
    """The decoder's categorical [N, 3, H, W, K] (K = the space's largest level count; probability 0 beyond a
    channel's K_c) — what a coder would code x with. For tests and inspection."""
    dev, dt = z0.device, z0.dtype
    g = _bc(g0.to(dt), z0)
    zs = z0 / torch.sqrt(torch.sigmoid(-g))
    inv_var_q = torch.exp(-g)
    xhat = inv_s2 = None
    if getattr(model, "decoder", "uniform") == "network":
        xhat, inv_s2 = decoder_terms(model, z0, g0)
    kmax = torch.tensor(LEVELS[space], device=dev).reshape(1, 3, 1, 1, 1)
    cen = torch.tensor(CENTRES[space], dtype=dt, device=dev).reshape(1, 3, 1, 1, 1)
    ks = torch.arange(max(LEVELS[space]), device=dev).reshape(1, 1, 1, 1, -1)
    fk = (2.0 * (ks.to(dt) - cen)) / 256.0
    ell = decoder_logits(zs[..., None], inv_var_q[..., None] if inv_var_q.dim() else inv_var_q, fk,
                         None if xhat is None else xhat[..., None], None if inv_s2 is None else inv_s2[..., None])
    ell = ell.masked_fill(ks >= kmax, float("-inf"))
    return torch.softmax(ell, dim=-1)
