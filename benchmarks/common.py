"""Shared by the benchmarks: generated leaflets, timing and reporting.

Every figure is a ratio against raw WeasyPrint measured in the same run,
because shared machines are noisy: absolute times vary from run to run,
ratios much less.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "leaflets").glob("*.yaml"))
# What generated leaflets are copied from: not the translations, which are
# checked against a source file beside them of the same name.
ORIGINALS = [path for path in SAMPLES if "." not in path.stem]
BIN = Path(sys.executable).parent


def make_leaflets(folder: Path, count: int) -> list[Path]:
    """``count`` distinct leaflets made from the samples: new ids and titles, same content."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(count):
        sample = ORIGINALS[index % len(ORIGINALS)]
        text = sample.read_text("utf-8")
        text = re.sub(r"^id: (\S+)", rf"id: \1-{index:03d}", text, count=1, flags=re.M)
        text = re.sub(r"^title: (.+)$", rf"title: \1 ({index + 1})", text, count=1, flags=re.M)
        file = folder / f"{sample.stem}-{index:03d}.yaml"
        file.write_text(text, "utf-8")
        made.append(file)
    return made


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    return f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"


def row(name: str, value: str, target: str, ok: bool) -> str:
    return f"| {name} | {value} | {target} | {'met' if ok else 'NOT met'} |"


def leaflet(*args: str, cwd: Path) -> None:
    """Run the installed ``leaflet`` command, as a user would."""
    subprocess.run([str(BIN / "leaflet"), *args], cwd=cwd, check=True, capture_output=True)


def raw_weasyprint(brand) -> Callable[[str], None]:
    """WeasyPrint alone, warm, with the pipeline's own stylesheets, fonts,
    fetcher and PDF options: what a leaflet costs without the tool around it."""
    from generator.render.html import brand_stylesheet
    from generator.render.pdf import PDF_OPTIONS, renderer

    engine = renderer()
    sheets = [engine._sheet(css) for css in (engine.base, brand_stylesheet(brand))]

    def render(html: str) -> None:
        document = engine._weasyprint.HTML(string=html, base_url=str(engine.base.parent) + "/", url_fetcher=engine.fetcher)
        document.write_pdf(stylesheets=sheets, font_config=engine.font_config, **PDF_OPTIONS)

    return render


# The steps of a cold build that cold_steps.py times, in the order a build
# takes them, and what parallel.py calls them.
COLD_STEPS = {
    "imports": "the tool's own imports",
    "check": "loading and checking the leaflet",
    "html": "Jinja -> HTML",
    "weasyprint": "WeasyPrint import",
    "engine": "font configuration",
    "sheets": "stylesheets (base and brand)",
    "early": "first layout, stopped once the boxes' breaks are known",
    "layout": "layout kept",
    "pdf": "PDF writing (WeasyPrint)",
    "checker_imports": "pikepdf and PDFium imports",
    "tagging": "PDF/UA tagging fixes",
    "verify": "read-back checks",
    "write": "atomic write, manifest, the rest",
}


class Clock:
    """Time spent inside named functions, for a breakdown of where a build's
    time goes. Each function is replaced in its module for the benchmark's
    run only; ``split`` sorts a call's time by what it returned."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def watch(self, owner, name: str, label: str, split: Callable[[object], str] | None = None) -> None:
        inner = getattr(owner, name)

        def watched(*args, **kwargs):
            start = time.perf_counter()
            result = inner(*args, **kwargs)
            key = split(result) if split else label
            self.spent[key] = self.spent.get(key, 0.0) + time.perf_counter() - start
            return result

        setattr(owner, name, watched)

    def take(self) -> dict[str, float]:
        """What was spent since the last ``take``."""
        spent, self.spent = self.spent, {}
        return spent
