"""The rate–compute study's options at tiny scale (training/study.py): network-informed decoder, YCoCg-R data
space, half-resolution path, smooth-crop share, γ warm start; each stored in the run config and resumed."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from training import train
from training.colour import level_values, to_levels, ycocg_r_forward, ycocg_r_inverse
from training.data import CropSampler, roughness
from training.decoder import decoder_probabilities, recon_nats_study
from training.elbo import elbo_discrete
from training.export import load_run_model, save_checkpoint
from training.loss import recon_nats, scaled, training_loss
from training.network import VDMZNetwork

torch.set_num_threads(1)
SMALL = ["--channels", "8", "--blocks", "1", "--threads", "1", "--warmup", "2", "--batch", "4",
         "--eval-cifar", "0", "--eval-kodak-crops", "0", "--log-every", "1"]


def perturbed(model, seed=0, scale=0.05):
    """Non-zero outputs (conv_out and every block's conv2 start at zero)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not name.startswith("gamma.") and name != "decoder_scale":
                p.add_(scale * torch.randn(p.shape, generator=gen))
    return model


def noisy_z0(x, space, g0, seed=1):
    gen = torch.Generator().manual_seed(seed)
    f = level_values(to_levels(x, space), space, torch.float64)
    a0, s0 = torch.sqrt(torch.sigmoid(-g0)), torch.sqrt(torch.sigmoid(g0))
    return a0 * f + s0 * torch.randn(f.shape, generator=gen, dtype=torch.float64)


def test_ycocg_r_round_trip_is_exact_for_every_colour():
    a = torch.arange(256)
    r, g, b = torch.meshgrid(a, a, a, indexing="ij")
    rgb = torch.stack([r.flatten(), g.flatten(), b.flatten()], 0)[:, None]  # [3, 1, 2^24]: every colour
    ycc = ycocg_r_forward(rgb)
    assert torch.equal(ycocg_r_inverse(ycc), rgb)
    assert (ycc[0].min(), ycc[0].max(), ycc[1].min(), ycc[1].max(), ycc[2].min(), ycc[2].max()) == \
        (0, 255, -255, 255, -255, 255)
    j = to_levels(rgb.to(torch.uint8)[None], "ycocg")[0]
    assert j.min() >= 0 and j[0].max() <= 255 and j[1:].max() <= 510
    assert len(torch.unique(j[0] * 511 * 511 + j[1] * 511 + j[2])) == 2 ** 24  # one-to-one
    # grey stays grey: Co = Cg = 0, Y = the grey value; RGB levels are the values of loss.scaled
    grey = torch.tensor([0, 77, 255])[None, :, None].expand(3, 3, 1)[None]
    assert torch.equal(ycocg_r_forward(grey)[0, 1:], torch.zeros(2, 3, 1, dtype=torch.long))
    x = torch.randint(0, 256, (2, 3, 4, 4), dtype=torch.uint8)
    assert torch.equal(level_values(to_levels(x, "rgb"), "rgb"), scaled(x))


@pytest.mark.parametrize("space", ["rgb", "ycocg"])
@pytest.mark.parametrize("decoder", ["uniform", "network"])
def test_decoder_is_a_normalised_categorical_and_the_window_is_exact(space, decoder):
    torch.manual_seed(0)
    model = perturbed(VDMZNetwork(8, 1, (6, 7), True, decoder=decoder, space=space))
    if decoder == "network":
        with torch.no_grad():
            model.decoder_scale[1].fill_(0.3)  # the scale depends on v
    x = torch.randint(0, 256, (2, 3, 6, 5), dtype=torch.uint8)
    x[0, :, 0, :4] = torch.tensor([0, 1, 254, 255], dtype=torch.uint8)  # level ranges' ends
    for g0 in (-13.0, -11.0):
        g = torch.tensor(g0, dtype=torch.float64)
        z0 = noisy_z0(x, space, g)
        p = decoder_probabilities(model, z0, g, space)
        k = 256 if space == "rgb" else 511
        assert p.shape[-1] == k
        assert torch.allclose(p.sum(-1), torch.ones((), dtype=p.dtype), atol=1e-12)  # sums to 1 over the values
        if space == "ycocg":
            assert torch.all(p[:, 0, ..., 256:] == 0)  # Y has 256 levels only
        j = to_levels(x, space)
        exact = recon_nats_study(model, j, z0, g, space, window=None)
        nll = -torch.log(torch.gather(p, -1, j[..., None])[..., 0]).flatten(1).sum(1)
        assert torch.allclose(exact, nll, rtol=1e-9)
        assert torch.allclose(recon_nats_study(model, j, z0, g, space, window=8), exact, rtol=1e-9)
        if space == "rgb" and decoder == "uniform":  # the study path is today's decoder
            assert torch.allclose(exact, recon_nats(x, z0, g), rtol=1e-12)


def test_network_decoder_uses_the_denoised_estimate():
    """A network whose x̂(z_0) is exact makes the decoder at least as good as today's on every sub-pixel."""
    class Oracle(torch.nn.Module):
        decoder, space = "network", "rgb"

        def __init__(self, eps):
            super().__init__()
            self.eps = eps
            self.decoder_scale = torch.nn.Parameter(torch.tensor([[np.log(0.5 / 256)] * 3, [0.0] * 3]))

        def forward(self, z, g):
            return self.eps.to(z.dtype)

    x = torch.randint(0, 256, (1, 3, 8, 8), dtype=torch.uint8)
    g = torch.tensor(-11.0, dtype=torch.float64)
    gen = torch.Generator().manual_seed(3)
    eps = torch.randn(x.shape, generator=gen, dtype=torch.float64)
    z0 = torch.sqrt(torch.sigmoid(-g)) * scaled(x).double() + torch.sqrt(torch.sigmoid(g)) * eps
    informed = recon_nats_study(Oracle(eps), x.long(), z0, g, "rgb")
    today = recon_nats(x, z0, g)
    assert informed < 0.2 * today


@pytest.mark.parametrize("opts", [dict(decoder="network"), dict(space="ycocg"), dict(lowres_blocks=2),
                                  dict(decoder="network", space="ycocg", lowres_blocks=1)])
def test_training_loss_is_finite_and_reaches_gamma0(opts):
    torch.manual_seed(0)
    model = perturbed(VDMZNetwork(8, 1, (6, 7), True, **opts))
    x = torch.randint(0, 256, (4, 3, 8, 8), dtype=torch.uint8)
    for window in (8, None):
        total, terms = training_loss(model, x, 16, window=window)
        assert torch.isfinite(total).all() and all(torch.isfinite(t).all() for t in terms.values())
        model.zero_grad()
        total.mean().backward()
        grads = {n: p.grad for n, p in model.named_parameters()}
        assert all(g is not None and torch.isfinite(g).all() for g in grads.values())
        assert grads["gamma.gamma0"].abs() > 0
        if opts.get("decoder") == "network":
            assert grads["decoder_scale"].abs().sum() > 0
        if opts.get("lowres_blocks"):
            assert grads["low_blocks.0.conv2.weight"].abs().sum() > 0
    # the exact-decoder evaluation runs and agrees with the loss pieces' scale (bits/dim, finite)
    bpd = elbo_discrete(model.eval(), x, 8, seed=0)
    assert torch.isfinite(bpd).all() and bpd.shape == (4,)


def test_lowres_path_starts_as_identity_and_counts_its_flops():
    torch.manual_seed(0)
    plain = perturbed(VDMZNetwork(8, 2, (6, 7), True))
    multi = VDMZNetwork(8, 2, (6, 7), True, lowres_blocks=3)
    missing, unexpected = multi.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and all(k.startswith("low_blocks.") for k in missing)
    z, g = torch.randn(2, 3, 8, 8), torch.tensor([-5.0, 1.0])
    assert torch.equal(multi(z, g), plain(z, g))  # zero-initialised last convs: the path adds 0
    assert multi.flops_per_pixel() == plain.flops_per_pixel() + 2 * 9 * 2 * 3 * 64 // 4
    assert plain.study_options() == {} and multi.study_options() == {"lowres_blocks": 3}
    assert VDMZNetwork(32, 4, (6, 7), True).flops_per_pixel() == 159552  # MODEL_CARD's number, unchanged


def test_export_refuses_study_models_but_the_network_decoder(tmp_path):
    for options in ({"space": "ycocg"}, {"lowres_blocks": 1}, {"decoder": "network", "space": "ycocg"}):
        with pytest.raises(ValueError, match="not exportable"):
            save_checkpoint(VDMZNetwork(8, 1, **options), tmp_path / "m.safetensors", 8)
    # The network decoder exports with its metadata key and decoder_scale, and loads back the same.
    from training.evaluate import load_safetensors_model
    torch.manual_seed(0)
    model = VDMZNetwork(8, 1, learned_variance=True, decoder="network")
    with torch.no_grad():
        model.decoder_scale.add_(torch.randn(2, 3))
    save_checkpoint(model, tmp_path / "nd.safetensors", 8)
    loaded, meta = load_safetensors_model(tmp_path / "nd.safetensors")
    assert meta["decoder"] == "network" and loaded.decoder == "network"
    assert torch.equal(loaded.decoder_scale, model.decoder_scale)
    # Today's models carry no decoder key (their exports keep their bytes).
    save_checkpoint(VDMZNetwork(8, 1), tmp_path / "u.safetensors", 8)
    assert "decoder" not in load_safetensors_model(tmp_path / "u.safetensors")[1]


def test_smooth_sampler():
    rng = np.random.default_rng(0)
    ramp = np.repeat(np.repeat(np.arange(64, dtype=np.uint8)[:, None], 64, 1)[..., None], 3, 2)
    noise = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    photo = np.concatenate([ramp, noise], axis=1)  # left half smooth, right half noise
    cifar = rng.integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    a = CropSampler([photo], cifar, 16, 0.75, seed=5).sample(32)
    b = CropSampler([photo], cifar, 16, 0.75, seed=5, smooth_frac=0.0).sample(32)
    assert torch.equal(a, b)  # off: the very same crops as before the option existed
    rough = lambda t: np.mean([roughness(c.permute(1, 2, 0).numpy()) for c in t[:24]])
    s = CropSampler([photo], cifar, 16, 0.75, seed=5, smooth_frac=1.0).sample(32)
    assert rough(s) < 0.5 * rough(a)


def test_study_flags_are_stored_and_resumed(packed, tmp_path):
    run = tmp_path / "s"
    base = ["--run", str(run), "--packed", str(packed), *SMALL]
    src = tmp_path / "src"
    train.main(["--run", str(src), "--packed", str(packed), *SMALL, "--max-steps", "2"])
    cfg_default = json.loads((src / "config.json").read_text())
    assert not {"decoder", "space", "lowres_blocks", "smooth_frac", "init_gamma"} & set(cfg_default)
    flags = ["--decoder", "network", "--space", "ycocg", "--lowres-blocks", "1", "--smooth-frac", "0.5",
             "--init-gamma", str(src)]
    train.main(base + flags + ["--max-steps", "2"])
    cfg = json.loads((run / "config.json").read_text())
    assert (cfg["decoder"], cfg["space"], cfg["lowres_blocks"], cfg["smooth_frac"]) == ("network", "ycocg", 1, 0.5)
    assert cfg["init_gamma"] == str(src)
    ck_src = torch.load(src / "checkpoint.pt", weights_only=False)
    ck = torch.load(run / "checkpoint.pt", weights_only=False)
    assert "decoder_scale" in ck["model"] and "low_blocks.0.conv1.weight" in ck["model"]
    # γ came from the source (then two steps of training moved it by at most 2·2.5·lr)
    assert abs(float(ck["model"]["gamma.gamma0"] - ck_src["ema"]["gamma.gamma0"])) <= 5 * 1e-3 * 1.01
    train.main(base + ["--max-steps", "4"])  # resume without the flags: the stored options win
    ck = torch.load(run / "checkpoint.pt", weights_only=False)
    assert ck["step"] == 4 and ck["config"]["decoder"] == "network" and ck["config"]["space"] == "ycocg"
    model, _ = load_run_model(run)
    assert model.study_options() == {"lowres_blocks": 1, "decoder": "network", "space": "ycocg"}
    # --init from a default run adds the decoder's scale at its initial value
    run2 = tmp_path / "i"
    train.main(["--run", str(run2), "--packed", str(packed), *SMALL, "--init", str(src), "--decoder", "network",
                "--max-steps", "1"])
    ck2 = torch.load(run2 / "checkpoint.pt", weights_only=False)
    assert ck2["config"]["decoder"] == "network" and ck2["config"]["init"]["path"].startswith(str(src))
