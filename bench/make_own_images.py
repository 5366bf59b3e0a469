"""Draws the project's own test images in bench/images/own/ (issue 13: "no image comes out larger", on every
kind of image): matplotlib charts, rendered text, user-interface mock-ups, dithered and halftone images,
a gray screenshot, a 2-colour image, 16-bit and RGBA PNGs, an 8×8 tile, 1×N and N×1 strips and a
noise image. Everything is drawn here from code (fonts: the DejaVu fonts that matplotlib ships, under
their free licence), so the images are the project's own (same licence as the project).

    .venv/bin/python bench/make_own_images.py [OUT_DIR]   # default: bench/images/own

Needs numpy, Pillow and matplotlib (the training virtual environment has them). The pixels are
reproducible with the same library versions (matplotlib 3.11, Pillow 13, numpy 2.4 when made); no
timestamps or software names are written into the PNGs.
"""
import os
import struct
import sys
import zlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "images", "own")
FONT_DIR = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf")
SANS = os.path.join(FONT_DIR, "DejaVuSans.ttf")
SANS_BOLD = os.path.join(FONT_DIR, "DejaVuSans-Bold.ttf")
SERIF = os.path.join(FONT_DIR, "DejaVuSerif.ttf")
MONO = os.path.join(FONT_DIR, "DejaVuSansMono.ttf")
RNG = np.random.default_rng(13)


def save(img, name, **kw):
    img.save(os.path.join(OUT, name), optimize=False, **kw)


def save_figure(fig, name):
    fig.savefig(os.path.join(OUT, name), dpi=100, metadata={"Software": None})
    plt.close(fig)


def charts():
    plt.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "13"})
    x = np.linspace(0, 10, 400)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for k, style in zip(range(1, 4), ["-", "--", "-."]):
        ax.plot(x, np.sin(k * x) * np.exp(-0.1 * k * x), style, label=f"k = {k}")
    ax.set(title="Damped oscillations", xlabel="time (s)", ylabel="amplitude")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right")
    save_figure(fig, "chart_line.png")

    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    labels = ["PNG", "WebP", "JPEG XL", "vdmz ctx", "vdmz bb"]
    a, b = [4.1, 3.6, 3.3, 3.2, 3.0], [2.1, 1.5, 1.2, 1.1, 2.9]
    pos = np.arange(len(labels))
    ax.bar(pos - 0.2, a, 0.4, label="photographs", color="#4c72b0")
    ax.bar(pos + 0.2, b, 0.4, label="graphics", color="#dd8452")
    ax.set_xticks(pos, labels)
    ax.set(ylabel="bits per sub-pixel", title="Bar chart")
    ax.legend()
    save_figure(fig, "chart_bar.png")

    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    for c, m in zip(["tab:blue", "tab:orange", "tab:green"], ["o", "s", "^"]):
        p = RNG.normal(size=(60, 2)) * RNG.uniform(0.5, 1.5) + RNG.uniform(-3, 3, size=2)
        ax.scatter(p[:, 0], p[:, 1], c=c, marker=m, alpha=0.7, edgecolors="k", linewidths=0.5, label=m)
    ax.set(title="Scatter", xlabel="x", ylabel="y")
    ax.legend()
    save_figure(fig, "chart_scatter.png")

    fig, ax = plt.subplots(figsize=(5.6, 4.8))
    yy, xx = np.mgrid[-3:3:40j, -3:3:40j]
    z = np.exp(-(xx ** 2 + yy ** 2) / 3) * np.cos(2 * xx) + 0.1 * RNG.normal(size=xx.shape)
    im = ax.imshow(z, cmap="viridis")
    fig.colorbar(im, ax=ax)
    ax.set_title("Heat map")
    save_figure(fig, "chart_heatmap.png")


PROSE = ("Lossless image compression keeps every pixel. A context model predicts each value from its "
         "neighbours and an entropy coder spends few bits where the prediction is good. Text, charts and "
         "user interfaces repeat shapes, which a copy layer can reuse.").split()


def wrap(words, font, width, draw):
    lines, line = [], ""
    for w in words:
        trial = (line + " " + w).strip()
        if draw.textlength(trial, font=font) > width and line:
            lines.append(line)
            line = w
        else:
            line = trial
    return lines + [line]


