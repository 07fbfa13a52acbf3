"""The command line: help, version, schema, and what each command imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import LEAFLETS, ROOT, run_leaflet


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["schema"]])
def test_help(command):
    result = run_leaflet(*command, "--help")
    assert result.returncode == 0
    assert "Usage: leaflet" in result.stdout


def test_version():
    result = run_leaflet("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("leaflet, version ")


def test_check_samples_exit_0():
    result = run_leaflet("check", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert f"{len(LEAFLETS)} checked, 0 failed" in result.stdout


def test_schema_matches_the_committed_copy():
    result = run_leaflet("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["additionalProperties"] is False
    committed = json.loads((ROOT / "docs" / "leaflet.schema.json").read_text("utf-8"))
    assert schema == committed, "docs/leaflet.schema.json is stale: run `make schema`"


def test_check_does_not_import_the_pdf_libraries():
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        f"try: main(['check', {str(LEAFLETS[0])!r}])\n"
        "except SystemExit as e: assert e.code == 0, e.code\n"
        "for name in ('weasyprint', 'pikepdf', 'pypdfium2'):\n"
        "    assert name not in sys.modules, f'check imported {name}'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_build_html_format(tmp_path):
    result = run_leaflet("build", LEAFLETS[0], "--out", tmp_path, "--format", "html")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / f"{LEAFLETS[0].stem}.html").read_text("utf-8")
    assert '<meta charset="utf-8">' in html
    assert "@font-face" in html and "data:font/woff2;base64," in html  # self-contained


def test_build_letter_paper(tmp_path):
    from pypdf import PdfReader

    result = run_leaflet("build", LEAFLETS[0], "--out", tmp_path, "--paper", "letter")
    assert result.returncode == 0, result.stderr
    box = PdfReader(tmp_path / f"{LEAFLETS[0].stem}.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


@pytest.mark.parametrize("size, body_pt", [("standard", 14), ("extra-large", 24)])
def test_build_print_size(size, body_pt, tmp_path):
    from pdftools import text_sizes

    from generator.render.geometry import SIZES

    leaflet = ROOT / "leaflets" / "clonazepam.yaml"
    result = run_leaflet("build", leaflet, "--out", tmp_path, "--size", size)
    assert result.returncode == 0, result.stderr
    sizes = text_sizes(tmp_path / "clonazepam.pdf")
    assert sizes.most_common(1)[0][0] == body_pt
    assert min(sizes) >= SIZES[size].running_pt  # only the running header and footer are smaller
