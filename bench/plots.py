"""The benchmark's two plots: coded rate against seconds per image, and vdmz's overhead over its ELBO."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import NullFormatter  # noqa: E402

from report import ARCHIVE, MOSAIC, PER_FILE  # noqa: E402

STYLE = {  # codec key → (colour, marker)
    "png": ("tab:gray", "o"),
    "webp": ("tab:green", "s"),
    "jxl-e7": ("tab:blue", "^"),
    "jxl-e9": ("tab:purple", "v"),
}
VDMZ_COLOUR = "tab:red"


def codec_name(row: dict) -> str:
    return "vdmz" if row["codec"].startswith("vdmz") else f"{row['label']} ({row['flags']})"


def rate_speed(rows: list[dict], corpora: list[str], path: Path) -> None:
    """One column per corpus; top row against encode seconds, bottom row against decode seconds."""
    fig, axes = plt.subplots(2, len(corpora), figsize=(5.2 * len(corpora) + 0.4, 8.4), squeeze=False)
    for col, corpus in enumerate(corpora):
        mine = [r for r in rows if r["corpus"] == corpus and r["bits_per_subpixel"] is not None]
        for row_index, (timing, what) in enumerate((("encode_s_per_image", "encode"),
                                                    ("decode_s_per_image", "decode"))):
            ax = axes[row_index][col]
            for r in mine:
                if r["codec"].startswith("vdmz") or r[timing] is None:
                    continue
                colour, marker = STYLE.get(r["codec"], ("black", "o"))
                hollow = r["mode"] == MOSAIC
                ax.plot([max(r[timing], 1e-5)], [r["bits_per_subpixel"]], marker=marker, markersize=9,
                        color=colour, markerfacecolor="none" if hollow else colour, linestyle="none",
                        markeredgewidth=1.8)
            for mode in sorted({r["mode"] for r in mine if r["codec"].startswith("vdmz")}):
                points = sorted((r["steps"], r[timing], r["bits_per_subpixel"]) for r in mine
                                if r["codec"].startswith("vdmz") and r["mode"] == mode and r[timing])
                if not points:
                    continue
                xs, ys = [p[1] for p in points], [p[2] for p in points]
                hollow = mode != ARCHIVE and any(r["mode"] == ARCHIVE for r in mine)
                ax.plot(xs, ys, color=VDMZ_COLOUR, marker="D", linestyle="--" if hollow else "-",
                        markerfacecolor="none" if hollow else VDMZ_COLOUR, markersize=7)
                for steps, x, y in points:
                    ax.annotate(f"T={steps}", (x, y), textcoords="offset points", xytext=(6, 4),
                                fontsize=8, color=VDMZ_COLOUR)
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.margins(x=0.15, y=0.12)
            ax.grid(True, which="both", alpha=0.3)
            ax.set_xlabel(f"{what} seconds per image (wall clock, log scale)")
            ax.set_ylabel("bits per sub-pixel (whole files)")
            ax.set_title(f"{corpus}: rate vs {what} time", fontsize=11)
    handles = [Line2D([], [], color=c, marker=m, linestyle="none", markersize=8, label=name)
               for name, (c, m) in (
                   (codec_name(r), STYLE.get(r["codec"], ("black", "o")))
                   for r in unique_codecs(rows) if not r["codec"].startswith("vdmz"))]
    handles.append(Line2D([], [], color=VDMZ_COLOUR, marker="D",
                          label="vdmz at each T (on .npy corpora: one dataset archive)"))
    if any({ARCHIVE, PER_FILE} <= {r["mode"] for r in rows if r["corpus"] == c and r["codec"].startswith("vdmz")}
           for c in corpora):
        handles.append(Line2D([], [], color=VDMZ_COLOUR, marker="D", markerfacecolor="none", linestyle="--",
                              label="vdmz, each image of a .npy alone"))
    handles.append(Line2D([], [], color="black", marker="o", linestyle="none",
                          label="filled: each image its own file"))
    if any(r["mode"] == MOSAIC for r in rows):
        handles.append(Line2D([], [], color="black", marker="o", markerfacecolor="none", linestyle="none",
                              label="hollow: all images in one mosaic file"))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0.09, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def unique_codecs(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        if r["codec"] not in seen:
            seen.add(r["codec"])
            out.append(r)
    return out


def overhead_vs_steps(rows: list[dict], path: Path) -> None:
    """vdmz's coded rate over its ELBO, in per cent, against T: one line per corpus (and mode)."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    groups = sorted({(r["corpus"], r["mode"]) for r in rows
                     if r["codec"].startswith("vdmz") and r["overhead"] is not None})
    all_steps = set()
    values: list[float] = []
    for index, (corpus, mode) in enumerate(groups):
        mine = sorted((r for r in rows if r["codec"].startswith("vdmz") and r["corpus"] == corpus
                       and r["mode"] == mode and r["overhead"] is not None), key=lambda r: r["steps"])
        steps = [r["steps"] for r in mine]
        all_steps.update(steps)
        colour = colours[index % len(colours)]
        values += [100 * r["overhead"] for r in mine] + [100 * r["payload_overhead"] for r in mine
                                                        if r["payload_overhead"] is not None]
        ax.plot(steps, [100 * r["overhead"] for r in mine], marker="o", color=colour,
                label=f"{corpus} ({mode}), whole file")
        payload = [r for r in mine if r["payload_overhead"] is not None]
        if payload:
            ax.plot([r["steps"] for r in payload], [100 * r["payload_overhead"] for r in payload],
                    marker="o", markerfacecolor="none", linestyle="--", color=colour,
                    label=f"{corpus} ({mode}), payload only")
    ax.axhline(0, color="black", linewidth=0.8)
    # Overheads span from a few tenths of a per cent (archives) to tens of per cent (lone tiny images):
    # a symmetric-log axis keeps both readable (linear within ±1 %).
    ax.set_yscale("symlog", linthresh=1)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    if values:
        ax.set_ylim(min(-0.5, 1.5 * min(values)), max(2.0, 2 * max(values)))
    ax.set_xscale("log", base=2)
    if all_steps:
        ax.set_xticks(sorted(all_steps))
        ax.set_xticklabels([str(s) for s in sorted(all_steps)])
        ax.minorticks_off()
    ax.set_xlabel("diffusion steps T")
    ax.set_ylabel("coded ÷ ELBO − 1 (%)")
    ax.set_title("vdmz: coded rate over its negative ELBO", fontsize=11)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
