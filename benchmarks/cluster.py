"""Throughput of a Dask LocalCluster of 2 workers against ``--jobs 2`` on
the same outputs, and the cost of one output against raw WeasyPrint.

Both builds are whole ``leaflet build`` commands, interleaved round by
round, so each pays its own start-up: the forkserver for ``--jobs``, the
scheduler, nannies and workers for ``--cluster local:2``.

    .venv/bin/python benchmarks/cluster.py [LEAFLETS] [ROUNDS]

LEAFLETS leaflets at two print sizes: 30 make 60 outputs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import leaflet, machine, make_leaflets, median, raw_weasyprint, timed

from generator import load
from generator.brand.load import default_brand
from generator.render.geometry import Options
from generator.render.html import render_html

SIZES = ("standard", "large")


def raw_per_output(files: list[Path]) -> float:
    """Raw WeasyPrint on one core, warm, on the same leaflets and sizes: seconds per output."""
    brand = default_brand()
    render = raw_weasyprint(brand)
    pages = [render_html(load(f), Options(size=size, brand=brand)) for f in files for size in SIZES]
    render(pages[0])  # fonts and caches
    return timed(lambda: [render(html) for html in pages]) / len(pages)


def main(count: int = 30, rounds: int = 3) -> None:
    outputs = count * len(SIZES)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = make_leaflets(tmp / "leaflets", count)
        build = ["build", "leaflets", "--force", "--size", ",".join(SIZES)]
        local, cluster = [], []
        for _ in range(rounds):
            local.append(timed(lambda: leaflet(*build, "--jobs", "2", "--out", "local", cwd=tmp)))
            cluster.append(timed(lambda: leaflet(*build, "--cluster", "local:2", "--out", "cluster", cwd=tmp)))
        raw = raw_per_output(files)
    jobs, dask = median(local), median(cluster)
    print(f"Dask LocalCluster against --jobs 2, {outputs} outputs, {rounds} rounds ({machine()})")
    print(f"  --jobs 2           median {jobs:.2f} s  ({outputs / jobs:.2f} outputs/s)")
    print(f"  --cluster local:2  median {dask:.2f} s  ({outputs / dask:.2f} outputs/s)")
    print(f"  throughput ratio   {jobs / dask:.3f}  (target >= 0.9)")
    print(f"  raw WeasyPrint     {raw * 1000:.0f} ms per output on one core")
    print(f"  cluster cost       {dask * 2 / outputs * 1000:.0f} ms of worker time per output ({dask * 2 / outputs / raw:.2f}x raw)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
