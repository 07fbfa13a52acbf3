"""The layout guard that runs on every build fails a PDF that breaks a page badly.

Each test builds a real PDF that breaks one rule on purpose and reads it back."""

from __future__ import annotations

from pathlib import Path

import generator.render.pdf as pdf_module
from generator import load
from generator.brand.load import load_brand
from generator.render.geometry import Options
from generator.render.html import render_html, split_paragraphs
from generator.verify.printed import verify_pdf
from generator.verify.text import read_text

CLONAZEPAM = Path(__file__).parent.parent / "leaflets" / "clonazepam.yaml"


def problems(html: str, leaflet, options: Options = Options(size="large")) -> list[str]:
    pdf = pdf_module.render_pdf(html, CLONAZEPAM, options.chosen_brand)
    return [problem.message for problem in verify_pdf(leaflet, pdf, CLONAZEPAM)[1]]


PAGE_BREAK = '<div style="break-before: page"></div>'


def break_at(html: str, *places: int) -> str:
    """``html`` with a forced page break at each of ``places`` (string indexes)."""
    for place in sorted(places, reverse=True):
        html = html[:place] + PAGE_BREAK + html[place:]
    return html


def heading_ends(html: str, ident: str) -> tuple[int, int]:
    """Where the heading with id ``ident`` starts and ends in ``html``."""
    start = html.index(f'<h2 id="{ident}">')
    return start, html.index("</h2>", start) + len("</h2>")


def test_the_samples_break_well():
    leaflet = load(CLONAZEPAM)
    assert problems(render_html(leaflet, Options(size="large")), leaflet) == []


def test_a_box_that_goes_on_without_its_title_fails(monkeypatch):
    leaflet = load(CLONAZEPAM)
    # One layout only: a box that goes on over a page gets no title there.
    monkeypatch.setattr(pdf_module, "MAX_LAYOUTS", 1)
    html = render_html(leaflet, Options(size="large"))
    # Break the first warning box before its "What to do".
    found = problems(break_at(html, html.index('<div class="action">', html.index('<section class="warning'))), leaflet)
    assert any("goes on with a warning box without repeating its title and '(continued)'" in p for p in found), found


def test_a_heading_at_the_foot_of_a_page_fails():
    leaflet = load(CLONAZEPAM)
    html = render_html(leaflet, Options(size="large"))
    found = problems(break_at(html, heading_ends(html, "how-it-works-heading")[1]), leaflet)
    assert any("ends with the heading 'How Clonazepam works'" in p for p in found), found


def test_a_lone_table_row_fails():
    leaflet = load(CLONAZEPAM)
    html = render_html(leaflet, Options(size="standard"))
    # Force a break after the first row of the full comparison table.
    first_row_end = html.index("</tr>", html.index("<tbody>", html.index('class="comparison"'))) + len("</tr>")
    html = html[:first_row_end] + html[first_row_end:].replace(
        "<tr>", '<tr style="break-before: page">', 1
    )
    found = problems(html, leaflet, Options(size="standard"))
    assert any("single row of a table" in p for p in found), found


def test_a_brand_name_too_long_for_the_footer_gives_way_to_the_date(tmp_path, monkeypatch):
    # Too long to share one line with the review date beside a 24 pt "Page X of Y".
    (tmp_path / "brand.yaml").write_text("extends: default\nname: Riverside Community Pharmacy\n", "utf-8")
    leaflet = load(CLONAZEPAM)
    options = Options(size="extra-large", brand=load_brand(tmp_path))
    html = render_html(leaflet, options)
    pdf = pdf_module.render_pdf(html, CLONAZEPAM, options.chosen_brand)
    text = read_text(pdf)
    footer = " ".join(box.text for box in text.boxes if box.page == 0 and box.mcid < 0 and box.bottom < text.sizes[0][1] / 2)
    assert "Last reviewed: November 2026" in footer and "Riverside" not in footer, footer
    assert verify_pdf(leaflet, pdf, CLONAZEPAM, options)[1] == []
    # Without that second layout, the guard refuses the wrapped footer.
    monkeypatch.setattr(pdf_module, "footer_wraps", lambda document: False)
    found = problems(html, leaflet, options)
    assert any("the footer takes more than one line" in p for p in found), found


def test_a_page_that_holds_only_a_heading_fails():
    leaflet = load(CLONAZEPAM)
    html = render_html(leaflet, Options(size="large"))
    found = problems(break_at(html, *heading_ends(html, "how-it-works-heading")), leaflet)
    assert any("holds only a heading ('How Clonazepam works')" in p for p in found), found


def test_a_boxed_warning_too_long_for_page_1_goes_on_after_a_sentence_with_its_title():
    leaflet = load(CLONAZEPAM)
    options = Options(size="extra-large", paper="letter")
    pdf = pdf_module.render_pdf(render_html(leaflet, options), CLONAZEPAM, options.chosen_brand)
    assert verify_pdf(leaflet, pdf, CLONAZEPAM, options)[1] == []
    first, second = read_text(pdf).tagged_pages()[:2]
    # The box starts on page 1 and its part there ends with a whole sentence;
    # page 2 goes on with its title, then the rest of the same paragraph.
    assert "most important warning" in first and first.endswith("united states."), first[-80:]
    assert second.startswith("most important warning (continued) it is about taking clonazepam"), second[:80]


def test_a_paragraph_that_goes_on_over_a_page_without_the_title_fails(monkeypatch):
    leaflet = load(CLONAZEPAM)
    # One layout only: the boxed warning's paragraph is split over pages 1
    # and 2 as laid out, mid-sentence and without a title.
    monkeypatch.setattr(pdf_module, "MAX_LAYOUTS", 1)
    options = Options(size="extra-large", paper="letter")
    found = problems(render_html(leaflet, options), leaflet, options)
    assert "breaks its pages badly: page 2 goes on with a warning box without repeating its title and '(continued)'" in " ".join(found), found


def test_a_split_paragraph_is_cut_at_a_sentence_end_else_at_a_word():
    html = '<section id="box" data-continued="Box (continued)"><p>One two. Three four five &amp; six.</p></section>'
    # The first page shows "One two. Three four" (16 characters, no spaces).
    assert split_paragraphs(html, frozenset({("box", 0, 16)})) == (
        '<section id="box" data-continued="Box (continued)"><p class="ends-page">One two.</p>'
        '<p class="continued-title splits-paragraph">Box (continued)</p><p>Three four five &amp; six.</p></section>'
    )
    # No sentence ends in what the first page shows: the cut comes after its last whole word.
    assert '<p class="ends-page">One</p>' in split_paragraphs(html, frozenset({("box", 0, 5)}))
