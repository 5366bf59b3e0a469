"""The learning-curve plot: a lineage of runs is counted on in crops from the hand-over step."""
import csv
import json

from training import plot


def write_run(path, train_rows, eval_rows, config):
    path.mkdir()
    for name, rows in (("train.csv", train_rows), ("eval.csv", eval_rows)):
        with open(path / name, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    (path / "config.json").write_text(json.dumps(config))


def test_crops_at_takes_the_last_row_at_or_before_the_step():
    rows = [{"step": "100", "images_seen": "6400"}, {"step": "200", "images_seen": "12800"}]
    assert plot.crops_at(rows, 99) == 0
    assert plot.crops_at(rows, 150) == 6400
    assert plot.crops_at(rows, 200) == 12800
    assert plot.crops_at(rows, 10_000) == 12800


def test_lineage_plot_writes_a_png(tmp_path):
    ev = lambda step, seen, v: {"step": step, "images_seen": seen, "cifar200_T64": v, "kodak16x64_T64": v - 0.3}
    write_run(tmp_path / "a", [{"step": 100, "images_seen": 6400, "train_bpd": 4.0}],
              [ev(0, 0, 9.0), ev(100, 6400, 4.0)], {})
    write_run(tmp_path / "b", [{"step": 50, "images_seen": 3200, "train_bpd": 3.9}],
              [ev(0, 0, 3.95), ev(50, 3200, 3.9)], {"init": {"steps": 100}})
    out = tmp_path / "curve.png"
    plot.main(["--run", str(tmp_path / "a"), "--run", str(tmp_path / "b"), "--out", str(out)])
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
