"""Plot of the rate–compute study (training/study.py): bits/dim against coding FLOPs per pixel, and the
training loss of every run against crops seen and training hours.

    python3 -m training.study_plot --csv docs/bench/2026-12-01-study/study.csv --runs /work/study/runs \
        --out training/study.png
"""
import argparse
import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def smooth(v, k=3):
    return [sum(v[max(0, i - k + 1):i + 1]) / len(v[max(0, i - k + 1):i + 1]) for i in range(len(v))]


def markdown_table(rows):
    """One line per configuration, with the difference to its family's baseline (a_base / b_base)."""
    base = {r["family"]: r for r in rows if r["name"] in ("a_base", "b_base")}
    out = ["| config | what | params | kFLOP/px/eval | MFLOP/px to code (T=64) | crops | train h | "
           "cifar200 T64 | Δ | Kodak 16×64² T64 | Δ | recon term (cifar200) | γ(0) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        b = base.get(r["family"])
        d = lambda k: f"{float(r[k]) - float(b[k]):+.4f}" if b is not None and b is not r else "—"
        out.append(f"| `{r['name']}` | {r['note']} | {int(r['params']):,} | {int(r['flops_per_px_eval']) / 1e3:.0f} | "
                   f"{int(r['flops_per_px_code_T64']) / 1e6:.2f} | {int(r['crops']):,} | {float(r['train_hours']):.3f} | "
                   f"{float(r['cifar200_T64']):.4f} | {d('cifar200_T64')} | {float(r['kodak16x64_T64']):.4f} | "
                   f"{d('kodak16x64_T64')} | {r.get('cifar200_recon') or '—'} | {r['gamma0']} |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--runs", help="folder of the study's run directories (their train.csv); optional")
    ap.add_argument("--out", default="training/study.png")
    ap.add_argument("--table", action="store_true", help="print the results as a Markdown table instead")
    args = ap.parse_args(argv)
    rows = read(args.csv)
    if args.table:
        print(markdown_table(rows))
        return
    fig, axes = plt.subplots(2, 2, figsize=(13, 9))
    for fam, ax in zip("AB", axes[0]):
        sel = [r for r in rows if r["family"] == fam]
        for key, mark in (("cifar200_T64", "o"), ("kodak16x64_T64", "s")):
            for r in sel:
                x, y = float(r["flops_per_px_code_T64"]) / 1e6, float(r[key])
                ax.scatter(x, y, marker=mark, color=f"C{sel.index(r)}", label=r["name"] if key[0] == "c" else None)
                ax.annotate(r["name"], (x, y), fontsize=7, xytext=(3, 2), textcoords="offset points")
        ax.set_xlabel("MFLOP per pixel to code at T = 64 (network evaluations × FLOPs per evaluation)")
        ax.set_ylabel("bits/dim at T = 64 (○ cifar200, □ Kodak 16×64²)")
        ax.set_title(f"family {fam}: " + ("warm start, 25,600 crops each" if fam == "A"
                                          else "from scratch (γ warm), 25,600 crops each"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    if args.runs:
        for fam, ax, xkey in (("A", axes[1][0], "images_seen"), ("B", axes[1][1], "hours")):
            for i, r in enumerate(rw for rw in rows if rw["family"] == fam):
                tr = Path(args.runs) / r["name"] / "train.csv"
                if not tr.exists():
                    continue
                t = read(tr)
                xs = [float(q[xkey]) * (1e-3 if xkey == "images_seen" else 1.0) for q in t]
                ax.plot(xs, smooth([float(q["train_bpd"]) for q in t]), color=f"C{i}", label=r["name"])
            ax.set_xlabel("thousand crops seen" if xkey == "images_seen" else "training hours (1 shared thread)")
            ax.set_ylabel("training loss, bits/dim (3-point mean of 50-step means)")
            ax.set_title(f"family {fam}: training loss")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.out, dpi=90)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
