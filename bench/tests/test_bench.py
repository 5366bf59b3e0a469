"""Fast checks of the benchmark's pure parts (no codec or vdmz runs): mosaic, tables, README markers."""

from pathlib import Path

import numpy as np
import pytest

import corpora
import report
import update_readme
from codec_tools import Outcome, compare


def numbered_images(n, size=2):
    """Image i is filled with the value i mod 256 (i // 256 in the green channel), so a tile's position
    tells which image it is."""
    images = np.zeros((n, size, size, 3), np.uint8)
    images[..., 0] = (np.arange(n) % 256)[:, None, None]
    images[..., 1] = (np.arange(n) // 256)[:, None, None]
    return images


def test_mosaic_tiles_in_index_order_row_by_row():
    grid, padding = corpora.mosaic(numbered_images(500, 32))
    assert grid.shape == (640, 800, 3) and padding == 0
    assert grid[0, 0, 0] == 0 and grid[0, 32, 0] == 1 and grid[0, 24 * 32, 0] == 24
    assert grid[32, 0, 0] == 25 and tuple(grid[639, 799, :2]) == (499 % 256, 1)


def test_mosaic_pads_the_last_row_with_black_tiles():
    grid, padding = corpora.mosaic(numbered_images(27) + 1, columns=25)  # no image is all black
    assert grid.shape == (4, 50, 3) and padding == 23
    assert grid[2, 2, 0] == 27 and (grid[2:, 4:] == 0).all()
    small, padding = corpora.mosaic(numbered_images(3))
    assert small.shape == (2, 6, 3) and padding == 0


def test_compare_reports_shape_and_value_differences():
    a = np.zeros((4, 4, 3), np.uint8)
    assert compare(a.copy(), a) is None
    b = a.copy()
    b[1, 2, 0] = 3
    assert "1 of 48 sub-pixels differ (max |difference| 3)" in compare(b, a)
    assert "shape" in compare(a[:3], a)


def test_resolve_shortcuts_and_paths(tmp_path):
    repo = tmp_path / "repo"
    assert corpora.resolve("kodak", repo) == ("kodak", (tmp_path / "shared/corpora/kodak").resolve())
    assert corpora.resolve("mine=/data/x.npy", repo) == ("mine", Path("/data/x.npy"))
    assert corpora.resolve("photos", repo)[1] == (repo / "photos").resolve()
    with pytest.raises(corpora.CorpusError, match="does not exist"):
        corpora.load("nowhere", repo)


def test_npy_corpus_checks_dtype_and_limit(tmp_path):
    np.save(tmp_path / "a.npy", numbered_images(10, 4))
    corpus = corpora.load(str(tmp_path / "a.npy"), tmp_path, limit=3)
    assert corpus.mode == "dataset" and len(corpus.items) == 3 and corpus.subpixels == 3 * 48
    assert (corpus.items[2].load()[..., 0] == 2).all()
    np.save(tmp_path / "b.npy", np.zeros((2, 4, 4, 3), np.float32))
    with pytest.raises(corpora.CorpusError, match="expected uint8"):
        corpora.load(str(tmp_path / "b.npy"), tmp_path)


def summary_rows():
    class Item:
        name, width, height, subpixels = "x", 10, 10, 300
    per_image = [report.per_image_row("c", Item, "jxl-e9", "cjxl -d 0 -e 9", report.PER_FILE, None,
                                      Outcome(bytes=150, encode_s=0.5, decode_s=0.25, exact=True)),
                 report.per_image_row("c", Item, "jxl-e9", "cjxl -d 0 -e 9", report.PER_FILE, None,
                                      Outcome(bytes=75, encode_s=1.5, decode_s=0.75, exact=False,
                                              error="1 of 300 sub-pixels differ"))]
    jxl = report.summary_from_images(per_image, "JPEG-XL lossless")
    vdmz = report.summary_from_whole("c", "vdmz-T64", "vdmz", "T=64", report.ARCHIVE, 64, 2, 600,
                                     Outcome(bytes=300, payload_bytes=297, encode_s=4.0, decode_s=2.0,
                                             exact=True), 2)
    report.attach_elbo(vdmz, 3.96, 0.02)
    return jxl, vdmz


def test_summary_rows_total_bits_and_mean_seconds():
    jxl, vdmz = summary_rows()
    assert jxl["bits_per_subpixel"] == pytest.approx(8 * 225 / 600)
    assert jxl["encode_s_per_image"] == 1.0 and jxl["failed_images"] == 1
    assert vdmz["bits_per_subpixel"] == 4.0 and vdmz["encode_s_per_image"] == 2.0
    assert vdmz["overhead"] == pytest.approx(4.0 / 3.96 - 1)
    assert vdmz["payload_bits_per_subpixel"] == pytest.approx(3.96)


def test_tables_show_rates_overheads_and_failures():
    jxl, vdmz = summary_rows()
    md = report.markdown_table([jxl, vdmz]).splitlines()
    assert md[0] == "| " + " | ".join(report.TABLE_COLUMNS) + " |"
    assert md[2] == "| JPEG-XL lossless | `cjxl -d 0 -e 9` | per file | 3.000 |  |  | 1 | 0.5 | **1/2 FAILED** |"
    assert md[3] == "| vdmz | `T=64` | dataset archive | 4.000 | 3.960 | +1.01 % (+0.00 %) | 2 | 1 | 2/2 |"
    text = report.text_table([jxl, vdmz]).splitlines()
    assert len(text) == 4 and "1/2 FAILED" in text[2]
    rate_end = text[0].index("bits/sub-pixel") + len("bits/sub-pixel")  # numbers right-aligned under it
    assert text[2][rate_end - 5:rate_end] == "3.000" and text[3][rate_end - 5:rate_end] == "4.000"


def test_files_of_other_coders_are_counted_and_get_no_overhead():
    class Item:
        name, width, height, subpixels = "x", 10, 10, 300
    def row(coder, size):
        return report.per_image_row("k", Item, "vdmz-T64", "T=64", report.PER_FILE, 64,
                                    Outcome(bytes=size, payload_bytes=size - 90, encode_s=1.0, decode_s=1.0,
                                            exact=True, coder=coder))
    mixed = report.summary_from_images([row("context", 100), row("bits-back", 120), row("context", 110)], "vdmz")
    assert mixed["coders"] == "context 2, bits-back 1"
    report.attach_elbo(mixed, 3.0, 0.01)
    assert mixed["elbo_bpd"] == 3.0 and mixed["overhead"] is None and mixed["payload_overhead"] is None
    assert report.markdown_table([mixed]).splitlines()[2].startswith(
        "| vdmz | `T=64; files: context 2, bits-back 1` | per file | 2.933 | 3.000 |  |")
    plain = report.summary_from_images([row("bits-back", 120), row("bits-back", 120)], "vdmz")
    assert plain["coders"] == "bits-back 2"
    report.attach_elbo(plain, 3.0, 0.01)
    assert plain["overhead"] == pytest.approx(8 * 240 / 600 / 3.0 - 1)
    assert "files:" not in report.markdown_table([plain])
    assert report.count_coders([None, None]) is None


def test_readme_markers_are_replaced_and_plots_copied(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "plot.png").write_bytes(b"png")
    (out / "summary.md").write_text("table\n\n![a plot](plot.png)\n")
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n## Benchmark\n{update_readme.BEGIN}\nold\n{update_readme.END}\nrest\n")
    assert update_readme.main([str(out), "--readme", str(readme), "--docs", str(tmp_path / "docs/bench")]) == 0
    assert readme.read_text() == (f"# x\n\n## Benchmark\n{update_readme.BEGIN}\ntable\n\n"
                                  f"![a plot](docs/bench/plot.png)\n{update_readme.END}\nrest\n")
    assert (tmp_path / "docs/bench/plot.png").read_bytes() == b"png"
    with pytest.raises(update_readme.ReadmeError):
        update_readme.replace_between_markers("no markers", "x")


def test_rerender_adds_the_coders_and_drops_the_overhead_of_other_coders(tmp_path):
    import json
    import rerender

    class Item:
        name, width, height, subpixels = "a.png", 10, 10, 300
    rows_in = []
    for name, size in (("a.png", 100), ("b.png", 120)):
        Item.name = name
        rows_in.append(report.per_image_row("k", Item, "vdmz-T64", "T=64", report.PER_FILE, 64,
                                            Outcome(bytes=size, payload_bytes=size - 90, encode_s=1.0,
                                                    decode_s=1.0, exact=True)))
    for row in rows_in:
        del row["coder"]  # a run from before the coders were recorded
    summary = report.summary_from_images(rows_in, "vdmz")
    del summary["coders"]
    report.attach_elbo(summary, 2.0, 0.01)
    assert summary["overhead"] is not None
    meta = {"date_utc": "d", "command": "c", "wall_s": 60.0, "repo_commit": "0" * 40, "repo_dirty": False,
            "machine": {"cpu": "x", "nproc": 2, "memory": "m", "os": "o"}, "tools": {},
            "vdmz": {"model": "h", "threads": 2, "binary": "b"}, "python": {"pillow": "p", "numpy": "n"}}
    corpora_info = [{"name": "k", "description": "two images", "notes": [], "elbo": {}}]
    (tmp_path / "results.json").write_text(json.dumps(
        {"meta": meta, "corpora": corpora_info, "summary": [summary], "failures": [], "per_image": rows_in}))
    coders = tmp_path / "coders.csv"
    coders.write_text("image,kept\na.png,context\nb.png,bits-back\n")
    rerender.main([str(tmp_path), "--coders", f"k={coders}"])
    out = json.loads((tmp_path / "results.json").read_text())
    row = out["summary"][0]
    assert row["coders"] == "bits-back 1, context 1" and row["overhead"] is None and row["elbo_bpd"] == 2.0
    assert row["bits_per_subpixel"] == summary["bits_per_subpixel"]
    assert [i["coder"] for i in out["per_image"]] == ["context", "bits-back"]
    md = (tmp_path / "summary.md").read_text()
    assert "`T=64; files: bits-back 1, context 1`" in md and "identified after the run" in md
