"""The denoiser ε̂_θ(z, γ) of NETWORK.md, architecture ``vdmz-resnet-1``.

State-dict names are exactly the checkpoint tensor names of NETWORK.md ("Checkpoint file").
"""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .schedule import MonotoneGamma

ARCHITECTURE = "vdmz-resnet-1"
TEMB_HALF = 32


def conv3x3(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, padding=1)


class Block(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = conv3x3(channels, channels)
        self.temb = nn.Linear(4 * channels, channels)
        self.conv2 = conv3x3(channels, channels)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, h, temb):
        a = self.conv1(F.silu(h)) + self.temb(temb)[:, :, None, None]
        return h + self.conv2(F.silu(a))


class VDMZNetwork(nn.Module):
    """Denoiser plus its learned schedule (``self.gamma``). ``forward(z, gamma)`` returns y
    ``[N, outC, H, W]``: ε̂ = y[:, :3], and with ``learned_variance`` v = y[:, 3:6]."""

    def __init__(self, channels: int = 32, blocks: int = 4, fourier_n=(6, 7), learned_variance: bool = False,
                 lowres_blocks: int = 0, decoder: str = "uniform", space: str = "rgb"):
        """``lowres_blocks``, ``decoder`` and ``space`` are study options (training/MODEL_CARD.md, "Rate–compute
        study"), not part of ``vdmz-resnet-1``: at their defaults (0, "uniform", "rgb") the module, its state
        dict and its outputs are exactly NETWORK.md's. ``lowres_blocks`` > 0: a half-resolution path after the
        full-resolution blocks. ``decoder="network"``: p(x|z_0) also uses x̂(z_0) of one network pass at t=0
        (training/decoder.py), with a learned per-channel scale ``decoder_scale`` [2, 3]. ``space``: the data
        space the diffusion runs in ("ycocg": YCoCg-R, training/colour.py); the network does not change."""
        super().__init__()
        if decoder not in ("uniform", "network"):
            raise ValueError(f"decoder must be 'uniform' or 'network', not {decoder!r}")
        if space not in ("rgb", "ycocg"):
            raise ValueError(f"space must be 'rgb' or 'ycocg', not {space!r}")
        self.lowres_blocks = int(lowres_blocks)
        self.decoder = decoder
        self.space = space
        self.channels = channels
        self.num_blocks = blocks
        self.fourier_n = list(fourier_n)
        self.learned_variance = bool(learned_variance)
        self.out_channels = 6 if learned_variance else 3
        k = len(self.fourier_n)
        self.gamma = MonotoneGamma()
        self.temb1 = nn.Linear(2 * TEMB_HALF, 4 * channels)
        self.temb2 = nn.Linear(4 * channels, 4 * channels)
        self.conv_in = conv3x3(3 * (1 + 2 * k), channels)
        self.blocks = nn.ModuleList([Block(channels) for _ in range(blocks)])
        if self.lowres_blocks:
            self.low_blocks = nn.ModuleList([Block(channels) for _ in range(self.lowres_blocks)])
        if decoder == "network":
            # log s = decoder_scale[0, c] + decoder_scale[1, c]·v (v: the variance output at t = 0, if any);
            # starts at s = one bin (2/256), independent of v.
            init = torch.zeros(2, 3)
            init[0] = math.log(2.0 / 256.0)
            self.decoder_scale = nn.Parameter(init)
        self.conv_out = conv3x3(channels, self.out_channels)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)
        # Constants computed in float64 and rounded once to float32 (NETWORK.md).
        fw = np.array([2.0 * math.pi * 2.0 ** n for n in self.fourier_n], dtype=np.float64).astype(np.float32)
        freq = np.exp(-math.log(10000.0) * np.arange(TEMB_HALF, dtype=np.float64) / (TEMB_HALF - 1)).astype(np.float32)
        self.register_buffer("fourier_w", torch.from_numpy(fw), persistent=False)
        self.register_buffer("temb_freq", torch.from_numpy(freq), persistent=False)

    def hyperparameters(self) -> dict:
        h = {"channels": self.channels, "blocks": self.num_blocks, "fourier_n": self.fourier_n,
             "learned_variance": self.learned_variance}
        return h

    def study_options(self) -> dict:
        """The study options that differ from ``vdmz-resnet-1`` (empty for the default network)."""
        o = {"lowres_blocks": self.lowres_blocks, "decoder": self.decoder, "space": self.space}
        return {k: v for k, v in o.items() if v != {"lowres_blocks": 0, "decoder": "uniform", "space": "rgb"}[k]}

    def _lowres(self, h, temb):
        """h + up(path(down(h)) − down(h)): the half-resolution blocks' update, nearest-upsampled (a residual
        branch: zero at initialisation, since each block's last conv starts at zero)."""
        d = F.avg_pool2d(h, 2)
        e = d
        for block in self.low_blocks:
            e = block(e, temb)
        return h + F.interpolate(e - d, scale_factor=2, mode="nearest")

    def time_embedding(self, gamma: torch.Tensor) -> torch.Tensor:
        u = (gamma.to(torch.float32) + 13.3) / 18.3
        a = (1000.0 * u)[:, None] * self.temb_freq[None, :]
        e = torch.cat([torch.sin(a), torch.cos(a)], dim=1)
        return F.silu(self.temb2(F.silu(self.temb1(e))))

    def fourier_features(self, z: torch.Tensor) -> torch.Tensor:
        us = [z * self.fourier_w[i] for i in range(len(self.fourier_n))]
        return torch.cat([z] + [torch.sin(u) for u in us] + [torch.cos(u) for u in us], dim=1)

    def forward(self, z: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
        temb = self.time_embedding(gamma)
        h = self.conv_in(self.fourier_features(z))
        for block in self.blocks:
            h = block(h, temb)
        if self.lowres_blocks:
            h = self._lowres(h, temb)
        return self.conv_out(F.silu(h))

    def forward_mixed(self, z: torch.Tensor, gamma: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """Training forward with the residual blocks' layers under autocast to ``dtype`` (bf16 on a GPU).

        The input layer stays float32: it reads z, whose fine noise (σ ≈ 0.002 at γ = −12) and
        high-frequency Fourier features bf16 would round away (that alone raised the training loss by
        0.2 %); the output layer and the residual sums stay float32 too. Same function as ``forward``
        up to rounding (loss within 1.3e-4 relative, gradient within 1 % of float32; README).
        """
        temb = self.time_embedding(gamma)
        h = self.conv_in(self.fourier_features(z))
        with torch.autocast(device_type=z.device.type, dtype=dtype):
            for block in self.blocks:
                h = block(h, temb)  # h + conv2(…): the float32 residual stream plus a bf16 update
            if self.lowres_blocks:
                h = self._lowres(h, temb)
        return self.conv_out(F.silu(h.float()))

    def flops_per_pixel(self) -> int:
        """Multiply-adds ×2 of the convolutions per pixel per evaluation (NETWORK.md formula)."""
        c = self.channels
        cin = 3 * (1 + 2 * len(self.fourier_n))
        full = 2 * 9 * (cin * c + 2 * self.num_blocks * c * c + c * self.out_channels)
        return full + (2 * 9 * 2 * self.lowres_blocks * c * c) // 4  # half resolution: a quarter of the pixels

    def extra_decoder_passes(self) -> int:
        """Network evaluations per image beyond the T diffusion steps: 1 for the network decoder (x̂(z_0))."""
        return 1 if self.decoder == "network" else 0


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
