"""The committed parity fixtures agree with the committed checkpoints (recomputed here from the files)."""
import copy
import hashlib
import json
import math
from pathlib import Path

import pytest
import torch
from safetensors import safe_open

from training.elbo import elbo_discrete_terms
from training.evaluate import load_safetensors_model

REPO = Path(__file__).resolve().parents[2]
UNIT_ROUNDOFF = 2.0 ** -24  # float32


def network_tolerance(model, reference: torch.Tensor):
    """(atol, rtol) for comparing float32 network outputs computed by two different float32 implementations.

    The fixture was written by PyTorch on one CPU; this test may run on another (other SIMD width, oneDNN or
    another convolution algorithm, blocked/FMA summation, other vectorised sin/cos/exp). Those differ only
    in the order and grouping of float32 roundings. Each convolution output is a dot product of K = 9·C
    terms, whose rounding error under an arbitrary summation order is about √K·u relative to the layer's
    magnitude (u = 2⁻²⁴); the 2B+2 convolutions in series each add such an error, and the residual blocks
    carry it to the output at about the output's own scale. Hence atol = k·u·(2B+2)·√K·max|out|, plus a
    small relative term for large elements. k = 4: re-ordering every hidden-channel sum (30 random channel
    permutations of the default model, oneDNN on and off) moved outputs by at most 0.58·u·(2B+2)·√K·max|out|
    (1.7e-5 absolute; another CPU was seen 1.5e-5 off), so k = 4 leaves a margin of about 7. It is still
    tight: scaling one block's conv2 weights by 1.001 moves the default model's outputs by 8 to 18 times
    this tolerance (test_tolerance_separates_rounding_from_changes), and a wrong layer, constant or
    checkpoint by far more.
    """
    depth = 2 * model.num_blocks + 2
    k_max = 9 * max(model.channels, model.conv_in.weight.shape[1])
    atol = 4.0 * UNIT_ROUNDOFF * depth * math.sqrt(k_max) * float(reference.abs().max())
    return atol, 1e-5


PAIRS = [("Tests/ModelTests/Fixtures/tiny.safetensors", "Tests/ModelTests/Fixtures/tiny_fixture.safetensors"),
         ("Tests/ModelTests/Fixtures/tiny_lv.safetensors", "Tests/ModelTests/Fixtures/tiny_lv_fixture.safetensors"),
         ("Tests/ModelTests/Fixtures/tiny_nd.safetensors", "Tests/ModelTests/Fixtures/tiny_nd_fixture.safetensors"),
         ("Sources/Model/Resources/default.safetensors", "Tests/ModelTests/Fixtures/default_fixture.safetensors")]


@pytest.mark.parametrize("ckpt,fixture", PAIRS)
def test_fixture_matches_checkpoint(ckpt, fixture):
    ckpt, fixture = REPO / ckpt, REPO / fixture
    if not ckpt.exists() or not fixture.exists():
        pytest.skip(f"{ckpt.name} or {fixture.name} not present")
    model, meta = load_safetensors_model(ckpt)
    assert meta["architecture"] == "vdmz-resnet-1" and meta["format"] == "vdmz-checkpoint"
    with safe_open(str(fixture), "pt") as fh:
        fmeta = json.loads(fh.metadata()["vdmz_fixture"])
        t = {k: fh.get_tensor(k) for k in fh.keys()}
    assert fmeta["checkpoint_sha256"] == hashlib.sha256(ckpt.read_bytes()).hexdigest()
    T = fmeta["T"]
    assert torch.equal(model.gamma.grid(T), t["gamma_t"])
    with torch.no_grad():
        out = model(t["net_z"], t["net_gamma"])
    atol, rtol = network_tolerance(model, t["net_out"])
    err = (out - t["net_out"]).abs()
    assert torch.allclose(out, t["net_out"], rtol=rtol, atol=atol), \
        f"network outputs differ by up to {float(err.max()):.3g} (atol {atol:.3g}, rtol {rtol:g})"
    x = t["x"].permute(0, 3, 1, 2).contiguous()
    terms = elbo_discrete_terms(model, x, t["gamma_t"], t["elbo_eps0"], lambda i: t["elbo_eps"][:, i - 1])
    # ELBO terms per image: prior and recon are closed forms in float64 (independent of the network); the
    # diffusion term sums 3·H·W·T squared residuals, so the network's ~1e-5 output noise averages out (re-ordered
    # sums moved it by < 1e-7 relative). rtol 1e-5 is ~170 float32 ulps of the stored values.
    for k in ("prior", "recon", "diffusion"):
        assert torch.allclose(terms[k].float(), t[f"elbo_{k}_bpd"], rtol=1e-5), k
    if meta.get("decoder") == "network":  # x̂, 1/s², log p(x|z_0): float64 from the network's float32 outputs
        from training.export import decoder_fixture
        # log p(x | z_0) moves by about (x − x̂)·(1/s²) per unit of x̂: with 1/s² up to ~7e4 and the network's
        # float32 noise (x̂ within ~3e-7 here, 2026-12-02: one sub-pixel 3.7e-5 nats off, 1.3e-4 relative, on a
        # fresh environment), an absolute 1e-3 nats (1.4e-3 bits, nothing for a rate) holds on other CPUs.
        for k, v in decoder_fixture(model, x, t["gamma_t"], t["elbo_eps0"]).items():
            atol = 1e-3 if k == "decoder_log_prob" else 1e-6
            assert torch.allclose(v, t[k], rtol=1e-4, atol=atol), k


def _hidden_permuted(model, perm):
    """The same function with the hidden channels relabelled: every convolution sums in another order."""
    m = copy.deepcopy(model)
    with torch.no_grad():
        m.conv_in.weight.copy_(m.conv_in.weight[perm])
        m.conv_in.bias.copy_(m.conv_in.bias[perm])
        for b in m.blocks:
            for c in (b.conv1, b.conv2):
                c.weight.copy_(c.weight[perm][:, perm])
                c.bias.copy_(c.bias[perm])
            b.temb.weight.copy_(b.temb.weight[perm])
            b.temb.bias.copy_(b.temb.bias[perm])
        m.conv_out.weight.copy_(m.conv_out.weight[:, perm])
    return m


def test_tolerance_separates_rounding_from_changes():
    """Re-ordered float32 sums stay inside network_tolerance; a 1e-3 change of one layer does not."""
    ckpt, fixture = PAIRS[2]
    if not (REPO / ckpt).exists() or not (REPO / fixture).exists():
        pytest.skip("default checkpoint or fixture not present")
    model, _ = load_safetensors_model(REPO / ckpt)
    with safe_open(str(REPO / fixture), "pt") as fh:
        z, g, ref = fh.get_tensor("net_z"), fh.get_tensor("net_gamma"), fh.get_tensor("net_out")
    atol, rtol = network_tolerance(model, ref)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for _ in range(3):
            out = _hidden_permuted(model, torch.randperm(model.channels, generator=gen))(z, g)
            assert torch.allclose(out, ref, rtol=rtol, atol=atol)
        changed = copy.deepcopy(model)
        changed.blocks[1].conv2.weight.mul_(1.001)
        assert not torch.allclose(changed(z, g), ref, rtol=rtol, atol=atol)
