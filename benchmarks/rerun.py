"""A rerun with nothing changed: 200 outputs (50 leaflets x 2 sizes x 2 papers).

The first build renders them all; each rerun must find nothing to do. The
raw WeasyPrint figure is one render of one leaflet, for scale.

    .venv/bin/python benchmarks/rerun.py
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from common import BIN, machine, make_leaflets, median, timed

ARGS = ["build", "leaflets", "--size", "large,standard", "--paper", "a4,letter"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_leaflets(tmp / "leaflets", 50)
        first = timed(lambda: subprocess.run([str(BIN / "leaflet"), *ARGS], cwd=tmp, check=True, capture_output=True))
        outputs = len(list((tmp / "out").rglob("*.pdf")))
        reruns = []
        for _ in range(5):
            result = []
            reruns.append(timed(lambda: result.append(subprocess.run([str(BIN / "leaflet"), *ARGS], cwd=tmp, check=True, capture_output=True, text=True))))
            assert "0 built, 200 unchanged" in result[0].stdout, result[0].stdout
    print(f"rerun with nothing changed ({machine()})")
    print(f"  first build of {outputs} outputs: {first:.1f} s ({first / outputs * 1000:.0f} ms per output)")
    print(f"  rerun: median {median(reruns):.2f} s  (target < 1 s)")
    print(f"  rerun per output: {median(reruns) / outputs * 1000:.1f} ms, against {first / outputs * 1000:.0f} ms to build one")


if __name__ == "__main__":
    main()
