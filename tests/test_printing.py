"""Printing from the counter web page, through a real CUPS, onto a virtual printer.

Nothing is mocked: scripts/install-print-tools.sh installs CUPS and cups-pdf
when they are missing, and scripts/test-printer.sh starts the scheduler and
adds the queue LeafletTestPDF, whose "paper" is a PDF file in a folder. A
built leaflet is printed with ``print_pdf`` and read back from that folder
with pypdf: same pages, same words.

cups-pdf renders the job again (PDF to PostScript to PDF), so the text is
compared loosely, and the printed file is found by the job's title, made
unique per test: the pytest-xdist workers, and other test runs, may be
printing at the same time.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pypdf
import pytest
from conftest import ROOT, printed_file

from generator import build
from generator.render.geometry import Options
from generator.serve.printing import PrintError, print_pdf, printers

QUEUE = "LeafletTestPDF"
LEAFLET = ROOT / "leaflets" / "baclofen.yaml"
TITLE = "Baclofen for stiff muscles and muscle spasms"  # its `title:`
# A 15-page leaflet takes about a second; the rest is room for a busy machine.
DEADLINE = 30


@pytest.fixture(scope="module")
def leaflet_pdf(tmp_path_factory) -> Path:
    result = build(LEAFLET, tmp_path_factory.mktemp("print"), Options())
    assert result.ok, "; ".join(map(str, result.problems))
    return result.output


def loose(text: str) -> str:
    return " ".join(text.lower().split())


def test_a_leaflet_comes_out_of_the_printer_whole(printed_folder, leaflet_pdf):
    pages = len(pypdf.PdfReader(leaflet_pdf).pages)
    # cups-pdf names its file after the job's title (letters and digits kept).
    tag = uuid.uuid4().hex
    before = set(printed_folder.glob("*.pdf")) if printed_folder.is_dir() else set()

    job = print_pdf(leaflet_pdf, QUEUE, title=f"leaflet test {tag}")

    assert job.printer == QUEUE
    assert re.fullmatch(rf"{QUEUE}-\d+", job.job_id), job.job_id
    assert job.pages == pages
    path = printed_file(printed_folder, job.job_id, lambda path: path not in before and tag in path.name, DEADLINE)
    try:
        printed = pypdf.PdfReader(path)
        assert len(printed.pages) == pages
        text = loose(" ".join(page.extract_text() for page in printed.pages))
    finally:
        path.unlink()  # the folder is the user's own, ~/PDF by default
    assert loose(TITLE) in text
    assert loose("Do not stop taking baclofen suddenly") in text


def test_an_unknown_printer_is_named(printed_folder, leaflet_pdf):
    name = f"NoSuchPrinter{uuid.uuid4().hex[:8]}"
    with pytest.raises(PrintError, match=name) as raised:
        print_pdf(leaflet_pdf, name, title="never printed")
    assert "not set up" in str(raised.value)
    assert QUEUE in str(raised.value), "the message lists the printers there are"


def test_the_test_printer_is_listed(printed_folder):
    assert QUEUE in printers()


def test_a_file_that_is_not_a_pdf_is_never_sent(tmp_path):
    page = tmp_path / "leaflet.pdf"
    page.write_text("<html>not a PDF</html>", "utf-8")
    with pytest.raises(PrintError, match="cannot be read as a PDF"):
        print_pdf(page, QUEUE, title="never printed")
