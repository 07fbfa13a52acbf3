"""PDF/UA-1 and print checks for every sample leaflet, at every print size, on A4 and Letter."""

from __future__ import annotations

import pikepdf
import pytest
from conftest import COMBINATIONS, LEAFLETS, brand_with_template
from pdftools import heading_order, page_texts, structure_problems, text_sizes

from generator import load
from generator.brand.load import available_brands, load_brand
from generator.content.catalogue import catalogue
from generator.problems import LeafletError
from generator.render.geometry import PT_TO_MM, SIDE_MARGIN_MM, SIZES, Options
from generator.render.html import STYLESHEET, brand_stylesheet, render_html
from generator.render.pdf import Renderer, render_pdf
from generator.render.tagging import walk
from generator.resources import STYLES
from generator.verify.layout import overflows
from generator.verify.printed import verify_pdf
from generator.verify.text import normalise, read_text, squeeze


@pytest.mark.parametrize("name, size, paper", COMBINATIONS)
def test_pdfua_structure(matrix, name, size, paper):
    leaflet, file = matrix[(name, size, paper)]
    pdf = file.read_bytes()
    assert structure_problems(leaflet, pdf) == []
    _, problems = verify_pdf(leaflet, pdf, LEAFLETS[0])
    assert problems == []


@pytest.mark.parametrize("name, size, paper", COMBINATIONS)
def test_body_text_at_the_chosen_size(matrix, name, size, paper):
    _, file = matrix[(name, size, paper)]
    sizes = text_sizes(file)
    body = SIZES[size].body_pt
    assert sizes.most_common(1)[0][0] == body
    # Only the running header and footer may be smaller, and never below
    # clear print (14 pt) or, in large print, UKAAF's 16 pt.
    running = SIZES[size].running_pt
    assert running >= (14 if size == "standard" else 16)
    assert min(sizes) >= running, f"text smaller than the {running} pt running text: {sorted(sizes)}"


@pytest.mark.parametrize("name, size, paper", COMBINATIONS)
def test_page_one_holds_the_title_the_medicine_line_and_the_boxed_warning(matrix, name, size, paper):
    leaflet, file = matrix[(name, size, paper)]
    t = catalogue(leaflet.language)
    first = squeeze(page_texts(file)[0])  # squeezed: a line may break at a hyphen
    parts = [squeeze(leaflet.title), squeeze(t("drug_class", drug_class=leaflet.medicine.drug_class))]
    if leaflet.boxed_warning:
        parts.append(squeeze(t("boxed_warning")))
    positions = [first.find(part) for part in parts]
    assert -1 not in positions and positions == sorted(positions), (parts, first[:400])


@pytest.mark.parametrize("name, size, paper", COMBINATIONS)
def test_reading_order_follows_the_leaflet(matrix, name, size, paper):
    leaflet, file = matrix[(name, size, paper)]
    t = catalogue(leaflet.language)
    headings = [normalise(text) for level, text in heading_order(file.read_bytes()) if level == 2]
    expected = [t("key_facts"), t("uses", medicine=leaflet.medicine.name), t("warnings"), t("side_effects"),
                t("more_information", medicine=leaflet.medicine.name), t("sources")]
    if leaflet.boxed_warning:
        expected.insert(0, t("boxed_warning"))
        assert headings[0].endswith(normalise(t("boxed_warning")))
    positions = [next(i for i, h in enumerate(headings) if h.endswith(normalise(e))) for e in expected]
    assert positions == sorted(positions), f"headings out of order: {headings}"


def test_the_weasyprint_gaps_are_closed(matrix):
    """WeasyPrint 70 writes no /IDTree, no /Scope, and leaves page-margin text untagged.

    If any of these comes back in what we ship, this test fails."""
    _, file = matrix[("clonazepam.yaml", "standard", "a4")]  # the full table, with column headers
    with pikepdf.open(file) as doc:
        tree = doc.Root.StructTreeRoot
        assert "/IDTree" in tree
        elements = list(walk(tree))
        headers = [e for e in elements if e.S == pikepdf.Name.TH]
        assert headers and all("/Scope" in e.A for e in headers)
        column_headers = [e for e in headers if e.A.Scope == pikepdf.Name.Column]
        assert len(column_headers) >= 4  # "Feature" and the three medicines
        for page in doc.pages:
            artifacts = [ops for ops, op in pikepdf.parse_content_stream(page)
                         if str(op) == "BDC" and ops[0] == pikepdf.Name.Artifact]
            assert len(artifacts) >= 3, "header, page number and footer must be artifacts"


def test_raw_weasyprint_output_has_the_gaps():
    """Documents why generator/tagging.py exists; when this fails, WeasyPrint has closed them."""
    leaflet = load(LEAFLETS[1])
    raw = Renderer(STYLESHEET).render(render_html(leaflet))
    problems = " ".join(structure_problems(leaflet, raw))
    assert "/Scope" in problems and "/IDTree" in problems and "neither tagged nor an artifact" in problems


@pytest.mark.parametrize(
    "block, replacement, expected",
    [
        ("key_facts", '<h2>{{ t("key_facts") }} <img src="{{ asset(\'icons/warning.svg\') }}" alt=""></h2>',
         "no required alt description"),
        ("key_facts", '<h4>{{ t("key_facts") }}</h4>', "skips a heading level: h2 is followed by h4"),
    ],
    ids=["icon-without-alt", "skipped-heading-level"],
)
def test_broken_templates_are_caught(block, replacement, expected, tmp_path):
    brand = brand_with_template(
        tmp_path, f'{{% extends "!base/leaflet.html.j2" %}}{{% block {block} %}}{{{{ super() }}}}{replacement}{{% endblock %}}'
    )
    leaflet = load(LEAFLETS[1])
    try:
        pdf = render_pdf(render_html(leaflet, Options(brand=brand)), LEAFLETS[1], brand)
        _, problems = verify_pdf(leaflet, pdf, LEAFLETS[1], Options(brand=brand))
    except LeafletError as error:  # WeasyPrint itself refuses some, such as an image with no alt
        problems = error.problems
    assert any(expected in p.message for p in problems), problems


@pytest.mark.parametrize("name", [folder.name for folder in available_brands()])
def test_styles_are_valid_css(name, caplog):
    """WeasyPrint only warns about CSS it cannot parse; a typo would silently lose styling."""
    leaflet = load(LEAFLETS[1])
    brand = load_brand(name)
    renderer = Renderer(STYLESHEET, (STYLES, *brand.folders))
    with caplog.at_level("WARNING", logger="weasyprint"):
        renderer.render(render_html(leaflet, Options(brand=brand)), extra_css=(brand_stylesheet(brand), *brand.stylesheets))
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []


@pytest.mark.parametrize("name, size, paper", COMBINATIONS)
def test_nothing_overflows_or_is_cut_off(matrix, name, size, paper):
    """Every run of text lies between the side margins, clear of the running
    header, footer and paper edge: the check every build makes
    (generator/layout_check.py), which tests/test_bad_input.py shows failing."""
    _, file = matrix[(name, size, paper)]
    assert overflows(read_text(file.read_bytes()), SIDE_MARGIN_MM / PT_TO_MM) == []
