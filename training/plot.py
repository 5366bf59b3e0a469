"""Learning-curve plot from runs' CSV logs.

    python3 -m training.plot --run /work/runs/default --out training/learning_curve.png
    python3 -m training.plot --run /work/runs/default --run /work/runs/netdec-anneal3   # a lineage

With several ``--run``s each later run is a continuation of the one before it (``--init`` from its
weights): its crops are counted on from the earlier run's crops at the step it started from (the
``init.steps`` of its config.json), and a dotted vertical line marks the hand-over.
"""
import argparse
import csv
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path) as fh:
        return list(csv.DictReader(fh))


def crops_at(train_rows, step):
    """Crops seen by a run at ``step``: the last logged row at or before it (0 if none)."""
    seen = [int(r["images_seen"]) for r in train_rows if int(r["step"]) <= step]
    return seen[-1] if seen else 0


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True, action="append", help="a run directory; repeat for a lineage")
    ap.add_argument("--out", default="training/learning_curve.png")
    args = ap.parse_args(argv)
    fig, ax = plt.subplots(figsize=(8, 5))
    styles = {"cifar": "tab:blue", "kodak": "tab:red"}
    offset, previous_train = 0, None
    for index, name in enumerate(args.run):
        run = Path(name)
        ev = [r for r in read(run / "eval.csv") if int(r["step"]) > 0 or index > 0]
        tr = read(run / "train.csv") if (run / "train.csv").exists() else []
        if index > 0:
            config = json.loads((run / "config.json").read_text())
            start = config.get("init", {}).get("steps")
            offset += crops_at(previous_train, start) if start is not None and previous_train else 0
            ax.axvline(offset / 1e6, color="0.4", lw=0.8, ls=":")
            ax.text(offset / 1e6, 5.85, f" {run.name}", fontsize=8, va="top")
        first = index == 0
        if tr:
            ax.plot([(offset + int(r["images_seen"])) / 1e6 for r in tr], [float(r["train_bpd"]) for r in tr],
                    color="0.8", lw=0.8, label="train loss (batch MC estimate)" if first else None)
        keys = [k for k in (ev[0].keys() if ev else []) if k.startswith(("cifar", "kodak"))]
        for k in keys:
            ax.plot([(offset + int(r["images_seen"])) / 1e6 for r in ev], [float(r[k]) for r in ev],
                    marker="o" if first else "s", ms=3, color=styles[k[:5]], ls="-" if "_T" in k else "--",
                    label=f"test {k}" if first else None)
        previous_train = tr
    ax.set_xlabel("training images seen (millions of 32×32 crops)")
    ax.set_ylabel("negative ELBO, bits/dim")
    ax.set_ylim(2.5, 6.0)
    ax.axhline(3.6, color="tab:blue", lw=0.6, ls=":")
    ax.axhline(2.87, color="tab:red", lw=0.6, ls=":")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"vdmz prior: learning curve ({' → '.join(Path(r).name for r in args.run)}); dotted: goals")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
