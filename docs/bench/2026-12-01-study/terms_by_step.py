import torch, sys
torch.set_num_threads(1)
from training.export import load_run_model
from training.data import test_cifar
from training.elbo import elbo_discrete_terms
x = test_cifar(24)
res = {}
for r in sys.argv[1:]:
    m, ck = load_run_model(r)
    gen = torch.Generator().manual_seed(7)
    T = 64
    grid = m.gamma.grid(T)
    eps0 = torch.randn(x.shape, generator=gen)
    noises = [torch.randn(x.shape, generator=gen) for i in range(T + 1)]
    res[r] = [float(elbo_discrete_terms(m, x, grid, eps0, lambda i: noises[i], steps=list(range(a, a + 8)))['diffusion'].mean()) * 8 / 64 for a in range(1, 65, 8)]
    print(r.split('/')[-1], [round(v, 4) for v in res[r]], flush=True)
