"""What a built counter sheet must print, and what to say when it is longer
than its page budget (``render.geometry.SHEET_PAGES``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.content.model import Leaflet, paragraphs
from generator.content.sheet import serious_group, sheet_content
from generator.content.source import read_yaml
from generator.problems import LeafletError, Problem
from generator.render.geometry import SHEET_PAGES, Options

# The write-in box's labels (templates/partials/write_in.html.j2).
WRITE_IN = ("sheet_write_in", "sheet_your_name", "sheet_your_medicine", "sheet_when", "sheet_notes", "sheet_date", "sheet_phone")


def sheet_wants(leaflet: Leaflet, t: Callable[..., str]) -> list[tuple[str, str]]:
    """(what it is, its text) for every text the counter sheet must print."""
    sheet = sheet_content(leaflet, t)
    wants = [("the title", leaflet.title)]
    box = leaflet.boxed_warning
    if box:
        wants += [("the boxed warning", t("boxed_warning")), ("the boxed warning", box.title)]
        wants += [("the boxed warning", p) for text in (box.text, box.action, *box.points, *box.action_points) for p in paragraphs(text)]
    wants += [("the key facts", t("key_facts"))] + [("a key fact", fact) for fact in sheet.key_facts]
    if sheet.serious:
        wants += [("the serious side effects", t("side_effects_serious"))]
        wants += [("a serious side effect", name) for name in sheet.serious]
    wants += [("how to take it", t("sheet_taking")), ("how to take it", sheet.how_to_take)]
    if sheet.stopping:
        wants += [("what to know about stopping", sheet.stopping)]
    wants += [("the write-in box", t(key)) for key in WRITE_IN]
    wants += [("the way back to the full leaflet", t("sheet_full_leaflet"))]
    return wants


def sheet_too_long(leaflet: Leaflet, file: Path, pages: int, options: Options) -> Problem:
    """The error for a counter sheet over its page budget, naming what the author can shorten."""
    budget = SHEET_PAGES[options.size]
    chosen = leaflet.sheet
    group = serious_group(leaflet)
    serious = group.items if group else []
    shorten = []
    if len(leaflet.key_facts) > 1:
        count = len(chosen.key_facts) if chosen and chosen.key_facts else len(leaflet.key_facts)
        shorten.append(f"choose fewer key facts with sheet.key_facts (it prints {count})")
    if len(serious) > 1:
        count = len(chosen.serious_side_effects) if chosen and chosen.serious_side_effects else len(serious)
        shorten.append(f"fewer serious side effects with sheet.serious_side_effects (it prints {count})")
    shorten.append("or give a shorter sheet.how_to_take or sheet.stopping")
    boxed = " The boxed warning is always printed in full." if leaflet.boxed_warning else ""
    page_word = "page" if budget == 1 else "pages"
    brand = f" with the {options.brand.id} brand" if options.brand and options.brand.footer_name else ""
    message = (
        f"the counter sheet takes {pages} pages in {options.size} print on {options.paper}{brand}; it must fit on "
        f"{budget} {page_word}, and text is never made smaller to fit. Shorten it in the leaflet's sheet: block: "
        f"{', '.join(shorten)}.{boxed}"
    )
    where = ("sheet",) if chosen else ("key_facts",)
    return Problem(file, _line(file, where), where, message)


def _line(file: Path, path: tuple) -> int | None:
    try:
        return read_yaml(file).line_of(path)
    except (LeafletError, OSError):
        return None
