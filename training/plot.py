"""Learning-curve plot from a run's CSV logs.

    python3 -m training.plot --run /work/runs/default --out training/learning_curve.png
"""
import argparse
import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path) as fh:
        return list(csv.DictReader(fh))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", default="training/learning_curve.png")
    args = ap.parse_args(argv)
    run = Path(args.run)
    ev = [r for r in read(run / "eval.csv") if int(r["step"]) > 0]
    tr = read(run / "train.csv") if (run / "train.csv").exists() else []
    fig, ax = plt.subplots(figsize=(8, 5))
    if tr:
        ax.plot([int(r["images_seen"]) / 1e6 for r in tr], [float(r["train_bpd"]) for r in tr],
                color="0.8", lw=0.8, label="train loss (batch MC estimate, windowed decoder)")
    keys = [k for k in (ev[0].keys() if ev else []) if k.startswith(("cifar", "kodak"))]
    styles = {"cifar": "tab:blue", "kodak": "tab:red"}
    for k in keys:
        ax.plot([int(r["images_seen"]) / 1e6 for r in ev], [float(r[k]) for r in ev], marker="o", ms=3,
                color=styles[k[:5]], ls="-" if "_T" in k else "--", label=f"test {k}")
    ax.set_xlabel("training images seen (millions of 32×32 crops)")
    ax.set_ylabel("negative ELBO, bits/dim")
    ax.set_ylim(2.5, 6.0)
    ax.axhline(3.6, color="tab:blue", lw=0.6, ls=":")
    ax.axhline(2.87, color="tab:red", lw=0.6, ls=":")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"vdmz prior: learning curve ({run.name}); dotted: goals")
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
