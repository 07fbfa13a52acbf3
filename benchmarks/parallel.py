"""Throughput of --jobs 2 against --jobs 1, and a cold single build against
the weasyprint command, with where the cold build's time goes
(``cold_steps.py``, each step's median over the same rounds).

    .venv/bin/python benchmarks/parallel.py [LEAFLETS] [ROUNDS]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import BIN, COLD_STEPS, ROOT, leaflet, machine, make_leaflets, median, timed

from generator import load
from generator.brand.load import default_brand
from generator.render.geometry import Options
from generator.render.html import STYLESHEET, brand_stylesheet, render_html


def main(count: int = 40, rounds: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_leaflets(tmp / "leaflets", count)
        one, two = [], []
        for _ in range(rounds):
            one.append(timed(lambda: leaflet("build", "leaflets", "--force", "--jobs", "1", cwd=tmp)))
            two.append(timed(lambda: leaflet("build", "leaflets", "--force", "--jobs", "2", cwd=tmp)))
        speedup = median(one) / median(two)

        # Cold: one leaflet, a new process each time, against the weasyprint
        # command on the same HTML and stylesheets.
        sample = ROOT / "leaflets" / "clonazepam.yaml"
        options = Options(brand=default_brand())
        (tmp / "one.html").write_text(render_html(load(sample), options), "utf-8")
        (tmp / "brand.css").write_text(brand_stylesheet(options.brand), "utf-8")
        weasyprint = [
            str(BIN / "weasyprint"), "--pdf-variant", "pdf/ua-1", "--pdf-tags",
            "-s", str(STYLESHEET), "-s", str(tmp / "brand.css"),
            "--base-url", str(STYLESHEET.parent) + "/", str(tmp / "one.html"), str(tmp / "raw.pdf"),
        ]
        ours, raws, steps = [], [], []
        for _ in range(rounds + 2):
            ours.append(timed(lambda: leaflet("build", str(sample), "--force", "--out", str(tmp / "cold"), cwd=ROOT)))
            raws.append(timed(lambda: subprocess.run(weasyprint, check=True, capture_output=True)))
            steps.append(cold_steps(sample, tmp / "steps"))
    print(f"parallel and cold builds ({machine()})")
    print(f"  --jobs 1: median {median(one):.2f} s for {count} leaflets ({count / median(one):.2f}/s)")
    print(f"  --jobs 2: median {median(two):.2f} s for {count} leaflets ({count / median(two):.2f}/s)")
    print(f"  speed-up {speedup:.2f}x  (target >= 1.85)")
    print(f"  cold leaflet build  median {median(ours):.2f} s")
    print(f"  cold weasyprint     median {median(raws):.2f} s")
    print(f"  ratio {median(ours) / median(raws):.3f}  (target <= 1.10)")
    print(f"  where the cold build's time goes (median of each step over {len(steps)} builds; share of the weasyprint command):")
    for key, name in COLD_STEPS.items():
        spent = statistics.median(s[key] for s in steps)
        print(f"    {name:56s} {spent * 1000:6.0f} ms  {spent / median(raws):6.1%}")


def cold_steps(sample: Path, out: Path) -> dict[str, float]:
    """One cold build in a new process, timed step by step (``cold_steps.py``)."""
    script = Path(__file__).with_name("cold_steps.py")
    done = subprocess.run([sys.executable, str(script), str(sample), str(out)], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
