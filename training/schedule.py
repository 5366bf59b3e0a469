"""The learned monotone noise schedule γ(t) of NETWORK.md ("Noise schedule")."""
import torch
import torch.nn as nn

GAMMA_MIN = -13.3
GAMMA_MAX = 5.0


class MonotoneGamma(nn.Module):
    """γ(t) = γ0 + (γ1 − γ0)·(g̃(t) − g̃(0))/(g̃(1) − g̃(0)), with
    g̃(t) = l1(t) + |W3|·sigmoid(|W2|·l1(t) + b2) + b3 and l1(t) = |W1|·t + b1.

    Monotone increasing in t for any parameter values; the endpoints γ(0) = γ0 and γ(1) = γ1 are
    parameters of their own. Evaluates in the dtype of ``t`` (float64 for the coder / fixtures).
    """

    def __init__(self, hidden: int = 1024, gamma_min: float = GAMMA_MIN, gamma_max: float = GAMMA_MAX):
        super().__init__()
        self.l1 = nn.Linear(1, 1)
        self.l2 = nn.Linear(1, hidden)
        self.l3 = nn.Linear(hidden, 1)
        self.gamma0 = nn.Parameter(torch.tensor(float(gamma_min)))
        self.gamma1 = nn.Parameter(torch.tensor(float(gamma_max)))
        with torch.no_grad():
            # Start close to linear: the sigmoid part adds a small, smooth correction whose
            # transitions are spread over t ∈ [0, 1]; it learns the curvature.
            self.l1.weight.fill_(1.0)
            self.l1.bias.zero_()
            self.l2.weight.uniform_(1.0, 12.0)
            self.l2.bias.copy_(-self.l2.weight[:, 0] * torch.rand(hidden))
            self.l3.weight.fill_(1e-4)
            self.l3.bias.zero_()

    def tilde(self, t: torch.Tensor) -> torch.Tensor:
        dt = t.dtype
        w1 = self.l1.weight.to(dt).abs().reshape(())
        b1 = self.l1.bias.to(dt).reshape(())
        w2 = self.l2.weight.to(dt).abs().reshape(-1)
        b2 = self.l2.bias.to(dt)
        w3 = self.l3.weight.to(dt).abs().reshape(-1)
        b3 = self.l3.bias.to(dt).reshape(())
        l1 = w1 * t + b1
        h = torch.sigmoid(l1[..., None] * w2 + b2)
        return l1 + h @ w3 + b3

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        dt = t.dtype
        ends = self.tilde(torch.arange(2, dtype=dt, device=t.device))  # t = 0, 1 (no host→GPU copy, which syncs)
        g0 = self.gamma0.to(dt)
        g1 = self.gamma1.to(dt)
        return g0 + (g1 - g0) * (self.tilde(t) - ends[0]) / (ends[1] - ends[0])

    def grid(self, steps: int) -> torch.Tensor:
        """γ(i/T) for i = 0…T as the coder sees it: evaluated in float64, rounded once to float32."""
        t = torch.arange(steps + 1, dtype=torch.float64, device=self.gamma0.device) / steps
        with torch.no_grad():
            return self(t).to(torch.float32)
