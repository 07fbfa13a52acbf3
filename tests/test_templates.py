"""Templates hold no fixed wording of their own: it all comes from the message catalogue."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import yaml
from leaflet_factory import full_leaflet

from generator import load
from generator.content.catalogue import catalogue
from generator.content.print_order import print_order
from generator.render.html import render_html
from generator.resources import MESSAGES, TEMPLATES
from generator.wording.plain_language import pieces

# The leaflet's templates: every word they print comes from the message
# catalogue of the leaflet's language. Not the counter web page's
# (templates/serve/), whose words are for the staff who run it, in English.
TEMPLATE_FILES = sorted(path for path in TEMPLATES.rglob("*.html.j2") if "serve" not in path.relative_to(TEMPLATES).parts)


def visible_text(source: str) -> str:
    """What a template prints literally: everything outside Jinja and HTML tags."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    source = re.sub(r"<style>.*?</style>", " ", source, flags=re.S)
    source = re.sub(r"<!DOCTYPE[^>]*>|<[^>]*>", " ", source)
    return source


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda p: p.name)
def test_no_hard_coded_words(template):
    words = re.findall(r"[^\W\d_]{2,}", visible_text(template.read_text("utf-8")))
    assert words == [], f"{template.name} prints words that should come from the message catalogue: {words}"


def test_page_css_has_no_hard_coded_words():
    page = (TEMPLATES / "partials" / "page.html.j2").read_text("utf-8")
    strings = re.findall(r'"([^"]*)"', visible_text(page.replace("<style>", "").replace("</style>", "")))
    assert all(not re.search(r"[^\W\d_]{2,}", s) for s in strings), strings


CATALOGUES = sorted(MESSAGES.glob("*.yaml"))
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def test_there_are_catalogues_for_spanish_and_arabic():
    assert {"en", "es", "ar"} <= {file.stem for file in CATALOGUES}


@pytest.mark.parametrize("file", CATALOGUES, ids=lambda p: p.stem)
def test_every_catalogue_has_every_message_and_no_other(file):
    reference = yaml.safe_load((MESSAGES / "en.yaml").read_text("utf-8"))
    messages = yaml.safe_load(file.read_text("utf-8"))
    assert sorted(set(reference) - set(messages)) == [], f"{file.name} is missing messages"
    assert sorted(set(messages) - set(reference)) == [], f"{file.name} has messages English does not"
    for key, text in reference.items():
        # The same placeholders: a translation that drops {medicine} drops the name.
        assert set(PLACEHOLDER.findall(messages[key])) == set(PLACEHOLDER.findall(text)), (file.name, key)
    catalogue(file.stem)


def test_a_catalogue_missing_a_message_is_refused(tmp_path, monkeypatch):
    import generator.content.catalogue as catalogues

    for file in CATALOGUES:
        (tmp_path / file.name).write_bytes(file.read_bytes())
    spanish = yaml.safe_load((tmp_path / "es.yaml").read_text("utf-8"))
    del spanish["continued"]
    (tmp_path / "es.yaml").write_text(yaml.safe_dump(spanish, allow_unicode=True), "utf-8")
    monkeypatch.setattr(catalogues, "MESSAGES", tmp_path)
    catalogues.catalogue.cache_clear()
    try:
        with pytest.raises(LookupError, match="es.yaml is missing message.*continued"):
            catalogues.catalogue("es")
    finally:
        catalogues.catalogue.cache_clear()


@pytest.mark.parametrize(("tag", "expected"), [("en-GB", "November 2026"), ("es", "noviembre de 2026"), ("ar", "نوفمبر 2026")])
def test_dates_are_written_in_the_leaflets_language(tag, expected):
    assert catalogue(tag).month_year(dt.date(2026, 11, 1)) == expected


# --- The print order is kept once, in templates/print_order.yaml -------------

# Where each part starts in the built HTML, when its section id is not its name.
MARKERS = {"medicine": 'class="medicine-details"', "review": 'id="sources"', "extra_sections": 'id="extra-1"'}


def marker(part: str) -> str:
    return MARKERS.get(part, f'id="{part.replace("_", "-")}"')


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """A leaflet with every key filled in, so every block prints."""
    file = tmp_path_factory.mktemp("full") / "full.yaml"
    data = full_leaflet(lambda path, limit: "Plain words for " + "-".join(map(str, path)) + ".")
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return load(file)


def test_the_template_prints_in_the_print_order(everything):
    html = render_html(everything)
    main = html[html.index("<main>") : html.index("</main>")]
    order = print_order()
    starts = {part: main.find(marker(part)) for part in order.leaflet}
    assert all(start >= 0 for start in starts.values()), [p for p, s in starts.items() if s < 0]
    assert sorted(order.leaflet, key=starts.get) == list(order.leaflet)
    assert html.index("<h1>") < html.index("<main>"), "the title is in the header, above the content"
    side = [main.index(f'id="side-effects-{key}"' if key != "intro" else 'id="side-effects-heading"')
            if key != "coping" else main.index('id="coping"') for key in order.side_effects]
    assert side == sorted(side)


def test_the_wording_is_read_in_the_print_order(everything):
    sections = list(dict.fromkeys(piece.section[0] for piece in pieces(everything)))
    order = print_order()
    assert sections == [part for part in order.header + order.leaflet + order.after if part in sections]
    assert {"title", "medicine", "boxed_warning", "side_effects"} <= set(sections)
    effects = [p.path[1] for p in pieces(everything) if p.path[0] == "side_effects"]
    assert list(dict.fromkeys(effects)) == [key for key in order.side_effects if key in effects]


def test_page_one_starts_with_the_title_the_medicine_and_the_boxed_warning():
    order = print_order()
    assert order.header == ("title", "short_title")
    assert order.leaflet[:3] == ("medicine", "boxed_warning", "key_facts")