def text_images():
    img = Image.new("RGB", (640, 360), "white")
    d = ImageDraw.Draw(img)
    d.text((20, 14), "Rendered text, black on white", font=ImageFont.truetype(SANS_BOLD, 22), fill="black")
    y = 56
    for size, path in [(15, SANS), (13, SERIF), (11, SANS)]:
        font = ImageFont.truetype(path, size)
        for line in wrap(PROSE, font, 600, d):
            d.text((20, y), line, font=font, fill="black")
            y += size + 5
        y += 8
    save(img, "text_black.png")

    img = Image.new("RGB", (560, 260), (250, 246, 236))
    d = ImageDraw.Draw(img)
    colours = [(200, 30, 40), (20, 110, 190), (30, 140, 60), (120, 60, 160), (220, 120, 0)]
    y = 12
    for i, size in enumerate([28, 22, 18, 15, 12, 10]):
        font = ImageFont.truetype(SANS if i % 2 else SERIF, size)
        d.text((16, y), "Coloured anti-aliased text, size %d" % size, font=font, fill=colours[i % len(colours)])
        y += size + 14
    save(img, "text_colour.png")

    code = [
        ("kw", "func "), ("fn", "encode"), ("tx", "(_ image: "), ("ty", "RasterImage"), ("tx", ") "),
        ("kw", "throws "), ("tx", "-> ["), ("ty", "UInt8"), ("tx", "] {"),
    ]
    listing = [
        code,
        [("tx", "    "), ("kw", "var "), ("tx", "coder = "), ("ty", "StripeCoder"), ("tx", "(width: image.width)")],
        [("tx", "    "), ("kw", "for "), ("tx", "row "), ("kw", "in "), ("nu", "0"), ("tx", "..<image.height {")],
        [("cm", "        // predict from W, N, NW, NE and code the residual")],
        [("tx", "        coder.code(row: row, of: image)")],
        [("tx", "    }")],
        [("tx", "    "), ("kw", "return "), ("tx", "coder.finish()")],
        [("tx", "}")],
        [],
        [("cm", "// 8 lines, DejaVu Sans Mono 14 px, dark theme")],
    ]
    palette = {"kw": (198, 120, 221), "fn": (97, 175, 239), "ty": (229, 192, 123), "tx": (171, 178, 191),
               "nu": (209, 154, 102), "cm": (92, 99, 112)}
    font = ImageFont.truetype(MONO, 14)
    img = Image.new("RGB", (560, 230), (40, 44, 52))
    d = ImageDraw.Draw(img)
    for i, parts in enumerate(listing):
        d.text((6, 10 + 20 * i), f"{i + 1:2d}", font=font, fill=(75, 82, 99))
        x = 40
        for kind, s in parts:
            d.text((x, 10 + 20 * i), s, font=font, fill=palette[kind])
            x += d.textlength(s, font=font)
    save(img, "code_listing.png")


def gradient(w, h, top, bottom):
    t = np.linspace(0, 1, h)[:, None, None]
    return (np.array(top) * (1 - t) + np.array(bottom) * t).repeat(w, axis=1).round().astype(np.uint8)


