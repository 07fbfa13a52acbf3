"""Read a built PDF back and prove that what a patient must see is there.

Runs on every build, before the file is written: a template (or, later, a
brand's template) that drops a required section, or breaks the PDF/UA-1
tagging, makes the build fail.
"""

from __future__ import annotations

import io
from pathlib import Path

from generator.content.catalogue import catalogue
from generator.content.model import Leaflet, paragraphs
from generator.content.rules import applies, lookup, required_sections
from generator.problems import Problem
from generator.render.geometry import PT_TO_MM, SHEET_PAGES, SIDE_MARGIN_MM, Options
from generator.verify.layout import break_problems, headless_tables, overflow_message, overflows
from generator.verify.sheet import sheet_too_long, sheet_wants
from generator.verify.structure import outline, structure_problems
from generator.verify.text import normalise, read_text, squeeze

# The catalogue keys of the headings of the boxes that are not warnings
# (templates/partials/blocks.html.j2 and side_effects.html.j2).
BOX_HEADINGS = ("boxed_warning", "side_effects_serious")


def _box_titles(leaflet: Leaflet, t) -> list[str]:
    """The titles of the leaflet's boxes, as each repeats it over a page."""
    return [t(key) for key in BOX_HEADINGS] + [f"{t('warning_word')}: {warning.title}" for warning in leaflet.warnings]


def without_continued_titles(squeezed: str, leaflet: Leaflet) -> str:
    """``squeezed`` text of a built leaflet without the titles that boxes
    repeat over a page, with "(continued)": such a title may sit inside a
    paragraph the box splits, so the paragraph reads on unbroken."""
    messages = catalogue(leaflet.language)

    def t(key: str) -> str:
        return messages(key, medicine=leaflet.medicine.name)

    for title in _box_titles(leaflet, t):
        squeezed = squeezed.replace(squeeze(f"{title} {t('continued')}"), "")
    return squeezed


def missing_content(leaflet: Leaflet, squeezed: str, edition: str, t) -> list[str]:
    """What an edition must say and ``squeezed`` (its whole text, squeezed)
    does not: each required section's heading and text, or the counter
    sheet's must-knows."""
    found = []
    if edition == "sheet":
        for what, wanted in sheet_wants(leaflet, t):
            if squeeze(wanted) not in squeezed:
                found.append(f"does not print {what}: '{wanted[:60]}'")
        return found
    for section in required_sections():
        if not applies(section, leaflet):
            continue
        heading = t(section.heading)
        if squeeze(heading) not in squeezed:
            found.append(f"has no '{heading}' heading for required section {section.path}")
        if section.print:
            for paragraph in paragraphs(lookup(leaflet, section.print)):
                if squeeze(paragraph) not in squeezed:
                    found.append(f"does not print {section.print}: '{paragraph[:60]}'")
    return found


def verify_text(leaflet: Leaflet, text: str, file: Path, options: Options = Options()) -> list[Problem]:
    """Problems with a built text edition: what it must say and does not."""
    messages = catalogue(leaflet.language)

    def t(key: str, **values: str) -> str:
        return messages(key, medicine=leaflet.medicine.name, **values)

    return [Problem(file, None, (), f"the built text edition {message}") for message in missing_content(leaflet, squeeze(text), options.edition, t)]


def verify_pdf(leaflet: Leaflet, pdf: bytes, file: Path, options: Options = Options()) -> tuple[int, list[Problem]]:
    """The page count, and problems with a built PDF: missing headings or
    content, a misplaced boxed warning, a counter sheet over its page
    budget, or PDF/UA-1 structure that a checker would reject."""
    import pikepdf

    from generator.render.tagging import walk

    messages = catalogue(leaflet.language)

    def t(key: str, **values: str) -> str:
        return messages(key, medicine=leaflet.medicine.name, **values)

    text = read_text(pdf)
    # Squeezed, so a long word wrapped in the middle still matches, and
    # without the running header and footer, so text that continues onto
    # the next page reads on unbroken.
    pages = [squeeze(page) for page in text.tagged_pages()]
    whole = "".join(pages)
    whole = without_continued_titles(whole, leaflet)
    problems = []

    def missing(message: str) -> None:
        problems.append(Problem(file, None, (), f"the built PDF {message}"))

    for message in missing_content(leaflet, whole, options.edition, t):
        missing(message)
    if options.edition == "sheet" and len(pages) > SHEET_PAGES[options.size]:
        problems.append(sheet_too_long(leaflet, file, len(pages), options))

    outside = overflows(text, SIDE_MARGIN_MM / PT_TO_MM)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        tree = doc.Root.get("/StructTreeRoot")
        elements = list(walk(tree)) if tree is not None else []
        for problem in structure_problems(leaflet, doc, elements):
            missing(problem)
        headings, under = outline(doc, text.marked())
        headless = headless_tables(doc, elements)
        box_titles = {normalise(title) for title in _box_titles(leaflet, t)}
        stranded = break_problems(doc, elements, text, box_titles, normalise(t("continued")))
    places: dict[tuple, tuple] = {}
    for box, where in outside:
        index = under.get((box.page, box.mcid))
        heading = headings[index][1] if index is not None else ""
        # One long word pushes many runs of text out: name each place once,
        # by its longest run, which is most likely the cause.
        place = (heading, box.mcid < 0, where.split()[0])
        if place not in places or len(box.text) > len(places[place][0].text):
            places[place] = (box, where, heading)
    for box, where, heading in places.values():
        problems.append(Problem(file, None, (), overflow_message(box, where, heading, text.sizes[box.page][1])))
    for page in headless:
        missing(
            f"prints a table on page {page + 1} without its column headings, which are left out when a row is "
            "too tall to fit on a page with them; shorten the longest cells (of the comparison table: comparison.rows)"
        )
    for problem in stranded:
        missing(f"breaks its pages badly: {problem}")
    if leaflet.boxed_warning and (len(headings) < 2 or squeeze(t("boxed_warning")) not in squeeze(headings[1][1])):
        missing("does not give the boxed warning first in its reading order (structure tree)")

    if leaflet.boxed_warning:
        first_page = pages[0] if pages else ""
        box = squeeze(t("boxed_warning"))
        facts = squeeze(t("key_facts"))
        if box not in first_page:
            missing("does not show the boxed warning on page 1")
        elif facts in first_page and first_page.index(box) > first_page.index(facts):
            missing("shows the boxed warning after the key facts; it must come first")
    return len(pages), problems
