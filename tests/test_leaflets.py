"""Every sample leaflet: valid YAML with its required sections, and a PDF that shows them."""

from __future__ import annotations

import re

import pytest
from conftest import LEAFLETS
from pdftools import base_font_name, fonts, page_texts, text_sizes
from pypdf import PdfReader

from generator import load
from generator.content.catalogue import catalogue
from generator.content.model import paragraphs
from generator.content.rules import applies, lookup, required_sections
from generator.verify.text import normalise

each = pytest.mark.parametrize("name", [p.name for p in LEAFLETS])

# What the clonazepam leaflet must warn about (issue: the four required warnings).
CLONAZEPAM_WARNINGS = ["dependence|need it", "stopping suddenly|withdrawal", "alcohol", "mood", "driv"]


@each
def test_yaml_is_valid_and_complete(name):
    leaflet = load(next(p for p in LEAFLETS if p.name == name))
    for section in required_sections():
        if applies(section, leaflet):
            assert lookup(leaflet, section.path), f"{name}: {section.path} is missing"


@each
def test_pdf_shows_every_required_heading(name, built):
    leaflet, pdf = built[name]
    t = catalogue(leaflet.language)
    text = " ".join(page_texts(pdf))
    for section in required_sections():
        if applies(section, leaflet):
            heading = t(section.heading, medicine=leaflet.medicine.name)
            assert normalise(heading) in text, f"{name}: heading '{heading}' ({section.path}) not in the PDF"


@each
def test_boxed_warning_first_on_page_one(name, built):
    leaflet, pdf = built[name]
    if not leaflet.medicine.has_boxed_warning:
        pytest.skip("this medicine has no boxed warning")
    t = catalogue(leaflet.language)
    first = page_texts(pdf)[0]
    box = first.find(normalise(t("boxed_warning")))
    assert box >= 0, "boxed warning heading is not on page 1"
    for paragraph in paragraphs(leaflet.boxed_warning.text):
        assert normalise(paragraph) in first, f"boxed warning text not on page 1: {paragraph[:50]}"
    # Before every other section: nothing but the title comes before it.
    for section in required_sections():
        if section.path != "boxed_warning" and applies(section, leaflet):
            heading = normalise(t(section.heading, medicine=leaflet.medicine.name))
            position = first.find(heading)
            assert position == -1 or position > box, f"'{heading}' comes before the boxed warning"


@each
def test_metadata(name, built):
    leaflet, pdf = built[name]
    reader = PdfReader(pdf)
    assert reader.metadata.title == leaflet.title
    assert reader.trailer["/Root"]["/Lang"] == leaflet.language
    assert leaflet.medicine.name in (reader.metadata.subject or "")
    assert reader.metadata.author


@each
def test_body_text_is_large_print(name, built):
    _, pdf = built[name]
    sizes = text_sizes(pdf)
    body = sizes.most_common(1)[0][0]
    assert body >= 16, f"body text is {body} pt; large print needs at least 16 pt"
    assert min(sizes) >= 16, f"some text is printed at {min(sizes)} pt: {sorted(sizes.items())}"


@each
def test_fonts_embedded_with_unicode_maps(name, built):
    _, pdf = built[name]
    used = fonts(pdf)
    assert used
    for font, embedded, unicode_map in used:
        assert embedded, f"{font} is not embedded"
        assert unicode_map, f"{font} has no ToUnicode map"
    # The leaflet's font stack (styles/leaflet.css): Latin, then Arabic.
    assert all(base_font_name(f).startswith(("Atkinson-Hyperlegible-Next", "IBM-Plex-Sans-Arabic")) for f, *_ in used), used


@each
def test_every_page_has_title_page_number_and_review_date(name, built):
    leaflet, pdf = built[name]
    t = catalogue(leaflet.language)
    pages = page_texts(pdf)
    reviewed = normalise(t("last_reviewed", date=t.month_year(leaflet.review.last_reviewed)))
    notice = normalise(t(f"status_{leaflet.review.status}_short")) if leaflet.review.status != "approved" else None
    for number, text in enumerate(pages, start=1):
        assert normalise(leaflet.short_title or leaflet.title) in text, f"page {number} has no title"
        label = normalise(t("page_label", page=str(number), pages=str(len(pages))))
        assert label in text, f"page {number} has no '{label}'"
        assert reviewed in text, f"page {number} has no review date"
        if notice:
            assert notice in text, f"page {number} does not say the content is not approved"


@each
def test_comparison_table_marks_this_medicine(name, built):
    leaflet, pdf = built[name]
    t = catalogue(leaflet.language)
    text = " ".join(page_texts(pdf))
    assert normalise(leaflet.comparison.caption) in text
    assert normalise(f"{leaflet.medicine.name}") in text
    assert normalise(t("this_medicine")) in text
    for row in leaflet.comparison.rows:
        assert normalise(row.feature) in text


def test_clonazepam_covers_the_required_warnings():
    leaflet = load(next(p for p in LEAFLETS if p.name == "clonazepam.yaml"))
    titles = " ".join(w.title + " " + w.text for w in leaflet.warnings).lower()
    for topic in CLONAZEPAM_WARNINGS:
        assert re.search(topic, titles), f"no warning about {topic}"


@each
def test_html_is_well_formed_for_assistive_technology(name):
    """lang, title and charset are set, and heading levels never skip."""
    from generator.render.html import render_html

    leaflet = load(next(p for p in LEAFLETS if p.name == name))
    html = render_html(leaflet)
    assert f'<html lang="{leaflet.language}" dir="{catalogue(leaflet.language).direction}">' in html
    assert '<meta charset="utf-8">' in html
    assert f"<title>{leaflet.title}</title>" in html
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
