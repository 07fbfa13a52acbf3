"""Read a built PDF back and prove that what a patient must see is there.

Runs on every build, before the file is written: a template (or, later, a
brand's template) that drops a required section, or breaks the PDF/UA-1
tagging, makes the build fail.
"""

from __future__ import annotations

import io
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


def read_text(pdf: bytes) -> tuple[list[str], dict[tuple[int, int], str]]:
    """One PDFium pass: the text of each page in reading order, and the text of
    each marked-content sequence, {(page index, MCID): text}."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as raw

    pages: list[str] = []
    marked: dict[tuple[int, int], str] = {}
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index, page in enumerate(document):
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            for obj in page.get_objects():
                if obj.type != raw.FPDF_PAGEOBJ_TEXT:
                    continue
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
                buffer = (ctypes.c_ushort * (size // 2))()
                raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
                text = bytes(buffer).decode("utf-16-le").rstrip("\x00")
                marked[(index, mcid)] = marked.get((index, mcid), "") + " " + text
            textpage.close()
            page.close()
    finally:
        document.close()
    return pages, marked


def _page_label(t) -> str:
    """A regex for "page 3 of 12" in the leaflet's language."""
    label = re.escape(normalise(t("page_label")))
    return label.replace(r"\{page\}", r"\d+").replace(r"\{pages\}", r"\d+")


def verify_pdf(leaflet: Leaflet, pdf: bytes, file: Path, brand_name: str = "") -> tuple[int, list[Problem]]:
    """The page count, and problems with a built PDF: missing headings, a misplaced
    boxed warning, or PDF/UA-1 structure that a checker would reject.

    ``brand_name`` is printed in the running footer of every page."""
    import pikepdf

    t = catalogue(leaflet.language)
    texts, marked = read_text(pdf)
    pages = [normalise(text) for text in texts]
    # Without the running header and footer, text that continues onto the
    # next page reads on unbroken.
    running = [re.escape(normalise(leaflet.title)), _page_label(t)]
    running += [re.escape(normalise(t("last_reviewed", date=t.month_year(leaflet.review.last_reviewed))))]
    if brand_name:
        running.append(re.escape(normalise(brand_name)))
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

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for problem in _structure_problems(leaflet, doc):
            missing(problem)
        headings = [normalise(text) for _, text in _heading_order(doc, marked)]
    if leaflet.boxed_warning and (len(headings) < 2 or normalise(t("boxed_warning")) not in headings[1]):
        missing("does not give the boxed warning first in its reading order (structure tree)")

    if leaflet.boxed_warning:
        first_page = pages[0] if pages else ""
        box = normalise(t("boxed_warning"))
        facts = normalise(t("key_facts"))
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
        return _heading_order(doc, read_text(pdf)[1])


def _structure_problems(leaflet: Leaflet, doc) -> list[str]:
    """``structure_problems`` on an open pikepdf document."""
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

    elements = list(walk(tree))
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


def _heading_order(doc, texts: dict[tuple[int, int], str]) -> list[tuple[int, str]]:
    """``heading_order`` on an open pikepdf document, given ``read_text``'s marked text."""
    import pikepdf

    from .tagging import walk

    pages = {page.obj.objgen: index for index, page in enumerate(doc.pages)}

    def content(element, page=None) -> str:
        page = pages.get(element.Pg.objgen, page) if "/Pg" in element else page
        kids = element.get("/K")
        out = []
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                out.append(texts.get((page, int(kid)), ""))
            elif isinstance(kid, pikepdf.Dictionary) and "/MCID" in kid:
                kid_page = pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page
                out.append(texts.get((kid_page, int(kid.MCID)), ""))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append(content(kid, page))
        return "".join(out)

    return [
        (int(match[1]), " ".join(content(element).split()))
        for element in walk(doc.Root.StructTreeRoot)
        if (match := HEADING.match(str(element.S)))
    ]
