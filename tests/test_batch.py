"""Batch builds: matrices, incremental reruns, failures, interruptions, reproducible bytes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES, LEAFLET_CMD, LEAFLETS, run_leaflet

MATRIX = ["--size", "large,standard", "--paper", "a4", "--paper", "letter"]


@pytest.fixture
def sources(tmp_path) -> Path:
    """A private copy of the sample leaflets, safe to change."""
    folder = tmp_path / "leaflets"
    folder.mkdir()
    for leaflet in LEAFLETS:
        shutil.copy(leaflet, folder / leaflet.name)
    return folder


def build(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, dict]:
    result = run_leaflet("build", "leaflets", "--out", "out", "--report", "report.json", *args, cwd=cwd)
    report = json.loads((cwd / "report.json").read_text("utf-8")) if (cwd / "report.json").exists() else {}
    return result, report


def valid_pdfs(folder: Path) -> list[Path]:
    pdfs = sorted(folder.rglob("*.pdf"))
    for pdf in pdfs:
        with pikepdf.open(pdf) as document:  # raises on a truncated or broken file
            assert len(document.pages) > 0
    return pdfs


def test_matrix_goes_to_documented_places_and_reruns_only_what_changed(sources):
    root = sources.parent
    result, report = build(*MATRIX, cwd=root)
    assert result.returncode == 0, result.stderr
    expected = {
        Path("out") / "default" / paper / size / f"{leaflet.stem}.pdf"
        for leaflet in LEAFLETS for paper in ("a4", "letter") for size in ("large", "standard")
    }
    assert {p.relative_to(root) for p in valid_pdfs(root / "out")} == expected
    assert (report["built"], report["unchanged"], report["failed"]) == (12, 0, 0)

    result, report = build(*MATRIX, cwd=root)
    assert result.returncode == 0
    assert (report["built"], report["unchanged"]) == (0, 12)
    assert "0 built, 12 unchanged, 0 failed" in result.stdout

    touched = sources / LEAFLETS[0].name
    touched.write_text(touched.read_text("utf-8") + "\n# edited\n", "utf-8")
    result, report = build(*MATRIX, cwd=root)
    rebuilt = [o["output"] for o in report["outputs"] if o["status"] == "built"]
    assert len(rebuilt) == 4 and all(Path(o).name == f"{LEAFLETS[0].stem}.pdf" for o in rebuilt)

    result, report = build(*MATRIX, "--force", cwd=root)
    assert report["built"] == 12


def test_a_brand_or_template_change_rebuilds_its_outputs(sources, tmp_path):
    root = sources.parent
    brand = root / "brands" / "mine"
    shutil.copytree(Path(__file__).parent.parent / "brands" / "riverside-pharmacy", brand)
    args = ["--brand", "mine", "--brand", "default"]
    assert build(*args, cwd=root)[1]["built"] == 6
    (brand / "brand.yaml").write_text((brand / "brand.yaml").read_text("utf-8").replace("01632 960 418", "01632 960 419"), "utf-8")
    _, report = build(*args, cwd=root)
    rebuilt = {Path(o["output"]).parts[1] for o in report["outputs"] if o["status"] == "built"}
    assert (report["built"], rebuilt) == (3, {"mine"})


def test_one_broken_leaflet_does_not_stop_the_others(sources):
    root = sources.parent
    shutil.copy(FIXTURES / "bad-misspelt-key" / "leaflet.yaml", sources / "broken.yaml")
    result, report = build(*MATRIX, cwd=root)
    assert result.returncode == 1
    assert report["built"] == 12 and report["failed"] == 1
    failed = [o for o in report["outputs"] if o["status"] == "failed"]
    assert failed[0]["source"].endswith("broken.yaml")
    assert failed[0]["problems"][0]["line"] and failed[0]["problems"][0]["message"]
    assert "broken.yaml" in result.stderr and "12 built, 0 unchanged, 1 failed" in result.stdout


def test_two_leaflets_that_would_write_the_same_file_are_refused(sources):
    root = sources.parent
    shutil.copy(sources / LEAFLETS[0].name, sources / "copy.yaml")
    result, report = build(cwd=root)
    assert result.returncode == 1
    failed = [o for o in report["outputs"] if o["status"] == "failed"]
    assert len(failed) == 1 and "is also used by" in failed[0]["problems"][0]["message"]


def test_same_inputs_give_identical_bytes(sources, tmp_path):
    root = sources.parent
    first = run_leaflet("build", "leaflets", "--out", "one", "--jobs", "1", cwd=root)
    second = run_leaflet("build", "leaflets", "--out", "two", "--jobs", "2", cwd=root)
    assert first.returncode == second.returncode == 0
    for pdf in (root / "one").glob("*.pdf"):
        assert pdf.read_bytes() == (root / "two" / pdf.name).read_bytes(), f"{pdf.name} differs between builds"


def test_progress_off_a_terminal_is_plain_lines(sources):
    result, _ = build(cwd=sources.parent)
    output = result.stdout + result.stderr
    assert "\x1b[" not in output and "\r" not in output
    assert [line for line in result.stdout.splitlines() if line.startswith("[")] == [
        line for line in result.stdout.splitlines() if line.startswith("[") and " wrote " in line
    ]


def test_a_rerun_with_nothing_changed_never_loads_the_pdf_engine(sources):
    root = sources.parent
    assert build(cwd=root)[0].returncode == 0
    code = "import sys; from generator.cli import main; sys.argv[0] = 'leaflet'; main()"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, "build", "leaflets", "--out", "out"],
        cwd=root, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "3 unchanged" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not imported & {"weasyprint", "pikepdf", "pypdfium2"}


def test_a_killed_run_leaves_only_whole_pdfs_and_the_rerun_finishes(sources):
    root = sources.parent
    process = subprocess.Popen(
        [str(LEAFLET_CMD), "build", "leaflets", "--out", "out", *MATRIX, "--jobs", "2"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((root / "out").rglob("*.pdf"))) < 3:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the whole run, workers too, at once
    process.wait()
    before = valid_pdfs(root / "out")
    assert 0 < len(before) < 12
    result, report = build(*MATRIX, cwd=root)
    assert result.returncode == 0, result.stderr
    assert len(valid_pdfs(root / "out")) == 12
    assert report["built"] + report["unchanged"] == 12 and report["unchanged"] > 0
    assert not list((root / "out").rglob("*.part")), "temporary files of the killed run are cleaned up"
