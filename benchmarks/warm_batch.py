"""Cost per leaflet in a warm batch, against raw WeasyPrint in the same process.

Both sides render the same HTML with the same pre-parsed stylesheets and
font configuration, interleaved leaflet by leaflet. The pipeline adds the
Jinja render, the PDF/UA tagging fixes, the read-back check and the atomic
write.

    .venv/bin/python benchmarks/warm_batch.py [LEAFLETS]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import machine, make_leaflets, median, raw_weasyprint, timed

from generator import load
from generator.batch.build import build_output
from generator.brand.load import default_brand
from generator.render.geometry import Options
from generator.render.html import render_html


def main(count: int = 30) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        files = make_leaflets(Path(tmp) / "leaflets", count)
        options = Options(brand=default_brand())
        leaflets = [load(f) for f in files]
        raw = raw_weasyprint(options.brand)

        # Warm both up: first renders load fonts and fill caches.
        for leaflet, file in list(zip(leaflets, files))[:3]:
            raw(render_html(leaflet, options))
            build_output(file, leaflet, options, "pdf", Path(tmp) / "out" / f"{leaflet.id}.pdf")
        raws, ours = [], []
        for leaflet, file in zip(leaflets, files):
            html = render_html(leaflet, options)
            raws.append(timed(lambda: raw(html)))
            ours.append(timed(lambda: build_output(file, leaflet, options, "pdf", Path(tmp) / "out" / f"{leaflet.id}.pdf")))
    r, o = median(raws), median(ours)
    print(f"warm batch, {count} leaflets ({machine()})")
    print(f"  raw WeasyPrint  median {r * 1000:.0f} ms per leaflet")
    print(f"  leaflet build   median {o * 1000:.0f} ms per leaflet")
    print(f"  ratio           {o / r:.3f}  (target <= 1.05)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
