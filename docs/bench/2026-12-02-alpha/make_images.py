"""The two RGBA images of bench/README.md "Alpha coded by the context coder" (Pillow):

    python3 make_images.py KODAK_DIR OUT_DIR

photo-alpha.png: kodim23's 256×256 crop at (100, 50) under a round mask (ellipse 20…236) blurred by a
Gaussian of radius 6. icon.png: a rounded rectangle, a translucent white disc and a line of text drawn at
512×512 on a transparent background, downscaled to 128×128 with Lanczos.
"""
import os
import sys

from PIL import Image, ImageDraw, ImageFilter


def main():
    kodak, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    photo = Image.open(os.path.join(kodak, "kodim23.png")).convert("RGB").crop((100, 50, 356, 306))
    mask = Image.new("L", photo.size, 0)
    ImageDraw.Draw(mask).ellipse((20, 20, 236, 236), fill=255)
    photo.putalpha(mask.filter(ImageFilter.GaussianBlur(6)))
    photo.save(os.path.join(out, "photo-alpha.png"), optimize=True)
    icon = Image.new("RGBA", (512, 512), (0, 0, 0, 0))
    draw = ImageDraw.Draw(icon)
    draw.rounded_rectangle((40, 40, 472, 472), radius=80, fill=(40, 120, 220, 255))
    draw.ellipse((150, 150, 362, 362), fill=(255, 255, 255, 230))
    draw.text((60, 420), "vdmz icon", fill=(255, 200, 0, 255))
    icon.resize((128, 128), Image.LANCZOS).save(os.path.join(out, "icon.png"), optimize=True)


if __name__ == "__main__":
    main()
