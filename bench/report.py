"""Results of the benchmark: per-image rows, the summary table (text, Markdown, CSV, JSON) and summary.md."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

PER_FILE, MOSAIC, ARCHIVE = "per file", "mosaic", "dataset archive"

SUMMARY_FIELDS = [
    "corpus", "codec", "label", "flags", "mode", "steps", "images", "subpixels", "bytes",
    "bits_per_subpixel", "payload_bits_per_subpixel", "encode_s_per_image", "decode_s_per_image",
    "exact_images", "failed_images", "elbo_bpd", "elbo_std_error", "overhead", "payload_overhead", "error",
    "coders",
]
PER_IMAGE_FIELDS = [
    "corpus", "image", "width", "height", "codec", "flags", "mode", "steps", "bytes", "payload_bytes",
    "bits_per_subpixel", "encode_s", "decode_s", "exact", "error", "elbo_bpd", "coder",
]
TABLE_COLUMNS = ["codec", "settings", "mode", "bits/sub-pixel", "ELBO", "overhead",
                 "encode s/image", "decode s/image", "exact"]


# --------------------------------------------------------------------------------------------------
# building rows


def per_image_row(corpus: str, item, codec: str, flags: str, mode: str, steps: int | None,
                  outcome, elbo_bpd: float | None = None) -> dict:
    bits = None if outcome.bytes is None else 8 * outcome.bytes / item.subpixels
    return {"corpus": corpus, "image": item.name, "width": item.width, "height": item.height,
            "codec": codec, "flags": flags, "mode": mode, "steps": steps, "bytes": outcome.bytes,
            "payload_bytes": outcome.payload_bytes, "bits_per_subpixel": bits,
            "encode_s": outcome.encode_s, "decode_s": outcome.decode_s, "exact": outcome.exact,
            "error": outcome.error, "elbo_bpd": elbo_bpd, "coder": outcome.coder}


def count_coders(coders: list[str | None]) -> str | None:
    """The coders vdmz's files hold, counted: "bits-back 5, context 19" (most first; None when unknown,
    i.e. for the other codecs)."""
    known = [c for c in coders if c]
    if not known:
        return None
    counts = {c: known.count(c) for c in dict.fromkeys(known)}
    return ", ".join(f"{c} {n}" for c, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def summary_from_images(rows: list[dict], label: str) -> dict:
    """One summary row from the per-image rows of one codec in per-file mode."""
    first = rows[0]
    coded = [r for r in rows if r["bytes"] is not None]
    subpixels = sum(r["width"] * r["height"] * 3 for r in coded)
    total = sum(r["bytes"] for r in coded)
    payload = [r["payload_bytes"] for r in coded]
    errors = [f"{r['image']}: {r['error']}" for r in rows if r["error"]]
    return finish({
        "corpus": first["corpus"], "codec": first["codec"], "label": label, "flags": first["flags"],
        "mode": first["mode"], "steps": first["steps"], "images": len(rows), "subpixels": subpixels,
        "bytes": total if coded else None,
        "bits_per_subpixel": 8 * total / subpixels if coded else None,
        "payload_bits_per_subpixel": (8 * sum(payload) / subpixels
                                      if coded and None not in payload else None),
        "encode_s_per_image": mean([r["encode_s"] for r in rows]),
        "decode_s_per_image": mean([r["decode_s"] for r in rows]),
        "exact_images": sum(bool(r["exact"]) for r in rows),
        "failed_images": sum(not r["exact"] for r in rows),
        "error": "; ".join(errors[:3]) + (f"; … ({len(errors)} in all)" if len(errors) > 3 else "") or None,
        "coders": count_coders([r.get("coder") for r in rows]),
    })


def summary_from_whole(corpus: str, codec: str, label: str, flags: str, mode: str, steps: int | None,
                       images: int, subpixels: int, outcome, exact_images: int) -> dict:
    """One summary row from one file that holds every image (a mosaic or a dataset archive); the bits
    are charged to the corpus's own sub-pixels and the seconds are divided by the number of images."""
    def per_image(seconds):
        return None if seconds is None else seconds / images
    return finish({
        "corpus": corpus, "codec": codec, "label": label, "flags": flags, "mode": mode, "steps": steps,
        "images": images, "subpixels": subpixels, "bytes": outcome.bytes,
        "bits_per_subpixel": None if outcome.bytes is None else 8 * outcome.bytes / subpixels,
        "payload_bits_per_subpixel": (None if outcome.payload_bytes is None
                                      else 8 * outcome.payload_bytes / subpixels),
        "encode_s_per_image": per_image(outcome.encode_s), "decode_s_per_image": per_image(outcome.decode_s),
        "exact_images": exact_images, "failed_images": images - exact_images, "error": outcome.error,
        "coders": count_coders([outcome.coder]),
    })


