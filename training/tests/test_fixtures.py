"""The committed parity fixtures agree with the committed checkpoints (recomputed here from the files)."""
import hashlib
import json
from pathlib import Path

import pytest
import torch
from safetensors import safe_open

from training.elbo import elbo_discrete_terms
from training.evaluate import load_safetensors_model

REPO = Path(__file__).resolve().parents[2]
PAIRS = [("Tests/ModelTests/Fixtures/tiny.safetensors", "Tests/ModelTests/Fixtures/tiny_fixture.safetensors"),
         ("Tests/ModelTests/Fixtures/tiny_lv.safetensors", "Tests/ModelTests/Fixtures/tiny_lv_fixture.safetensors"),
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
        assert torch.allclose(model(t["net_z"], t["net_gamma"]), t["net_out"], rtol=1e-5, atol=1e-5)
    x = t["x"].permute(0, 3, 1, 2).contiguous()
    terms = elbo_discrete_terms(model, x, t["gamma_t"], t["elbo_eps0"], lambda i: t["elbo_eps"][:, i - 1])
    for k in ("prior", "recon", "diffusion"):
        assert torch.allclose(terms[k].float(), t[f"elbo_{k}_bpd"], rtol=1e-5), k
