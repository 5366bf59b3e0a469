"""Data spaces of the diffusion (study option ``--space``): RGB as today, or the reversible YCoCg-R transform.

A space maps the uint8 RGB sub-pixels of an image to per-channel integer levels j ∈ [0, K_c) and each level
to its value f = 2·(j − c_c)/256 in the diffusion's data space (bin width 2/256 everywhere):
  rgb:   j = x (K = 256, c = 127.5): f = 2(x + 0.5)/256 − 1, exactly ``loss.scaled``.
  ycocg: YCoCg-R (lifting, integer, exactly reversible): Co = R − B, t = B + (Co >> 1), Cg = G − t,
         Y = t + (Cg >> 1). Y ∈ [0, 255] (K = 256, c = 127.5); Co, Cg ∈ [−255, 255] are stored as
         j = Co + 255 (K = 511, c = 255, so f = 2·Co/256 ∈ [−1.99, 1.99]).
The decoder p(x|z_0) is then a K_c-way categorical per sub-pixel (256 or 511), and bits per sub-pixel are
those of the RGB image (the map RGB → levels is one-to-one; levels no RGB maps to only waste probability).
"""
import torch

SPACES = ("rgb", "ycocg")
LEVELS = {"rgb": (256, 256, 256), "ycocg": (256, 511, 511)}
CENTRES = {"rgb": (127.5, 127.5, 127.5), "ycocg": (127.5, 255.0, 255.0)}


def ycocg_r_forward(x: torch.Tensor) -> torch.Tensor:
    """uint8/int RGB [..., 3, H, W] (channel dim −3) → int64 (Y, Co, Cg)."""
    x = x.to(torch.int64)
    r, g, b = x.unbind(-3)
    co = r - b
    t = b + (co >> 1)
    cg = g - t
    y = t + (cg >> 1)
    return torch.stack([y, co, cg], dim=-3)


def ycocg_r_inverse(ycc: torch.Tensor) -> torch.Tensor:
    """int (Y, Co, Cg) → int64 RGB; exact inverse of ``ycocg_r_forward``."""
    y, co, cg = ycc.to(torch.int64).unbind(-3)
    t = y - (cg >> 1)
    g = cg + t
    b = t - (co >> 1)
    r = b + co
    return torch.stack([r, g, b], dim=-3)


def to_levels(x: torch.Tensor, space: str) -> torch.Tensor:
    """uint8 RGB NCHW → int64 levels j ∈ [0, K_c) per channel."""
    if space == "rgb":
        return x.to(torch.int64)
    if space == "ycocg":
        ycc = ycocg_r_forward(x)
        return ycc + torch.tensor([0, 255, 255], device=x.device).reshape(3, 1, 1)
    raise ValueError(f"unknown space {space!r}")


def level_values(j: torch.Tensor, space: str, dtype=torch.float32) -> torch.Tensor:
    """f = 2·(j − c_c)/256 for levels j NCHW (exact in float32)."""
    c = torch.tensor(CENTRES[space], dtype=dtype, device=j.device).reshape(3, 1, 1)
    return (2.0 * (j.to(dtype) - c)) / 256.0


def levels_count(space: str) -> torch.Tensor:
    return torch.tensor(LEVELS[space])
