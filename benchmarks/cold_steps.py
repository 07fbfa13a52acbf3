"""Where a cold `leaflet build one.yaml` spends its time: one build in this
fresh process, each step timed, printed as JSON. ``parallel.py`` runs it
beside the weasyprint command and prints the medians.

    .venv/bin/python benchmarks/cold_steps.py LEAFLET OUT_DIR
"""

from __future__ import annotations

import json
import sys
import time

start = time.perf_counter()
import generator.cli  # noqa: E402  (its import is one of the steps measured)

imported = time.perf_counter()
import pypdfium2  # noqa: E402,F401

import generator.render.tagging  # noqa: E402  (pikepdf)

checkers = time.perf_counter()
import weasyprint.document  # noqa: E402

engine = time.perf_counter()
from common import COLD_STEPS, Clock  # noqa: E402

import generator.batch.build  # noqa: E402
import generator.batch.plan  # noqa: E402
from generator.render.pdf import Renderer  # noqa: E402


def main(leaflet: str, out: str) -> None:
    clock = Clock()
    clock.watch(generator.batch.plan, "check_for_build", "check")
    clock.watch(generator.batch.build, "render_html", "html")
    clock.watch(Renderer, "__init__", "engine")
    clock.watch(Renderer, "_sheet", "sheets")
    clock.watch(Renderer, "_layout", "", split=lambda result: "early" if result[0] is None else "layout")
    clock.watch(weasyprint.document.Document, "write_pdf", "pdf")
    clock.watch(generator.render.tagging, "finish_tagging", "tagging")
    clock.watch(generator.batch.build, "verify_pdf", "verify")
    clock.watch(generator.batch.build, "write_output", "write")
    begun = time.perf_counter()
    try:
        generator.cli.main(["build", leaflet, "--force", "--out", out], standalone_mode=False)
    except SystemExit as exit:
        if exit.code:
            raise
    ended = time.perf_counter()
    spent = clock.take()
    spent["write"] = spent.get("write", 0.0) + (ended - begun) - sum(spent.values())
    spent["imports"] = imported - start
    spent["checker_imports"] = checkers - imported
    spent["weasyprint"] = engine - checkers
    print(json.dumps({key: spent.get(key, 0.0) for key in COLD_STEPS}))


if __name__ == "__main__":
    main(*sys.argv[1:3])
