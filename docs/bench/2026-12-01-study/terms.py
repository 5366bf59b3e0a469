"""ELBO terms of study runs with the same noise (first 40 cifar-500 images, T = 64, bits/dim), and the
diffusion term split by groups of 8 steps (first 24 images):

    PYTHONPATH=. python3 docs/bench/2026-12-01-study/terms.py /work/study/runs/a_base /work/study/runs/a_netdec
"""
import sys

import torch

from training.data import test_cifar
from training.elbo import elbo_discrete_terms
from training.export import load_run_model

torch.set_num_threads(1)
T = 64
for r in sys.argv[1:]:
    m, ck = load_run_model(r)
    grid = m.gamma.grid(T)
    for n in (40, 24):
        x = test_cifar(n)
        gen = torch.Generator().manual_seed(7)
        eps0 = torch.randn(x.shape, generator=gen)
        noises = [torch.randn(x.shape, generator=gen) for i in range(T + 1)]
        terms = lambda steps=None: elbo_discrete_terms(m, x, grid, eps0, lambda i: noises[i], steps)
        if n == 40:
            t = terms()
            print(r.split("/")[-1], {k: round(float(v.mean()), 4) for k, v in t.items()},
                  "gamma(i/64), i=0..4", [round(float(v), 3) for v in grid[:5]], flush=True)
        else:
            print(r.split("/")[-1], "diffusion by steps 1-8, 9-16, ...",
                  [round(float(terms(list(range(a, a + 8)))["diffusion"].mean()) * 8 / T, 4) for a in range(1, 65, 8)],
                  flush=True)
