"""The content model fits real leaflets: product details, side effects by
frequency, two lists for who should not take it, numbered steps,
sub-sections, and bullet points in warnings. Each is built into a real PDF
and read back."""

from __future__ import annotations

import io

import pikepdf
import pytest
import yaml
from conftest import LEAFLETS, run_leaflet
from pdftools import heading_order, page_texts

import generator
from generator.content.catalogue import catalogue
from generator.render.tagging import walk
from generator.verify.text import normalise, read_text

BACLOFEN = next(p for p in LEAFLETS if p.name == "baclofen.yaml")
STEPS = ["Wash your hands.", "Take the tablet with a glass of water.", "Write down the time you took it."]
t = catalogue("en")


def featured() -> dict:
    """The baclofen sample with every new kind of content added."""
    data = yaml.safe_load(BACLOFEN.read_text("utf-8"))
    data["id"] = "featured"
    data["medicine"].update(
        strengths=["5 mg", "10 mg"], form="tablets", route="by mouth",
        source_leaflet={"title": "Baclofen 10 mg tablets", "revised": "2025-03-01"},
    )
    data["who_should_not_take"] = {
        "text": "Baclofen is not right for everyone.",
        "do_not_take": ["you are allergic to baclofen"],
        "check_first": ["you have epilepsy"],
    }
    data["how_to_take"] = {
        "text": "Take it as your doctor tells you.",
        "steps": STEPS,
        "subsections": [
            {"heading": "If you have trouble swallowing", "text": "Ask your pharmacist about a liquid."},
            {"heading": "Taking it with food", "points": ["You can take it with or without food."]},
        ],
    }
    data["warnings"][0]["points"] = ["Feeling very sleepy", "Feeling confused"]
    data["warnings"][0]["action_points"] = ["Call your doctor"]
    items = data["side_effects"]["common"]["items"]
    items[0]["frequency"] = "very_common"
    items[1]["frequency"] = "uncommon"
    return data


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("featured")
    file = folder / "featured.yaml"
    file.write_text(yaml.safe_dump(featured(), sort_keys=False, allow_unicode=True), "utf-8")
    result = generator.build(file, folder / "out")
    assert result.ok, result.problems
    return file, result.output


def test_it_passes_check(built):
    file, _ = built
    assert not generator.check(file).failed()


def test_product_details_are_on_page_one(built):
    _, pdf = built
    first = page_texts(pdf)[0]
    for line in (
        t("strengths", strengths="5 mg, 10 mg"), t("form", form="tablets"), t("route", route="by mouth"),
        t("source_leaflet", title="Baclofen 10 mg tablets", date="March 2025"),
    ):
        assert normalise(line) in first, line


def test_side_effects_say_how_often_in_words(built):
    _, pdf = built
    whole = " ".join(page_texts(pdf))
    assert normalise(t("frequency_very_common")) in whole
    assert normalise(t("frequency_uncommon")) in whole


def test_who_should_not_take_has_two_labelled_lists(built):
    _, pdf = built
    whole = " ".join(page_texts(pdf))
    do_not, check = normalise(t("do_not_take_label", medicine="Baclofen")), normalise(t("check_first_label"))
    assert do_not in whole and check in whole
    assert whole.index(do_not) < whole.index("you are allergic to baclofen") < whole.index(check)
    assert whole.index(check) < whole.index("you have epilepsy")


def element_text(element, pages: dict, texts: dict, page=None) -> str:
    """The text of a structure element, from the marked content it holds."""
    page = pages.get(element.Pg.objgen, page) if "/Pg" in element else page
    kids = element.get("/K")
    out = []
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int):
            out.append(texts.get((page, kid), ""))
        elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            out.append(element_text(kid, pages, texts, page))
        elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
            out.append(texts.get((pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page, int(kid.MCID)), ""))
    return " ".join(" ".join(out).split())


def test_numbered_steps_are_a_numbered_list_in_the_pdf(built):
    """Tagged as a list (/L), each step a list item (/LI) whose label (/Lbl) is its number."""
    _, pdf = built
    data = pdf.read_bytes()
    texts = read_text(data).marked()
    with pikepdf.open(io.BytesIO(data)) as doc:
        pages = {page.obj.objgen: index for index, page in enumerate(doc.pages)}
        found = []
        for element in walk(doc.Root.StructTreeRoot):
            if element.S != "/L":
                continue
            items = [kid for kid in walk(element) if kid.S == "/LI"]
            labels = [element_text(next(k for k in walk(li) if k.S == "/Lbl"), pages, texts) for li in items]
            bodies = [element_text(next(k for k in walk(li) if k.S == "/LBody"), pages, texts) for li in items]
            found.append((labels, bodies))
    assert ([f"{n}." for n in range(1, len(STEPS) + 1)], STEPS) in found, found


def test_sub_section_headings_sit_one_level_below_their_section(built):
    _, pdf = built
    headings = heading_order(pdf.read_bytes())
    texts = [normalise(text) for _, text in headings]
    section = texts.index(normalise(t("how_to_take", medicine="Baclofen")))
    assert headings[section][0] == 2
    assert [(level, text) for level, text in headings[section + 1 : section + 3]] == [
        (3, "If you have trouble swallowing"), (3, "Taking it with food"),
    ]


def test_warnings_can_hold_bullet_points(built):
    _, pdf = built
    whole = " ".join(page_texts(pdf))
    for point in ("feeling very sleepy", "feeling confused", "call your doctor"):
        assert normalise(point) in whole


def test_a_frequency_given_as_a_group_says_where_it_goes(tmp_path):
    data = yaml.safe_load(BACLOFEN.read_text("utf-8"))
    data["side_effects"]["uncommon"] = {"items": [{"name": "Rash"}]}
    file = tmp_path / "leaflet.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    result = run_leaflet("check", file)
    assert result.returncode == 1
    assert "side_effects.uncommon: 'uncommon' is how often a side effect happens, not a group" in result.stderr
    assert "did you mean" not in result.stderr
