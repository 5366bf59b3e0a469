"""Network work of a coder's tiles against one whole-image pass, in pixel-layers per image pixel.

Input: lines "tile X Y W H" (the tiles of one image, as the encoder cut them). Each tile's network region
is the tile plus `radius` pixels to the right and below (clipped to the image). "full" counts the whole
region at every one of the radius (= 2B + 2) convolutions; "trimmed" counts layer l on the tile widened by
radius − l (what `Denoiser` computes since speed4). The whole-image reference is `vdmz-bench model`'s pass:
tiles of at most 512 pixels a side with a halo of `radius`, full or trimmed likewise.
    python3 regions.py tiles-kodim20-T64.txt [radius]
"""
import math
import sys


def layer_work(w, h, rw, rh, radius, trimmed):
    if not trimmed:
        return radius * rw * rh
    return sum(min(rw, w + radius - l) * min(rh, h + radius - l) for l in range(1, radius + 1))


def main():
    radius = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    tiles = [tuple(map(int, l.split()[1:])) for l in open(sys.argv[1]) if l.startswith('tile')]
    width = max(x + w for x, y, w, h in tiles)
    height = max(y + h for x, y, w, h in tiles)
    area = width * height
    for trimmed in (False, True):
        coder = sum(layer_work(w, h, min(width, x + w + radius) - x, min(height, y + h + radius) - y, radius, trimmed)
                    for x, y, w, h in tiles) / radius
        across, down = math.ceil(width / 512), math.ceil(height / 512)
        tw, th = math.ceil(width / across), math.ceil(height / down)
        whole = 0
        for ty in range(0, height, th):
            for tx in range(0, width, tw):
                # A halo tile: interior widened by the layers left on every side, clipped to the image.
                for l in range(1, radius + 1):
                    widen = radius - l if trimmed else radius
                    x0, x1 = max(0, tx - widen), min(width, tx + tw + widen)
                    y0, y1 = max(0, ty - widen), min(height, ty + th + widen)
                    whole += (x1 - x0) * (y1 - y0)
        whole /= radius
        print(f"{'trimmed' if trimmed else 'full   '}: {len(tiles)} tiles of {width}×{height}: coder {coder / area:.3f}, "
              f"whole-image pass {whole / area:.3f} pixel-layers per pixel and layer ({coder / whole:.3f}×)")


main()
