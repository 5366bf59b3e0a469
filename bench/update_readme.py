#!/usr/bin/env python3
"""Puts a benchmark run's summary.md into README.md, between <!-- bench:begin --> and <!-- bench:end -->.

The plots it links are copied to docs/bench/ and the links rewritten to point there, so the README
shows exactly what bench/run.py wrote, with nothing typed by hand.

    python3 bench/update_readme.py bench/results/latest
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
REPO = Path(__file__).resolve().parent.parent
IMAGE_LINK = re.compile(r"(!\[[^\]]*\]\()([^)\s/]+\.png)(\))")


class ReadmeError(Exception):
    pass


def relink(summary: str, outdir: Path, docs: Path, docs_link: str) -> tuple[str, list[Path]]:
    """Copies every PNG the summary links (by bare file name, from outdir) into docs and points the
    links at docs_link/NAME; returns the new text and the copied files."""
    copied = []

    def replace(match: re.Match) -> str:
        name = match.group(2)
        source = outdir / name
        if not source.is_file():
            raise ReadmeError(f"{source} is linked from summary.md but does not exist")
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, docs / name)
        copied.append(docs / name)
        return f"{match.group(1)}{docs_link}/{name}{match.group(3)}"
    return IMAGE_LINK.sub(replace, summary), copied


def replace_between_markers(readme: str, body: str) -> str:
    """README text with everything between the two markers replaced by body (markers kept)."""
    if readme.count(BEGIN) != 1 or readme.count(END) != 1:
        raise ReadmeError(f"README must hold exactly one {BEGIN} and one {END}")
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    if end < start:
        raise ReadmeError(f"{END} comes before {BEGIN}")
    return readme[:start] + "\n" + body.strip("\n") + "\n" + readme[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/update_readme.py", description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path, help="a bench/run.py output directory (holding summary.md)")
    parser.add_argument("--readme", type=Path, default=REPO / "README.md", help="default: %(default)s")
    parser.add_argument("--docs", type=Path, default=REPO / "docs" / "bench",
                        help="where the plots are copied (default: %(default)s)")
    args = parser.parse_args(argv)
    summary_path = args.outdir / "summary.md"
    try:
        if not summary_path.is_file():
            raise ReadmeError(f"{summary_path} does not exist; run bench/run.py first")
        docs_link = args.docs.resolve().relative_to(args.readme.resolve().parent).as_posix()
        body, copied = relink(summary_path.read_text(), args.outdir, args.docs, docs_link)
        args.readme.write_text(replace_between_markers(args.readme.read_text(), body))
    except (ReadmeError, OSError, ValueError) as exc:
        print(f"bench/update_readme.py: error: {exc}", file=sys.stderr)
        return 1
    print(f"{args.readme}: results of {args.outdir.resolve()} between the markers; "
          f"copied {', '.join(str(p) for p in copied) or 'no plots'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