def finish(row: dict) -> dict:
    for key in SUMMARY_FIELDS:
        row.setdefault(key, None)
    return {key: row[key] for key in SUMMARY_FIELDS}


def only_bits_back(row: dict) -> bool:
    """Whether every file of a vdmz row holds the bits-back coder (or the coders are unknown, as in runs
    before they were recorded): only then is coded ÷ ELBO the coder's overhead over its model."""
    return all(part.split(" ")[0] == "bits-back" for part in (row.get("coders") or "bits-back").split(", "))


def attach_elbo(row: dict, elbo_bpd: float | None, std_error: float | None) -> None:
    """Puts the ELBO beside a vdmz row, with the overhead coded/ELBO − 1 of the file and the payload;
    no overhead when `auto` kept another coder for some files (their size is not the model's)."""
    row["elbo_bpd"], row["elbo_std_error"] = elbo_bpd, std_error
    row["overhead"] = row["payload_overhead"] = None  # also when attached again with other coders known
    if elbo_bpd and only_bits_back(row):
        if row["bits_per_subpixel"] is not None:
            row["overhead"] = row["bits_per_subpixel"] / elbo_bpd - 1
        if row["payload_bits_per_subpixel"] is not None:
            row["payload_overhead"] = row["payload_bits_per_subpixel"] / elbo_bpd - 1


def mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


# --------------------------------------------------------------------------------------------------
# formatting


def seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 1000:
        return f"{value:.0f}"
    return np.format_float_positional(value, precision=3, fractional=False, trim="-")


def table_cells(row: dict) -> list[str]:
    def number(value, digits=3):
        return "–" if value is None else f"{value:.{digits}f}"
    overhead = "" if row["overhead"] is None else f"{100 * row['overhead']:+.2f} %"
    if row["payload_overhead"] is not None:
        overhead += f" ({100 * row['payload_overhead']:+.2f} %)"
    exact = f"{row['exact_images']}/{row['images']}"
    if row["failed_images"]:
        exact += " FAILED"
    flags = row["flags"]
    if row.get("coders") and not only_bits_back(row):
        flags += f"; files: {row['coders']}"
    return [row["label"], flags, row["mode"], number(row["bits_per_subpixel"]),
            "" if row["elbo_bpd"] is None else number(row["elbo_bpd"]), overhead,
            seconds(row["encode_s_per_image"]), seconds(row["decode_s_per_image"]), exact]


def text_table(rows: list[dict]) -> str:
    cells = [TABLE_COLUMNS] + [table_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(TABLE_COLUMNS))]
    numeric = set(range(3, len(TABLE_COLUMNS) - 1))

    def line(values):
        return "  ".join(v.rjust(w) if i in numeric else v.ljust(w)
                         for i, (v, w) in enumerate(zip(values, widths))).rstrip()
    return "\n".join([line(cells[0]), line(["-" * w for w in widths])] + [line(c) for c in cells[1:]])


def markdown_table(rows: list[dict]) -> str:
    def escape(text: str) -> str:
        return text.replace("|", "\\|")
    out = ["| " + " | ".join(TABLE_COLUMNS) + " |",
           "|" + "|".join("---" if i < 3 else "---:" for i in range(len(TABLE_COLUMNS))) + "|"]
    for row in rows:
        cells = table_cells(row)
        cells[1] = f"`{cells[1]}`" if cells[1] else ""
        if row["failed_images"]:
            cells[-1] = f"**{cells[-1]}**"
        out.append("| " + " | ".join(escape(c) for c in cells) + " |")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------------
# files


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in fields})


