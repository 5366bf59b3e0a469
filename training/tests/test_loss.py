"""Fast checks of the VDM loss terms against closed forms (python3 -m pytest -q training/tests)."""
import math

import torch
import torch.nn.functional as F

from training.elbo import elbo_discrete_terms
from training.export import random_tiny_model
from training.loss import WINDOW_MAX_GAMMA0, diffusion_kl, prior_nats, recon_nats, scaled
from training.network import VDMZNetwork

torch.set_num_threads(1)


def gaussian_kl(mq, vq, mp, vp):
    return 0.5 * (torch.log(vp / vq) + (vq + (mq - mp) ** 2) / vp - 1.0)


def test_scaled_convention():
    x = torch.tensor([0, 127, 255], dtype=torch.uint8)
    assert torch.equal(scaled(x), torch.tensor([-255 / 256, -1 / 256, 255 / 256]))


def test_prior_is_kl_to_standard_normal():
    g = torch.tensor(4.2, dtype=torch.float64)
    f = torch.linspace(-1, 1, 12, dtype=torch.float64).reshape(1, 3, 2, 2)
    a2, s2 = torch.sigmoid(-g), torch.sigmoid(g)
    want = gaussian_kl(torch.sqrt(a2) * f, s2, torch.zeros(()), torch.ones(())).sum()
    assert torch.allclose(prior_nats(f, g), want.reshape(1), rtol=1e-12)


def test_decoder_window_matches_full_softmax_and_closed_form():
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (2, 3, 5, 4), generator=gen, dtype=torch.uint8)
    x[0, 0, 0, :] = torch.tensor([0, 1, 254, 255], dtype=torch.uint8)  # window clipped at both ends
    for g0 in (-13.3, -11.0, WINDOW_MAX_GAMMA0, -8.0):
        g = torch.tensor(g0, dtype=torch.float64)
        a0, s0 = torch.sqrt(torch.sigmoid(-g)), torch.sqrt(torch.sigmoid(g))
        z0 = a0 * scaled(x).double() + s0 * torch.randn(x.shape, generator=gen, dtype=torch.float64)
        full = recon_nats(x, z0, g)
        win = recon_nats(x, z0, g, window=8)
        if g0 <= WINDOW_MAX_GAMMA0:
            assert torch.allclose(full, win, rtol=1e-13, atol=0), g0
        else:  # wide decoder noise: the window would be wrong, which is why training switches to full
            assert not torch.allclose(full, win, rtol=1e-6), g0
        # closed form: the softmax over all 256 values written out directly, summed over sub-pixels
        k = torch.arange(256, dtype=torch.float64)
        fk = 2 * (k + 0.5) / 256 - 1
        logits = -0.5 * ((z0[..., None] / a0 - fk) * torch.exp(-g / 2)) ** 2
        logp = torch.log_softmax(logits, -1).gather(-1, x.long()[..., None])[..., 0]
        assert torch.allclose(full, -logp.flatten(1).sum(1), rtol=1e-12)


def test_diffusion_kl_equals_gaussian_kl_of_reverse_step():
    """KL(q(z_s|z_t,x) ‖ p(z_s|z_t)) from docs/DESIGN.md §1 means/variances, with and without learned variance."""
    gen = torch.Generator().manual_seed(1)
    shape = (3, 3, 4, 5)
    gs = torch.tensor([-12.0, -3.0, 2.0], dtype=torch.float64)
    gt = gs + torch.tensor([0.3, 0.05, 1.5], dtype=torch.float64)
    f = torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1
    eps = torch.randn(shape, generator=gen, dtype=torch.float64)
    eps_hat = eps + 0.3 * torch.randn(shape, generator=gen, dtype=torch.float64)
    v = torch.randn(shape, generator=gen, dtype=torch.float64)
    b = lambda t: t.reshape(-1, 1, 1, 1)
    at, st = torch.sqrt(torch.sigmoid(-b(gt))), torch.sqrt(torch.sigmoid(b(gt)))
    as_, ss = torch.sqrt(torch.sigmoid(-b(gs))), torch.sqrt(torch.sigmoid(b(gs)))
    zt = at * f + st * eps
    c = -torch.expm1(b(gs) - b(gt))
    mu_q = (as_ / at) * (zt - st * c * eps)
    mu_p = (as_ / at) * (zt - st * c * eps_hat)
    var_q = ss ** 2 * c
    var_ts = st ** 2 * c
    # the posterior mean is also the textbook one: α_{t|s}σ_s²/σ_t² z_t + α_s σ²_{t|s}/σ_t² f
    a_ts = at / as_
    assert torch.allclose(mu_q, a_ts * ss ** 2 / st ** 2 * zt + as_ * (st ** 2 - a_ts ** 2 * ss ** 2) / st ** 2 * f)
    assert torch.allclose(var_ts, st ** 2 - a_ts ** 2 * ss ** 2)
    want = gaussian_kl(mu_q, var_q, mu_p, var_q).flatten(1).sum(1)
    assert torch.allclose(diffusion_kl(eps, eps_hat, gs, gt), want, rtol=1e-9)
    frac = (v + 1) / 2
    var_p = torch.exp(frac * torch.log(var_ts) + (1 - frac) * torch.log(var_q))
    want_lv = gaussian_kl(mu_q, var_q, mu_p, var_p).flatten(1).sum(1)
    got_lv = diffusion_kl(eps, torch.cat([eps_hat, v], 1), gs, gt)
    assert torch.allclose(got_lv, want_lv, rtol=1e-9)
    # v = −1 (frac 0) is exactly the fixed-variance KL
    got0 = diffusion_kl(eps, torch.cat([eps_hat, -torch.ones_like(v)], 1), gs, gt)
    assert torch.allclose(got0, want, rtol=1e-12)


