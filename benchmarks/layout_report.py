"""How well the layout fills its pages: every sample leaflet at every print
size on every paper, rendered in memory and read back.

For each build it prints the pages; body words per page (words in tagged
text, not the running header and footer); the mean fill of every page but
the last (how far down the text area the lowest line of body text reaches);
how many of those pages are under 60 % full; and how many carry 30 body
words or fewer. Then the totals, over every build and over the three
original samples (baclofen, clonazepam, cyclobenzaprine), on which older
figures were measured.

    make layout-report
    .venv/bin/python benchmarks/layout_report.py [--markdown] [--only NAME] [--leaflets DIR]
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import time
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

from generator import LeafletError, load
from generator.render.geometry import PAPERS, PT_TO_MM, SIZES, Options
from generator.render.html import render_html
from generator.render.pdf import render_pdf
from generator.verify.text import read_text

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL = ("baclofen", "clonazepam", "cyclobenzaprine")
SPARSE_WORDS = 30
UNDER_FILL = 0.6
# Text runs split at a change of style, so ". Other" is a run of its own:
# only a token with a letter or digit in it counts as a word.
WORD = re.compile(r"\w")


@dataclass
class Build:
    leaflet: str
    size: str
    paper: str
    pages: int = 0
    words: int = 0
    fills: tuple[float, ...] = ()  # every page but the last
    sparse: int = 0  # pages but the last with SPARSE_WORDS body words or fewer
    seconds: float = 0.0
    error: str = ""

    @property
    def under(self) -> int:
        return sum(fill < UNDER_FILL for fill in self.fills)


def measure(job: tuple[Path, str, str]) -> Build:
    path, size, paper = job
    build = Build(path.stem, size, paper)
    start = time.perf_counter()
    try:
        options = Options(paper=paper, size=size)
        text = read_text(render_pdf(render_html(load(path), options), path, options.chosen_brand))
    except LeafletError as exc:
        build.error = "; ".join(map(str, exc.problems))
        return build
    # Margins are read here, not copied: they are still being tuned.
    top_pt = SIZES[size].top_mm / PT_TO_MM
    bottom_pt = SIZES[size].bottom_mm / PT_TO_MM
    words = [0] * len(text.sizes)
    lowest = [float("inf")] * len(text.sizes)
    for box in text.boxes:
        if box.mcid >= 0:  # -1: the running header and footer
            words[box.page] += sum(bool(WORD.search(token)) for token in box.text.split())
            lowest[box.page] = min(lowest[box.page], box.bottom)
    fills = []
    for (_, height), low in zip(text.sizes[:-1], lowest):
        area_top = height - top_pt
        used = area_top - low if low != float("inf") else 0.0
        fills.append(min(max(used / (area_top - bottom_pt), 0.0), 1.0))
    build.pages, build.words, build.fills = len(text.sizes), sum(words), tuple(fills)
    build.sparse = sum(count <= SPARSE_WORDS for count in words[:-1])
    build.seconds = time.perf_counter() - start
    return build


def mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def rows(builds: list[Build]) -> list[list[str]]:
    return [
        [b.leaflet, b.size, b.paper, str(b.pages), f"{b.words / b.pages:.0f}" if b.pages else "–",
         percent(mean(b.fills)), str(b.under), str(b.sparse)]
        for b in builds
    ]


def totals(name: str, builds: list[Build]) -> list[str]:
    return [name, str(len(builds)), str(sum(b.pages for b in builds)), str(sum(b.sparse for b in builds)),
            str(sum(b.under for b in builds)), percent(mean(f for b in builds for f in b.fills))]


HEADER = ["Leaflet", "Size", "Paper", "Pages", "Words/page", "Mean fill", "< 60 % full", f"≤ {SPARSE_WORDS} words"]
TOTALS = ["Totals", "Builds", "Pages", f"≤ {SPARSE_WORDS} words", "< 60 % full", "Mean fill"]


def table(header: list[str], body: list[list[str]], markdown: bool, text_columns: int = 1) -> str:
    if markdown:
        align = ["---"] * text_columns + ["---:"] * (len(header) - text_columns)
        lines = [header, align, *body]
        return "\n".join("| " + " | ".join(line) + " |" for line in lines)
    widths = [max(len(line[i]) for line in (header, *body)) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in (header, *body))


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Build every leaflet at every print size and paper, in memory, and print per build: pages, "
        "body words per page, the mean fill of the pages before the last (how far down the text area the lowest "
        "line of body text reaches), how many of those are under 60 % full and how many carry 30 body words or "
        "fewer; then totals over all builds and over the three original samples. Progress goes to stderr.",
        epilog="Usually run as: make layout-report",
    )
    parser.add_argument("--leaflets", type=Path, default=ROOT / "leaflets", metavar="DIR",
                        help="folder of leaflet YAML files (default: the samples in leaflets/)")
    parser.add_argument("--only", metavar="NAME", help="measure only this leaflet (file name without .yaml)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables, as in docs/layout.md")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: one per CPU)")
    args = parser.parse_args()

    files = sorted(args.leaflets.glob("*.yaml"))
    if args.only:
        files = [f for f in files if f.stem == args.only]
    if not files:
        parser.error(f"no leaflet {args.only + '.yaml ' if args.only else ''}in {args.leaflets}")
    jobs = list(itertools.product(files, SIZES, PAPERS))
    print(f"{len(jobs)} builds, generator from {Path(sys.modules['generator'].__file__).parent}", file=sys.stderr)

    start = time.perf_counter()
    builds = []
    with Pool(max(1, min(args.jobs, len(jobs)))) as pool:
        for done, build in enumerate(pool.imap_unordered(measure, jobs), 1):
            status = build.error or f"{build.pages} pages ({build.seconds:.1f} s)"
            print(f"[{done}/{len(jobs)}] {build.leaflet} {build.size} {build.paper}: {status}", file=sys.stderr)
            builds.append(build)
    print(f"done in {time.perf_counter() - start:.0f} s", file=sys.stderr)

    builds.sort(key=lambda b: (b.leaflet, list(SIZES).index(b.size), list(PAPERS).index(b.paper)))
    good = [b for b in builds if not b.error]
    summary = [totals("All", good)]
    original = [b for b in good if b.leaflet in ORIGINAL]
    if original:
        summary.append(totals(", ".join(ORIGINAL), original))
    print(table(HEADER, rows(good), args.markdown, text_columns=3))
    print()
    print(table(TOTALS, summary, args.markdown))
    return 1 if len(good) != len(builds) else 0


if __name__ == "__main__":
    sys.exit(main())