def ui_window(mode="RGB"):
    w, h = 480, 320
    img = Image.new("RGB", (w, h), (228, 231, 236))
    img.paste(Image.fromarray(gradient(w, 28, (70, 130, 200), (40, 90, 160))), (0, 0))
    d = ImageDraw.Draw(img)
    font, bold = ImageFont.truetype(SANS, 12), ImageFont.truetype(SANS_BOLD, 12)
    d.text((10, 7), "Settings - vdmz", font=bold, fill="white")
    for i, c in enumerate([(237, 106, 94), (245, 191, 79), (98, 197, 84)]):
        d.ellipse([w - 64 + 18 * i, 8, w - 52 + 18 * i, 20], fill=c)
    d.rectangle([0, 28, 120, h], fill=(245, 246, 248))
    for i, item in enumerate(["General", "Coders", "Threads", "Limits", "About"]):
        if i == 1:
            d.rectangle([4, 38 + 26 * i, 116, 60 + 26 * i], fill=(210, 225, 245))
        d.rounded_rectangle([10, 43 + 26 * i, 22, 55 + 26 * i], 3, fill=[(90, 90, 90), (40, 110, 200), (200, 90, 40),
                                                                         (60, 150, 80), (140, 90, 170)][i])
        d.text((30, 42 + 26 * i), item, font=font, fill=(30, 30, 30))
    d.text((140, 40), "Coder", font=bold, fill=(30, 30, 30))
    for i, opt in enumerate(["auto (keeps the smaller file)", "bits-back", "context", "hybrid", "stored"]):
        y = 62 + 22 * i
        d.ellipse([140, y, 152, y + 12], outline=(120, 120, 120), fill="white")
        if i == 0:
            d.ellipse([143, y + 3, 149, y + 9], fill=(40, 110, 200))
        d.text((160, y - 1), opt, font=font, fill=(30, 30, 30))
    d.text((140, 182), "Threads", font=bold, fill=(30, 30, 30))
    d.rounded_rectangle([140, 202, 330, 212], 5, fill=(200, 204, 210))
    d.rounded_rectangle([140, 202, 250, 212], 5, fill=(40, 110, 200))
    d.ellipse([243, 199, 259, 215], fill="white", outline=(120, 120, 120))
    d.rectangle([140, 226, 460, 250], fill="white", outline=(180, 180, 180))
    d.text((146, 231), "/home/user/images/*.png", font=font, fill=(60, 60, 60))
    for i, (label, top, bottom, fg) in enumerate([("Cancel", (250, 250, 250), (225, 225, 228), (30, 30, 30)),
                                                 ("Apply", (80, 150, 230), (40, 105, 190), (255, 255, 255))]):
        x0 = 300 + 85 * i
        button = Image.fromarray(gradient(75, 26, top, bottom))
        mask = Image.new("L", (75, 26), 0)
        ImageDraw.Draw(mask).rounded_rectangle([0, 0, 74, 25], 6, fill=255)
        img.paste(button, (x0, 276), mask)
        d.rounded_rectangle([x0, 276, x0 + 74, 301], 6, outline=(150, 150, 150))
        d.text((x0 + 37, 289), label, font=font, fill=fg, anchor="mm")
    return img if mode == "RGB" else img.convert(mode)