def test_discrete_loss_approaches_continuous_as_T_grows():
    """With the noise ε held fixed, Σ_i KL_i (T steps) → ∫ ½γ'(t)‖ε − ε̂(z_t)‖² dt, and the learned-variance
    contribution vanishes: the gap shrinks roughly like 1/T."""
    torch.manual_seed(0)
    for lv in (False, True):
        model = random_tiny_model(lv, seed=3).double()
        with torch.no_grad():
            model.conv_out.weight.mul_(0.3)  # keep ε̂ moderate so the integrand is smooth
        x = torch.randint(0, 256, (1, 3, 6, 5), dtype=torch.uint8)
        f = scaled(x).double()
        eps = torch.randn(f.shape, dtype=torch.float64)

        def diffusion_sum(T):
            t = torch.arange(T + 1, dtype=torch.float64) / T
            with torch.no_grad():
                g = model.gamma(t)
                total = torch.zeros(1, dtype=torch.float64)
                for i in range(1, T + 1):
                    at, st = torch.sqrt(torch.sigmoid(-g[i])), torch.sqrt(torch.sigmoid(g[i]))
                    y = model(at * f + st * eps, g[i].reshape(1))
                    total += diffusion_kl(eps, y, g[i - 1], g[i])
            return float(total)

        def continuous(n=4000):  # midpoint rule
            t = (torch.arange(n, dtype=torch.float64) + 0.5) / n
            t.requires_grad_(True)
            g = model.gamma(t)
            (dg,) = torch.autograd.grad(g.sum(), t)
            total = 0.0
            with torch.no_grad():
                for j in range(0, n, 500):
                    gj = g[j:j + 500].detach()
                    at, st = torch.sqrt(torch.sigmoid(-gj)), torch.sqrt(torch.sigmoid(gj))
                    z = at.reshape(-1, 1, 1, 1) * f + st.reshape(-1, 1, 1, 1) * eps
                    y = model(z, gj)
                    total += float((0.5 * dg[j:j + 500] * ((eps - y[:, :3]) ** 2).flatten(1).sum(1)).sum() / n)
            return total

        lc = continuous()
        gaps = [abs(diffusion_sum(T) - lc) / lc for T in (16, 64, 256)]
        assert gaps[1] < gaps[0] and gaps[2] < gaps[1], gaps
        assert gaps[2] < gaps[0] / 10 and gaps[2] < 0.05, gaps  # ~1/T convergence


def test_elbo_terms_match_training_loss_pieces():
    """The exact ELBO of elbo.py agrees with a direct sum of the per-step terms."""
    model = random_tiny_model(True, seed=4)
    gen = torch.Generator().manual_seed(5)
    x = torch.randint(0, 256, (2, 3, 7, 9), generator=gen, dtype=torch.uint8)
    T = 4
    grid = model.gamma.grid(T)
    eps0 = torch.randn(x.shape, generator=gen)
    eps = torch.randn((T,) + tuple(x.shape), generator=gen)
    terms = elbo_discrete_terms(model, x, grid, eps0, lambda i: eps[i - 1])
    d = 3 * 7 * 9 * math.log(2)
    f = scaled(x).double()
    g = grid.double()
    manual = torch.zeros(2, dtype=torch.float64)
    for i in range(1, T + 1):
        at, st = torch.sqrt(torch.sigmoid(-g[i])), torch.sqrt(torch.sigmoid(g[i]))
        with torch.no_grad():
            y = model((at * f + st * eps[i - 1].double()).float(), grid[i].expand(2).contiguous()).double()
        manual += diffusion_kl(eps[i - 1].double(), y, g[i - 1], g[i])
    assert torch.allclose(terms["diffusion"], manual / d, rtol=1e-10)
    assert torch.allclose(terms["prior"], prior_nats(f, g[T]) / d)


def test_gamma_monotone_with_exact_endpoints():
    model = random_tiny_model(False, seed=6)
    t = torch.linspace(0, 1, 101, dtype=torch.float64)
    with torch.no_grad():
        g = model.gamma(t)
        g0, g1 = float(model.gamma.gamma0), float(model.gamma.gamma1)
    assert (g[1:] > g[:-1]).all()
    assert abs(float(g[0]) - g0) < 1e-9
    assert abs(float(g[-1]) - g1) < 1e-9


def test_receptive_field_halo_gives_exact_interior():
    """An output pixel depends on inputs within 2B+2 pixels only (no normalisation over space)."""
    model = random_tiny_model(True, seed=7)
    z = torch.randn(1, 3, 24, 26)
    gam = torch.tensor([-2.0])
    with torch.no_grad():
        full = model(z, gam)
        r = 2 * model.num_blocks + 2
        tile = model(z[:, :, 4:20, 5:21], gam)
    assert torch.allclose(full[:, :, 4 + r:20 - r, 5 + r:21 - r], tile[:, :, r:16 - r, r:16 - r], atol=1e-5)
    # and a wider window would differ (the halo is needed): perturb a pixel just outside r
    z2 = z.clone()
    z2[0, :, 12, 12 + r] += 1.0
    with torch.no_grad():
        assert not torch.allclose(model(z2, gam)[0, :, 12, 12], full[0, :, 12, 12])
        z3 = z.clone()
        z3[0, :, 12, 12 + r + 1] += 1.0
        assert torch.equal(model(z3, gam)[0, :, 12, 12], full[0, :, 12, 12])
