"""Read a built PDF back and prove that what a patient must see is there.

Runs on every build, before the file is written: a template (or, later, a
brand's template) that drops a required section, or breaks the PDF/UA-1
tagging, makes the build fail.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .checks import applies, lookup, required_sections
from .html import PT_TO_MM, SIDE_MARGIN_MM, paragraphs
from .layout_check import headless_tables, overflow_message, overflows
from .messages import catalogue
from .model import Leaflet
from .problems import Problem


def squeeze(text: str) -> str:
    """``normalise`` without spaces or hyphens, for finding printed text: a
    word the layout wrapped, in the middle or at a hyphen, reads whole."""
    return re.sub(r"[\s\-\u2010\u2011]+", "", normalise(text))


def normalise(text: str) -> str:
    """Fold ligatures, quotes and line breaks, so printed text compares with YAML text."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\ufffe", "").replace("\u00ad", "")
    return re.sub(r"\s+", " ", text).strip().casefold()


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class TextBox:
    """One run of text on a page (a PDF text object), in points from the bottom left."""

    page: int
    mcid: int  # -1 for artifacts: the running header and footer
    left: float
    bottom: float
    right: float
    top: float
    text: str


@dataclass
class PdfText:
    sizes: list[tuple[float, float]]  # (width, height) of each page
    boxes: list[TextBox]

    def marked(self) -> dict[tuple[int, int], str]:
        """The text of each marked-content sequence: {(page index, MCID): text}."""
        found: dict[tuple[int, int], str] = {}
        for box in self.boxes:
            found[(box.page, box.mcid)] = found.get((box.page, box.mcid), "") + " " + box.text
        return found

    def tagged_pages(self) -> list[str]:
        """Each page's text without its running header and footer, normalised."""
        pages = [[] for _ in self.sizes]
        for box in self.boxes:
            if box.mcid >= 0:
                pages[box.page].append(box.text)
        return [normalise(" ".join(page)) for page in pages]


def read_text(pdf: bytes) -> PdfText:
    """One PDFium pass over every text object: its text, where it is, and its MCID."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as raw

    sizes: list[tuple[float, float]] = []
    boxes: list[TextBox] = []
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index, page in enumerate(document):
            sizes.append(page.get_size())
            textpage = page.get_textpage()
            for obj in page.get_objects():
                if obj.type != raw.FPDF_PAGEOBJ_TEXT:
                    continue
                size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                buffer = (ctypes.c_ushort * (size // 2))()
                raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
                # PDFium reads a hyphen that ends a line as U+0002.
                text = bytes(buffer).decode("utf-16-le", "replace").replace("\x02", "-")
                text = _CONTROL.sub("", text)  # never let one reach a message
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                boxes.append(TextBox(index, mcid, *obj.get_bounds(), text))
            textpage.close()
            page.close()
    finally:
        document.close()
    return PdfText(sizes, boxes)


def verify_pdf(leaflet: Leaflet, pdf: bytes, file: Path, brand_name: str = "") -> tuple[int, list[Problem]]:
    """The page count, and problems with a built PDF: missing headings, a misplaced
    boxed warning, or PDF/UA-1 structure that a checker would reject.

    ``brand_name`` is printed in the running footer of every page."""
    import pikepdf

    from .tagging import walk

    t = catalogue(leaflet.language)
    text = read_text(pdf)
    # Squeezed, so a long word wrapped in the middle still matches, and
    # without the running header and footer, so text that continues onto
    # the next page reads on unbroken.
    pages = [squeeze(page) for page in text.tagged_pages()]
    whole = "".join(pages)
    problems = []

    def missing(message: str) -> None:
        problems.append(Problem(file, None, (), f"the built PDF {message}"))

    for section in required_sections():
        if not applies(section, leaflet):
            continue
        heading = t(section.heading, medicine=leaflet.medicine.name)
        if squeeze(heading) not in whole:
            missing(f"has no '{heading}' heading for required section {section.path}")
        if section.print:
            for paragraph in paragraphs(lookup(leaflet, section.print)):
                if squeeze(paragraph) not in whole:
                    missing(f"does not print {section.print}: '{paragraph[:60]}'")

    outside = overflows(text, SIDE_MARGIN_MM / PT_TO_MM)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        tree = doc.Root.get("/StructTreeRoot")
        elements = list(walk(tree)) if tree is not None else []
        for problem in _structure_problems(leaflet, doc, elements):
            missing(problem)
        headings, under = _outline(doc, text.marked())
        headless = headless_tables(doc, elements)
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


HEADING = re.compile(r"^/H([1-6])$")


def structure_problems(leaflet: Leaflet, pdf: bytes) -> list[str]:
    """What a PDF/UA-1 checker would object to, for the points we can check by machine."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return _structure_problems(leaflet, doc)


