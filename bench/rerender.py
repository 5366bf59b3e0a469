"""Write a bench run's summary again from its results.json, with the coder of each vdmz file.

    python3 bench/rerender.py bench/results/latest --coders kodak=docs/bench/2026-12-01-default82/kodak_coders.csv

Runs before the bench recorded the coder of each vdmz file (`vdmz info`) could not tell whether `auto`
kept bits-back or the context coder, so their "overhead" compared context-coded files with the model's
ELBO. `--coders CORPUS=CSV` (columns image, kept) supplies the coders of one corpus's per-file vdmz rows,
identified after the run (the CSV's maker must check that each file's size is the kept coder's); the
summary rows get the counts and lose the overhead where another coder than bits-back was kept (as
bench/report.py does for new runs), and the corpus gets a note naming the CSV. Nothing measured changes:
bytes, seconds, ELBO and exactness are the run's. Rewrites results.json, the CSVs, plots and summary.md.
"""
import argparse
import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402
from run import write_results  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path)
    ap.add_argument("--coders", action="append", default=[], metavar="CORPUS=CSV")
    a = ap.parse_args(argv)
    results = json.loads((a.run / "results.json").read_text())
    images, rows, corpora = results["per_image"], results["summary"], results["corpora"]
    for spec in a.coders:
        corpus, _, path = spec.partition("=")
        kept = {r["image"]: r["kept"] for r in csv.DictReader(open(path))}
        vdmz_codecs = set()
        for image in images:
            if image["corpus"] == corpus and image["codec"].startswith("vdmz") and image["image"] in kept:
                image["coder"] = kept[image["image"]]
                vdmz_codecs.add(image["codec"])
        for row in rows:
            if row["corpus"] == corpus and row["codec"] in vdmz_codecs:
                row["coders"] = report.count_coders(
                    [i.get("coder") for i in images if i["corpus"] == corpus and i["codec"] == row["codec"]])
                report.attach_elbo(row, row["elbo_bpd"], row["elbo_std_error"])
        for info in corpora:
            if info["name"] == corpus:
                info["notes"].append(f"The coder of each vdmz file was identified after the run from {path} "
                                     "(each file's size is that of the kept coder's re-encode)")
    write_results(a.run, results["meta"], corpora, [report.finish(r) for r in rows], images, results["failures"])
    print(f"rewrote {a.run}/summary.md")


if __name__ == "__main__":
    main()