def icons_rgba():
    img = Image.new("RGBA", (256, 128), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    for k in range(8):
        x0, y0 = 32 * (k % 8), 0
        hue = [(231, 76, 60), (230, 126, 34), (241, 196, 15), (46, 204, 113), (52, 152, 219), (155, 89, 182),
               (52, 73, 94), (149, 165, 166)][k]
        d.rounded_rectangle([x0 + 3, y0 + 3, x0 + 28, y0 + 28], 6, fill=hue + (255,))
        d.ellipse([x0 + 10, y0 + 10, x0 + 21, y0 + 21], fill=(255, 255, 255, 200))
    # Soft shadows and a semi-transparent gradient band: partial alpha everywhere.
    band = np.zeros((64, 256, 4), np.uint8)
    band[..., 0], band[..., 1], band[..., 2] = 20, 120, 200
    band[..., 3] = np.linspace(0, 255, 256)[None, :].round().astype(np.uint8)
    img.paste(Image.fromarray(band, "RGBA"), (0, 40))
    big = Image.new("RGBA", (512, 128), (0, 0, 0, 0))
    ImageDraw.Draw(big).text((10, 8), "RGBA text", font=ImageFont.truetype(SANS_BOLD, 40), fill=(255, 255, 255, 255))
    img.alpha_composite(big.resize((256, 32), Image.LANCZOS), (0, 96))
    save(img, "icons_rgba.png")


def smooth_field(w, h):
    yy, xx = np.mgrid[0:h, 0:w] / max(w, h)
    r = 0.5 + 0.5 * np.sin(6 * xx + 2 * yy)
    g = 0.5 + 0.5 * np.cos(5 * yy - 3 * xx * yy)
    b = np.clip(1.2 - np.hypot(xx - 0.6, yy - 0.4) * 1.5, 0, 1)
    return np.stack([r, g, b], axis=-1)


def dithered():
    field = Image.fromarray((smooth_field(320, 240) * 255).round().astype(np.uint8))
    palette = Image.new("P", (1, 1))
    colours = [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0, 0, 255, 255, 255, 0, 255,
               128, 128, 128, 128, 0, 0, 0, 128, 0, 0, 0, 128, 128, 128, 0, 0, 128, 128, 128, 0, 128, 192, 192, 192]
    palette.putpalette(colours + [0] * (768 - len(colours)))
    save(field.quantize(palette=palette, dither=Image.Dither.FLOYDSTEINBERG), "dither_palette16.png")
    gray = Image.fromarray((smooth_field(320, 240).mean(axis=-1) * 255).round().astype(np.uint8))
    save(gray.convert("1", dither=Image.Dither.FLOYDSTEINBERG).convert("RGB"), "halftone_fs_rgb.png")
    # Clustered-dot halftone (a 45° screen, 6-pixel cells) in one bit per pixel.
    yy, xx = np.mgrid[0:240, 0:320]
    u, v = (xx + yy) * 0.7071 / 6 * np.pi, (xx - yy) * 0.7071 / 6 * np.pi
    threshold = 0.5 + 0.25 * (np.cos(u) + np.cos(v))
    save(Image.fromarray(np.asarray(gray) / 255.0 > threshold), "halftone_screen_1bit.png")


def two_colour():
    img = Image.new("1", (400, 200), 1)
    d = ImageDraw.Draw(img)
    d.text((12, 10), "Two colours, 1 bit", font=ImageFont.truetype(SANS_BOLD, 26), fill=0)
    for i in range(10):
        d.rectangle([12 + 38 * i, 60, 40 + 38 * i, 88], fill=0 if i % 2 else 1, outline=0)
    for k in range(0, 400, 8):
        d.line([k, 110, 400 - k, 190], fill=0)
    save(img, "two_colour_1bit.png")


def wide_pngs():
    # RGB 16-bit, written directly (Pillow has no 16-bit RGB writer): a smooth 16-bit field whose low bytes
    # carry real detail, plus a flat region whose samples are 8-bit values scaled by 257.
    w, h = 160, 120
    f = (smooth_field(w, h) * 65535).round().astype(">u2")
    f[:40, :60] = (f[:40, :60] >> 8) * 257
    raw = b"".join(b"\0" + f[y].tobytes() for y in range(h))
    chunk = lambda t, data: struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    open(os.path.join(OUT, "gradient_rgb16.png"), "wb").write(png)
    # Gray 16-bit: a chart axis and curve drawn at 8 bits, scaled by 257, with a 16-bit ramp below.
    g = np.full((96, 256), 65535, np.uint16)
    g[70:, :] = np.linspace(0, 65535, 256).round().astype(np.uint16)[None, :]
    base = Image.new("L", (256, 70), 255)
    d = ImageDraw.Draw(base)
    d.line([(10, 60), (250, 60)], fill=0)
    d.line([(10, 5), (10, 60)], fill=0)
    d.line([(10 + 4 * i, 60 - int(50 * np.sin(i / 9) ** 2)) for i in range(60)], fill=90, width=2)
    g[:70] = np.asarray(base).astype(np.uint16) * 257
    Image.fromarray(g).save(os.path.join(OUT, "chart_gray16.png"))


def small():
    tile = np.array([[(x * 37 + y * 11) % 256, (x * y * 29) % 256, (255 - 31 * y) % 256] for y in range(8) for x in range(8)],
                    np.uint8).reshape(8, 8, 3)
    save(Image.fromarray(tile), "tiny_8x8.png")
    column = (smooth_field(1, 200)[:, :1] * 255).round().astype(np.uint8)
    save(Image.fromarray(column), "strip_1x200.png")
    save(Image.fromarray(np.ascontiguousarray(column.transpose(1, 0, 2))), "strip_200x1.png")
    save(Image.fromarray(np.full((1, 1, 3), (12, 34, 56), np.uint8)), "pixel_1x1.png")
    save(Image.fromarray(RNG.integers(0, 256, size=(64, 64, 3), dtype=np.uint8)), "noise_rgb.png")
    save(Image.fromarray(RNG.integers(0, 256, size=(64, 64), dtype=np.uint8)), "noise_gray.png")


def main():
    os.makedirs(OUT, exist_ok=True)
    charts()
    text_images()
    save(ui_window(), "ui_window.png")
    save(ui_window("L"), "ui_gray_screenshot.png")
    icons_rgba()
    dithered()
    two_colour()
    wide_pngs()
    small()


if __name__ == "__main__":
    main()