def write_json(path: Path, document: dict) -> None:
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")


NOTES = [
    "bits/sub-pixel = total bits of the coded files, headers and containers included ÷ (H·W·3) of the "
    "images; for a mosaic or a dataset archive, the one file's bits ÷ the sub-pixels of all its images.",
    "Seconds are wall-clock per image (time.perf_counter around each command, process start and model "
    "loading included; a mosaic's or archive's time ÷ its images). PNG decode is Pillow, in-process, "
    "without a process start; every other decode is the codec's own command-line tool writing a PNG. "
    "cjxl/djxl use their default thread pools and cwebp/zopflipng one thread; vdmz gets `--threads`. "
    "Codecs ran one after another, interleaved image by image, on the same machine.",
    "exact: images whose decoded pixels were read back with Pillow and compared with the original "
    "array with numpy (shape and every value); vdmz also checks its own pixel checksum.",
    "Every codec reads the same clean 8-bit RGB PNG (written by Pillow, no metadata chunks).",
    "ELBO: `vdmz rate --json --steps T` over the same images, the negative ELBO in bits per sub-pixel "
    "with one Monte-Carlo sample per image (seed 0), pixel-weighted over the corpus (± its standard "
    "error in results.json). overhead = coded ÷ ELBO − 1 for the whole file, and in brackets for the "
    "payload alone (`vdmz info`), without the container's header and per-image records (a dataset "
    "archive stores each image's name, size and side-plane lengths, deflated; files of container "
    "format 1, as `vdmz info` shows, also a SHA-256 per image). vdmz's default coder, auto, keeps the "
    "smallest of bits-back, the context coder and stored for each file; where it kept another coder "
    "than bits-back for some files, the settings say how many files hold which coder and no overhead "
    "is given (those files' size is not the model's).",
    "Mosaic: the images tiled in index order, 25 per row (800×640 for 500 32×32 images, as "
    "../shared/baselines.md), one file per codec; it removes the per-file header and lets the codec "
    "predict across tile edges.",
]


def summary_markdown(meta: dict, corpora: list[dict], rows: list[dict], plots: dict[str, str]) -> str:
    """summary.md: what ran, where, and the tables; plots linked by file name (same folder)."""
    machine, vdmz = meta["machine"], meta["vdmz"]
    packages = {info["package"]: info["package_version"] or "?" for info in meta["tools"].values()}
    tools = ", ".join(f"{name} {version}" for name, version in packages.items()) or "none"
    commit = f"`{(meta['repo_commit'] or 'unknown')[:12]}`"
    if meta["repo_dirty"]:
        commit += " (with uncommitted changes)"
    if vdmz:
        vdmz_text = (f"vdmz at commit {commit}, model `{vdmz['model']}` (`vdmz info`), "
                     f"`--threads {vdmz['threads']}`, binary `{vdmz['binary']}`.")
    else:
        vdmz_text = f"vdmz not run; repository at commit {commit}."
    lines = [
        f"Run on {meta['date_utc']} with",
        "",
        f"    {meta['command']}",
        "",
        f"Machine: {machine['cpu']}, {machine['nproc']} cores (`nproc`), {machine['memory']}, "
        f"{machine['os']}. {vdmz_text} Tools (Debian packages): "
        f"{tools}; Pillow {meta['python']['pillow']}, numpy {meta['python']['numpy']}. "
        f"The whole run took {meta['wall_s'] / 60:.1f} minutes.",
        "",
    ]
    for corpus in corpora:
        lines += [f"**{corpus['name']}**: {corpus['description']}."
                  + "".join(f" {note}." for note in corpus["notes"]), ""]
        lines += [markdown_table([r for r in rows if r["corpus"] == corpus["name"]]), ""]
    failures = [r for r in rows if r["failed_images"]]
    if failures:
        lines += ["**FAILED — not every decode was exact:**", ""]
        lines += [f"- {r['corpus']} {r['label']} `{r['flags']}` ({r['mode']}): {r['error']}" for r in failures]
        lines.append("")
    for title, name in plots.items():
        lines += [f"![{title}]({name})", ""]
    lines += ["Notes:", ""] + [f"- {note}" for note in NOTES]
    return "\n".join(lines) + "\n"
