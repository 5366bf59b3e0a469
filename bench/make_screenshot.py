"""Draws bench/images/screenshot-photo.png: a 384×256 "screenshot with an embedded photo" for the hybrid
coder (docs/bench/2026-12-01-hybrid): a flat window (title bar, menu, text, buttons, a list) drawn with
PIL's default font, and a 176×120 crop of Kodak kodim05 pasted into it at (192, 72).

    python3 bench/make_screenshot.py [KODAK_DIR]   # default: $VDMZ_CORPORA/kodak or /work/shared/corpora/kodak
"""
import os
import sys

from PIL import Image, ImageDraw, ImageFont

kodak = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("VDMZ_CORPORA", "/work/shared/corpora"), "kodak")
W, H = 384, 256
img = Image.new("RGB", (W, H), (236, 236, 236))
d = ImageDraw.Draw(img)
font = ImageFont.load_default()
d.rectangle([0, 0, W - 1, 21], fill=(52, 101, 164))
d.text((8, 5), "vdmz - screenshot.png  (hybrid coder test)", fill=(255, 255, 255), font=font)
for i, (r, g, b) in enumerate([(237, 106, 94), (245, 191, 79), (98, 197, 84)]):
    d.ellipse([W - 60 + 18 * i, 6, W - 50 + 18 * i, 16], fill=(r, g, b))
d.rectangle([0, 22, W - 1, 39], fill=(250, 250, 250))
for i, item in enumerate(["File", "Edit", "View", "Image", "Help"]):
    d.text((8 + 52 * i, 25), item, fill=(20, 20, 20), font=font)
d.line([0, 40, W - 1, 40], fill=(200, 200, 200))
# Left column: text and a list.
lines = [
    "Lossless coding of a screenshot:",
    "flat colours and text go to the",
    "context coder, the photograph",
    "to the diffusion prior.",
    "",
    "Regions: 64 x 64 pixels",
    "Choice: measured per region",
]
for i, line in enumerate(lines):
    d.text((10, 50 + 15 * i), line, fill=(30, 30, 30), font=font)
for i in range(6):
    y = 160 + 15 * i
    d.rectangle([8, y, 176, y + 13], fill=(255, 255, 255) if i % 2 else (226, 234, 246))
    d.text((12, y + 1), f"kodim{i + 1:02d}.png   {393216 + 977 * i} px", fill=(40, 40, 40), font=font)
# Buttons.
for i, label in enumerate(["Compress", "Cancel"]):
    x = 192 + 96 * i
    d.rounded_rectangle([x, 210, x + 84, 234], radius=5, fill=(52, 101, 164) if i == 0 else (250, 250, 250), outline=(120, 120, 120))
    d.text((x + 16, 216), label, fill=(255, 255, 255) if i == 0 else (20, 20, 20), font=font)
# The photograph.
photo = Image.open(os.path.join(kodak, "kodim05.png")).convert("RGB").crop((300, 150, 476, 270))
d.rectangle([190, 70, 190 + 176 + 3, 70 + 120 + 3], outline=(90, 90, 90))
img.paste(photo, (192, 72))
d.rectangle([0, H - 14, W - 1, H - 1], fill=(220, 220, 220))
d.text((6, H - 13), "Ready", fill=(60, 60, 60), font=font)
img.save(os.path.join(os.path.dirname(os.path.abspath(__file__)), "images", "screenshot-photo.png"), optimize=True)
