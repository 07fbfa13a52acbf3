"""Memory of one worker over many renders.

Builds leaflets in one process and reads its resident memory after a
warm-up, at the end of a batch worker's life (it is replaced after 100
renders) and after all renders, as if it were never replaced. Raw
WeasyPrint is measured the same way in a separate process.

    .venv/bin/python benchmarks/memory.py [RENDERS]
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import sys
import tempfile
from pathlib import Path

from common import machine, make_leaflets

WARM_UP = 20
LIFE = 100  # RENDERS_PER_WORKER in generator/batch/workers.py


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(renders: int, raw: bool, queue) -> None:
    from generator import load
    from generator.batch.build import build_output
    from generator.brand.load import default_brand
    from generator.render.geometry import Options
    from generator.render.html import brand_stylesheet, render_html
    from generator.render.pdf import PDF_OPTIONS, renderer

    with tempfile.TemporaryDirectory() as tmp:
        files = make_leaflets(Path(tmp) / "leaflets", 30)
        leaflets = [load(f) for f in files]
        options = Options(brand=default_brand())
        engine = renderer()
        sheets = [engine._sheet(css) for css in (engine.base, brand_stylesheet(options.brand))]
        readings = {}
        for index in range(renders):
            leaflet, file = leaflets[index % 30], files[index % 30]
            if raw:
                html = render_html(leaflet, options)
                engine._weasyprint.HTML(string=html, base_url=str(engine.base.parent) + "/", url_fetcher=engine.fetcher).write_pdf(
                    stylesheets=sheets, font_config=engine.font_config, **PDF_OPTIONS
                )
            else:
                build_output(file, leaflet, options, "pdf", Path(tmp) / "out.pdf")
            if index + 1 in (WARM_UP, LIFE, renders):
                gc.collect()
                readings[index + 1] = rss_mib()
        queue.put(readings)


def measure(renders: int, raw: bool) -> dict:
    queue = multiprocessing.Queue()
    process = multiprocessing.Process(target=run, args=(renders, raw, queue))
    process.start()
    readings = queue.get()
    process.join()
    return readings


def main(renders: int = 500) -> None:
    ours = measure(renders, raw=False)
    raw = measure(renders, raw=True)
    print(f"resident memory of one process, after a {WARM_UP}-render warm-up ({machine()})")
    for name, readings in (("leaflet build", ours), ("raw WeasyPrint", raw)):
        print(
            f"  {name:<15} {readings[WARM_UP]:.0f} MiB; after {LIFE} renders +{readings[LIFE] - readings[WARM_UP]:.1f} MiB; "
            f"after {renders} renders +{readings[renders] - readings[WARM_UP]:.1f} MiB"
        )
    print(
        f"  a batch worker is replaced after {LIFE} renders, so over {renders} renders it never grows more than "
        f"+{ours[LIFE] - ours[WARM_UP]:.1f} MiB (target <= 10); without recycling: +{ours[renders] - ours[WARM_UP]:.1f} MiB"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
