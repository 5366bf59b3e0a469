"""The quantized test images of this benchmark, from the shared Kodak corpus (Pillow):

    python3 make_images.py KODAK_DIR OUT_DIR

For kodim01, 03, 05, 13, 20, 23: `-q256` the median-cut 256-colour quantization (Pillow's default
`quantize(256)`), `-q256d` and `-q64d` the image mapped onto the 256- or 64-colour median-cut palette with
Floyd-Steinberg dithering (as pngquant or a GIF export dither); saved with `optimize=True`. Also
`k20c128.png`, kodim20's top-left 256×256 quantized to 128 colours, and `pal.png`, 64×64 uniform noise
converted to Pillow's 216-colour web palette (`convert("P")`, seed 1).
"""
import os
import sys

import numpy as np
from PIL import Image


def main():
    kodak, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for k in ["01", "03", "05", "13", "20", "23"]:
        im = Image.open(os.path.join(kodak, f"kodim{k}.png")).convert("RGB")
        for n in (256, 64):
            palette = im.quantize(n)
            if n == 256:
                palette.save(os.path.join(out, f"k{k}-q{n}.png"), optimize=True)
            im.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG).save(
                os.path.join(out, f"k{k}-q{n}d.png"), optimize=True)
    k20 = Image.open(os.path.join(kodak, "kodim20.png")).convert("RGB")
    k20.crop((0, 0, 256, 256)).quantize(128).save(os.path.join(out, "k20c128.png"), optimize=True)
    noise = np.random.default_rng(1).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(noise).convert("P").save(os.path.join(out, "pal.png"))


if __name__ == "__main__":
    main()
