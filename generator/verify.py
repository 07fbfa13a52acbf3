"""Read a built PDF back and prove that what a patient must see is there.

Runs on every build, before the file is written: a template (or, later, a
brand's template) that drops a required section makes the build fail.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from .checks import applies, lookup, required_sections
from .html import paragraphs
from .messages import catalogue
from .model import Leaflet
from .problems import Problem


def normalise(text: str) -> str:
    """Fold ligatures, quotes and line breaks, so printed text compares with YAML text."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\ufffe", "").replace("\u00ad", "")
    return re.sub(r"\s+", " ", text).strip().casefold()


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, in reading order (PDFium: fast, and accurate with tagged PDF)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def _page_label(t) -> str:
    """A regex for "page 3 of 12" in the leaflet's language."""
    label = re.escape(normalise(t("page_label")))
    return label.replace(r"\{page\}", r"\d+").replace(r"\{pages\}", r"\d+")


def verify_pdf(leaflet: Leaflet, pdf: bytes, file: Path) -> tuple[int, list[Problem]]:
    """The page count, and problems with a built PDF: missing headings, a misplaced boxed warning."""
    t = catalogue(leaflet.language)
    pages = [normalise(text) for text in page_texts(pdf)]
    # Without the running header and footer, text that continues onto the
    # next page reads on unbroken.
    running = [re.escape(normalise(leaflet.title)), _page_label(t)]
    running += [re.escape(normalise(t("last_reviewed", date=t.month_year(leaflet.review.last_reviewed))))]
    if leaflet.review.status != "approved":
        running.append(re.escape(normalise(t(f"status_{leaflet.review.status}"))))
    strip = re.compile("|".join(running))
    whole = " ".join(" ".join(strip.sub(" ", page).split()) for page in pages)
    problems = []

    def missing(message: str) -> None:
        problems.append(Problem(file, None, (), f"the built PDF {message}"))

    for section in required_sections():
        if not applies(section, leaflet):
            continue
        heading = t(section.heading, medicine=leaflet.medicine.name)
        if normalise(heading) not in whole:
            missing(f"has no '{heading}' heading for required section {section.path}")
        if section.print:
            for paragraph in paragraphs(lookup(leaflet, section.print)):
                if normalise(paragraph) not in whole:
                    missing(f"does not print {section.print}: '{paragraph[:60]}'")

    if leaflet.boxed_warning:
        first_page = pages[0] if pages else ""
        box = normalise(t("boxed_warning"))
        facts = normalise(t("key_facts"))
        if box not in first_page:
            missing("does not show the boxed warning on page 1")
        elif facts in first_page and first_page.index(box) > first_page.index(facts):
            missing("shows the boxed warning after the key facts; it must come first")
    return len(pages), problems
