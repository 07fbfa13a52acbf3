"""Arabic, right to left: the full leaflet builds at every size and paper
(in the shared matrix), passes every check a build makes, and reads back in
reading order."""

from __future__ import annotations

import io

import pikepdf
import pytest
from conftest import ROOT

from generator import load
from generator.content.model import paragraphs
from generator.render.geometry import PAPERS, SIZES, Options
from generator.render.html import render_html
from generator.verify.printed import without_continued_titles
from generator.verify.text import read_text, squeeze

ARABIC = ROOT / "leaflets" / "clonazepam.ar.yaml"


def _text(matrix, size: str = "large", paper: str = "a4") -> str:
    _, pdf = matrix[(ARABIC.name, size, paper)]
    return squeeze(" ".join(read_text(pdf.read_bytes()).tagged_pages()))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_the_arabic_leaflet_reads_back_in_reading_order(matrix, size, paper):
    leaflet, pdf = matrix[(ARABIC.name, size, paper)]
    text = without_continued_titles(_text(matrix, size, paper), leaflet)
    box = leaflet.boxed_warning
    for paragraph in [box.title, *paragraphs(box.text), *paragraphs(box.action), *leaflet.key_facts]:
        assert squeeze(paragraph) in text, paragraph
    with pikepdf.open(io.BytesIO(pdf.read_bytes())) as doc:
        assert str(doc.Root.Lang) == "ar"


def test_a_letter_that_shares_its_glyph_cluster_with_a_vowel_mark_reads_back(matrix):
    # بطيئًا: the medial ئ and its tanween are one cluster; WeasyPrint maps the
    # letter's glyph to no text, and render/tagging.py restores it.
    assert "بطيئا" in _text(matrix, "standard", "a4")


def test_an_english_source_title_reads_left_to_right_with_its_address(matrix):
    html = render_html(load(ARABIC), Options())
    assert '<li><span dir="ltr">\u2066NHS medicines A to Z: Clonazepam. <span class="url">https:' in html
    assert squeeze("NHS medicines A to Z: Clonazepam. https://www.nhs.uk/medicines/clonazepam/") in _text(matrix)


def test_the_running_title_sits_at_the_start_of_the_line_on_the_right(matrix):
    text = read_text(matrix[(ARABIC.name, "large", "a4")][1].read_bytes())
    width = text.sizes[0][0]
    header = [box for box in text.boxes if box.page == 0 and box.mcid < 0 and box.bottom > text.sizes[0][1] / 2]
    title = [box for box in header if "كلونازيبام" in box.text]
    assert title and all(box.left > width / 2 for box in title), header
    page_label = [box for box in text.boxes if box.page == 0 and box.mcid < 0 and "صفحة" in box.text]
    assert page_label and all(box.right < width / 2 for box in page_label), "'Page X of Y' is not at the end of the line, on the left"


def test_right_to_left_html_says_so_and_left_to_right_is_unchanged():
    assert '<html lang="ar" dir="rtl">' in render_html(load(ARABIC), Options())
    assert '<html lang="en-GB" dir="ltr">' in render_html(load(ROOT / "leaflets" / "clonazepam.yaml"), Options())
