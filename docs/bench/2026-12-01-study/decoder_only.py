"""The network-informed decoder alone: today's network frozen (the main run's EMA weights), only the
decoder's scale (``decoder_scale``, 2×3 numbers) fitted on training crops; then the reconstruction term
−log p(x|z_0) on the first 200 cifar-500 images and the 16 Kodak 64×64 crops, exact decoder, fixed seed.

    python3 docs/bench/2026-12-01-study/decoder_only.py RUN_DIR     # e.g. a copy of /work/runs/default

Run from the repository root (PYTHONPATH=.); 1 thread, about a minute.
"""
import sys

import torch

from training.data import CropSampler, load_cifar_train, load_photos, test_cifar, test_kodak_fixed_crops
from training.decoder import recon_nats_study
from training.export import load_run_model
from training.loss import LN2, scaled
from training.network import VDMZNetwork
from training.study import recon_bits

torch.set_num_threads(1)
torch.manual_seed(0)
m, ck = load_run_model(sys.argv[1])
md = VDMZNetwork(32, 4, (6, 7), True, decoder="network")
md.load_state_dict(m.state_dict(), strict=False)  # decoder_scale starts at s = one bin
for p in md.parameters():
    p.requires_grad_(False)
md.decoder_scale.requires_grad_(True)
samp = CropSampler(load_photos(), load_cifar_train(), 32, 0.75, seed=11)
opt = torch.optim.Adam([md.decoder_scale], lr=0.05)
g0 = md.gamma(torch.tensor([0.0]))[0].detach()
a0, s0 = torch.sqrt(torch.sigmoid(-g0)), torch.sqrt(torch.sigmoid(g0))
for it in range(60):  # 60 batches of 64 training crops
    x = samp.sample(64)
    z0 = a0 * scaled(x) + s0 * torch.randn(x.shape)
    loss = recon_nats_study(md, x.long(), z0, g0, "rgb", window=8).mean() / (x[0].numel() * LN2)
    opt.zero_grad()
    loss.backward()
    opt.step()
print("step", ck["step"], "gamma0", round(float(g0), 4), "fitted decoder_scale", md.decoder_scale.detach().tolist())
md.eval()
for name, mm in (("today's decoder", m), ("network decoder, frozen network, fitted scale", md)):
    print(f"{name}: recon bits/dim cifar200 {recon_bits(mm, test_cifar(200)):.5f}, "
          f"Kodak 16×64² {recon_bits(mm, test_kodak_fixed_crops(16)):.5f}", flush=True)
