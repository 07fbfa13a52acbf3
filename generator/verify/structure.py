"""The PDF/UA-1 structure of a built PDF: what a checker such as PAC or
veraPDF would object to, for the points a machine can check, and the
headings in reading order."""

from __future__ import annotations

import re

from generator.content.model import Leaflet

HEADING = re.compile(r"^/H([1-6])$")


def structure_problems(leaflet: Leaflet, doc, elements: list | None = None) -> list[str]:
    """What a PDF/UA-1 checker would object to in an open pikepdf document, for
    the points a machine can check. ``elements`` is ``walk`` of its structure
    tree, if the caller has it already.

    pikepdf is imported only when a PDF is checked, never by ``leaflet check``."""
    import pikepdf

    from generator.render.tagging import walk

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
    # Read only, not "with": leaving that block writes the metadata back,
    # which costs ten times the reading.
    xmp = doc.open_metadata()
    if xmp.get("dc:title") != leaflet.title:
        problems.append(f"has XMP title {xmp.get('dc:title')!r}, not {leaflet.title!r}")
    if str(xmp.get("pdfuaid:part")) != "1":
        problems.append("does not declare PDF/UA-1 (pdfuaid:part)")

    elements = walk(tree) if elements is None else elements
    reachable = {e.objgen for e in elements}
    id_tree = tree.get("/IDTree")
    ids = set()
    if id_tree is not None:
        names = id_tree.get("/Names", [])
        ids = {bytes(names[i]) for i in range(0, len(names), 2)}
    levels = []
    for element in elements:
        kind = str(element.get("/S"))  # get(): attribute access costs twice as much
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


def outline(doc, texts: dict[tuple[int, int], str]) -> tuple[list[tuple[int, str]], dict[tuple[int, int], int | None]]:
    """The headings in the structure tree's reading order, [(level, text)], and
    under which of them each piece of marked content comes: {(page, MCID): index}."""
    import pikepdf

    pages = {page.obj.objgen: index for index, page in enumerate(doc.pages)}
    headings: list[tuple[int, str]] = []
    under: dict[tuple[int, int], int | None] = {}
    current: int | None = None

    def visit(element, page=None) -> str:
        nonlocal current
        # Each pikepdf look-up costs more than the Python around it: one get() each.
        on = element.get("/Pg")
        page = pages.get(on.objgen, page) if on is not None else page
        if match := HEADING.match(str(element.get("/S"))):
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