def heading_order(pdf: bytes) -> list[tuple[int, str]]:
    """The headings in the structure tree's reading order: [(level, text)]."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return _outline(doc, read_text(pdf).marked())[0]


def _structure_problems(leaflet: Leaflet, doc, elements: list | None = None) -> list[str]:
    """``structure_problems`` on an open pikepdf document; ``elements`` is
    ``walk`` of its structure tree, if the caller has it already."""
    import pikepdf

    from .tagging import walk

    problems = []
    root = doc.Root
    tree = root.get("/StructTreeRoot")
    if tree is None:
        return ["has no structure tree (it is not a tagged PDF)"]
    if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
        problems.append("is not marked as tagged (/MarkInfo /Marked)")
    if str(root.get("/Lang", "")) != leaflet.language:
        problems.append(f"has language {root.get('/Lang')!s}, not {leaflet.language}")
    if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
        problems.append("does not show its title in the window bar (DisplayDocTitle)")
    with doc.open_metadata() as xmp:
        if xmp.get("dc:title") != leaflet.title:
            problems.append(f"has XMP title {xmp.get('dc:title')!r}, not {leaflet.title!r}")
        if str(xmp.get("pdfuaid:part")) != "1":
            problems.append("does not declare PDF/UA-1 (pdfuaid:part)")

    elements = list(walk(tree)) if elements is None else elements
    reachable = {e.objgen for e in elements}
    id_tree = tree.get("/IDTree")
    ids = set()
    if id_tree is not None:
        names = id_tree.get("/Names", [])
        ids = {bytes(names[i]) for i in range(0, len(names), 2)}
    levels = []
    for element in elements:
        kind = str(element.S)
        if kind == "/Figure" and not str(element.get("/Alt", "")).strip():
            problems.append("has a figure (image or icon) with no alternative text (/Alt)")
        if kind == "/TH" and "/Scope" not in element.get("/A", {}):
            problems.append("has a table header cell with no /Scope")
        if kind == "/TD":
            for header in element.get("/A", {}).get("/Headers", []):
                if bytes(header) not in ids:
                    problems.append("has table cells whose /Headers are not in the /IDTree")
        if match := HEADING.match(kind):
            levels.append(int(match[1]))
    if levels and levels[0] != 1:
        problems.append(f"starts with a level {levels[0]} heading, not level 1")
    for before, after in zip(levels, levels[1:]):
        if after > before + 1:
            problems.append(f"skips a heading level: h{before} is followed by h{after}")
            break

    parent_tree = pikepdf.NumberTree(tree.ParentTree)
    untagged = []
    for number, page in enumerate(doc.pages, start=1):
        key = page.obj.get("/StructParents")
        if key is not None and int(key) in parent_tree and any(
            isinstance(e, pikepdf.Dictionary) and e.objgen not in reachable for e in parent_tree[int(key)]
        ):
            untagged.append(str(number))
    if untagged:
        # Running headers and footers must be artifacts (PDF/UA-1, Matterhorn 01-005).
        problems.append(f"has content that is neither tagged nor an artifact on page(s) {', '.join(untagged)}")

    for page in doc.pages:
        for font in (page.obj.get("/Resources", {}).get("/Font", {}) or {}).values():
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor", {})
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                problems.append(f"does not embed font {font.get('/BaseFont')}")
            if "/ToUnicode" not in font:
                problems.append(f"has no Unicode map for font {font.get('/BaseFont')}")
    return sorted(set(problems), key=problems.index)


def _outline(doc, texts: dict[tuple[int, int], str]) -> tuple[list[tuple[int, str]], dict[tuple[int, int], int | None]]:
    """The headings in the structure tree's reading order, [(level, text)], and
    under which of them each piece of marked content comes: {(page, MCID): index}."""
    import pikepdf

    pages = {page.obj.objgen: index for index, page in enumerate(doc.pages)}
    headings: list[tuple[int, str]] = []
    under: dict[tuple[int, int], int | None] = {}
    current: int | None = None

    def visit(element, page=None) -> str:
        nonlocal current
        page = pages.get(element.Pg.objgen, page) if "/Pg" in element else page
        if match := HEADING.match(str(element.S)):
            headings.append((int(match[1]), ""))
            current = own = len(headings) - 1
        out = []
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                key = (page, int(kid))
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                key = (pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page, int(kid.MCID))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append(visit(kid, page))
                continue
            else:
                continue
            under[key] = current
            out.append(texts.get(key, ""))
        text = "".join(out)
        if match:
            headings[own] = (headings[own][0], " ".join(text.split()))
        return text

    root = doc.Root.StructTreeRoot
    kids = root.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            visit(kid)
    return headings, under
