import torch, sys
torch.set_num_threads(1)
from training.export import load_run_model
from training.data import test_cifar
from training.elbo import elbo_discrete_terms
x = test_cifar(40)
for r in sys.argv[1:]:
    m, ck = load_run_model(r)
    gen = torch.Generator().manual_seed(7)
    T = 64
    grid = m.gamma.grid(T)
    eps0 = torch.randn(x.shape, generator=gen)
    noises = [torch.randn(x.shape, generator=gen) for i in range(T + 1)]
    # per-step KL: first 4 steps and the rest
    t = elbo_discrete_terms(m, x, grid, eps0, lambda i: noises[i])
    lo = elbo_discrete_terms(m, x, grid, eps0, lambda i: noises[i], steps=[1, 2, 3, 4])
    print(r.split('/')[-1], {k: round(float(v.mean()), 4) for k, v in t.items()}, 'steps1-4 diffusion (x16 scaled)', round(float(lo['diffusion'].mean()) * 4 / 64, 4), 'g', [round(float(v), 3) for v in grid[:5]], flush=True)
