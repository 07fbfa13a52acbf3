"""Cost per leaflet in a warm batch, against raw WeasyPrint in the same process.

Both sides render the same HTML with the same pre-parsed stylesheets and
font configuration, interleaved leaflet by leaflet. The pipeline adds the
Jinja render, the layout that finds where warning boxes break (for a
leaflet whose boxes go on over a page), the PDF/UA tagging fixes, the
read-back check and the atomic write; the breakdown says how much each
costs, as a share of raw WeasyPrint.

    .venv/bin/python benchmarks/warm_batch.py [LEAFLETS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

import weasyprint.document
from common import Clock, machine, make_leaflets, median, raw_weasyprint, timed

import generator.batch.build
import generator.render.tagging
from generator import load
from generator.batch.build import build_output
from generator.brand.load import default_brand
from generator.render.geometry import Options
from generator.render.html import render_html
from generator.render.pdf import Renderer

# The steps of a build, in order, as the breakdown names them.
STEPS = {
    "html": "Jinja -> HTML",
    "early": "first layout, stopped once the boxes' breaks are known",
    "layout": "layout kept",
    "pdf": "PDF writing (WeasyPrint)",
    "tagging": "PDF/UA tagging fixes",
    "verify": "read-back checks",
    "write": "atomic write",
}


def watch_steps() -> Clock:
    clock = Clock()
    clock.watch(generator.batch.build, "render_html", "html")
    clock.watch(Renderer, "_layout", "", split=lambda result: "early" if result[0] is None else "layout")
    clock.watch(weasyprint.document.Document, "write_pdf", "pdf")
    clock.watch(generator.render.tagging, "finish_tagging", "tagging")
    clock.watch(generator.batch.build, "verify_pdf", "verify")
    clock.watch(generator.batch.build, "write_output", "write")
    return clock


def main(count: int = 30) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = make_leaflets(Path(tmp) / "leaflets", count)
        options = Options(brand=default_brand())
        leaflets = [load(f) for f in files]
        raw = raw_weasyprint(options.brand)
        clock = watch_steps()

        # Warm both up: first renders load fonts and fill caches.
        for leaflet, file in list(zip(leaflets, files))[:3]:
            raw(render_html(leaflet, options))
            build_output(file, leaflet, options, "pdf", Path(tmp) / "out" / f"{leaflet.id}.pdf")
        raws, ours, raw_pdf, steps = [], [], [], []
        for leaflet, file in zip(leaflets, files):
            html = render_html(leaflet, options)
            clock.take()
            raws.append(timed(lambda: raw(html)))
            raw_pdf.append(clock.take().get("pdf", 0.0))
            ours.append(timed(lambda: build_output(file, leaflet, options, "pdf", Path(tmp) / "out" / f"{leaflet.id}.pdf")))
            steps.append(clock.take())
    r, o = median(raws), median(ours)
    print(f"warm batch, {count} leaflets ({machine()})")
    print(f"  raw WeasyPrint  median {r * 1000:.0f} ms per leaflet")
    print(f"  leaflet build   median {o * 1000:.0f} ms per leaflet")
    print(f"  ratio           {o / r:.3f}  (target <= 1.05)")
    breakdown(raws, raw_pdf, ours, steps)


def breakdown(raws: list[float], raw_pdf: list[float], ours: list[float], steps: list[dict[str, float]]) -> None:
    """Mean time per leaflet of each step, as a share of raw WeasyPrint's
    mean (means, not medians, so that the steps add up)."""
    mean_raw = statistics.fmean(raws)
    twice = sum("early" in s for s in steps)
    print(f"  where the time goes (mean per leaflet, share of raw WeasyPrint's {mean_raw * 1000:.0f} ms):")
    print(f"    raw WeasyPrint: layout {statistics.fmean(r - p for r, p in zip(raws, raw_pdf)) * 1000:.0f} ms, "
          f"PDF writing {statistics.fmean(raw_pdf) * 1000:.0f} ms")
    for key, name in STEPS.items():
        spent = statistics.fmean(s.get(key, 0.0) for s in steps)
        print(f"    {name:56s} {spent * 1000:6.0f} ms  {spent / mean_raw:6.1%}")
    rest = statistics.fmean(ours) - statistics.fmean(sum(s.values()) for s in steps)
    print(f"    {'the rest (box breaks, glue)':56s} {rest * 1000:6.0f} ms  {rest / mean_raw:6.1%}")
    print(f"    {twice} of {len(steps)} leaflets have a warning box that goes on over a page, and are laid out twice")
    early = statistics.fmean(s.get("early", 0.0) for s in steps)
    checks = statistics.fmean(s.get("tagging", 0.0) + s.get("verify", 0.0) for s in steps)
    print(f"  mean ratio {statistics.fmean(ours) / mean_raw:.3f}; without the first layout {(statistics.fmean(ours) - early) / mean_raw:.3f}; "
          f"without the first layout, tagging fixes and read-back {(statistics.fmean(ours) - early - checks) / mean_raw:.3f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
