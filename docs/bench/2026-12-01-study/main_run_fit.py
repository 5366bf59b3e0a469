"""Least-squares fit of a + b·(crops/1e6)^−c (c on a grid) to a run's eval.csv rows past 5,000 steps."""
import csv, sys
import numpy as np
rows = [r for r in csv.DictReader(open(sys.argv[1])) if int(r["step"]) > 5000]
x = np.array([float(r["images_seen"]) for r in rows]) / 1e6
print(f"{len(rows)} evaluations, {x[0]:.2f}–{x[-1]:.2f} M crops")
for key in ("cifar200_T64", "kodak16x64_T64"):
    y = np.array([float(r[key]) for r in rows])
    best = None
    for c in np.linspace(0.1, 2.0, 96):
        A = np.stack([np.ones_like(x), x ** (-c)], 1)
        coef = np.linalg.lstsq(A, y, rcond=None)[0]
        e = ((A @ coef - y) ** 2).sum()
        if best is None or e < best[0]:
            best = (e, c, coef)
    e, c, (a, b) = best
    print(f"{key}: a (asymptote) = {a:.4f}, b = {b:.4f}, c = {c:.2f}, rms = {np.sqrt(e / len(x)):.4f}; "
          f"last {y[-1]:.4f} at {x[-1]:.2f} M; fit at 10 M {a + b * 10 ** -c:.4f}, 100 M {a + b * 100 ** -c:.4f}")
