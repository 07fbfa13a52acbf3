"""What the layout cut off: text outside the page's text area, and table headings left out.

A 200-character word, a long web address, a table cell too big for a page
or a title too long for the running header can run off the paper or into
the margins, where a printer cuts it off; and WeasyPrint leaves out a
table's column headings on a page where a row is too tall to fit with them.
It does both without complaint, so every build measures where each run of
text ended up (``verify.text.read_text`` collects the boxes in its one PDFium
pass) and looks at each table in the structure tree, and makes what it
finds an error, rather than print a leaflet with part of it missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.render.geometry import PT_TO_MM
from generator.verify.structure import HEADING

if TYPE_CHECKING:
    from generator.verify.text import PdfText, TextBox

# Nearer the paper's edge than this (5 mm), printers may not print at all.
EDGE_PT = 14
# A glyph's ink may reach a little past the line it sits on (the hook of a
# "j" at the start of a line): about 1 mm is allowed.
TOLERANCE_PT = 3
OVERHANG = 0.15  # of a run's height


def overflows(text: PdfText, side_margin_pt: float) -> list[tuple[TextBox, str]]:
    """Each run of text outside the text area, with where it went.

    Body text must stay between the side margins and clear of the running
    header and footer; those must stay between the side margins too, and
    every run of text must stay on the paper, clear of its edge.
    """
    running: dict[int, list[TextBox]] = {}
    for box in text.boxes:
        if box.mcid < 0:
            running.setdefault(box.page, []).append(box)
    found = []
    for box in text.boxes:
        width, height = text.sizes[box.page]
        where = None
        # A glyph may reach past its own width by a little of its size (the
        # top of an Arabic kaf that starts a line, say), so big type may more.
        tolerance = max(TOLERANCE_PT, OVERHANG * (box.top - box.bottom))
        if box.right > width - side_margin_pt + tolerance:
            where = f"runs {_mm(box.right - width + side_margin_pt)} mm past the right edge of the text"
        elif box.left < side_margin_pt - tolerance:
            where = f"starts {_mm(side_margin_pt - box.left)} mm left of the text"
        elif box.top > height - EDGE_PT:
            where = "runs off the top of the page"
        elif box.bottom < EDGE_PT:
            where = "runs off the bottom of the page"
        elif box.mcid >= 0:
            hit = next((other for other in running.get(box.page, ()) if _overlap(box, other)), None)
            if hit is not None:
                where = f"runs into the page {'header' if hit.bottom > height / 2 else 'footer'}"
        if where:
            found.append((box, where))
    return found


def overflow_message(box: TextBox, where: str, heading: str, height: float) -> str:
    """What to tell the author about one run of text outside the text area."""
    shown = _shown(box.text)
    if box.mcid >= 0:
        place = f"under the heading '{heading}'" if heading else "at the top of the leaflet"
        advice = "break up the long word or web address, or shorten the text"
    elif box.bottom > height / 2:
        place, advice = "in the page header", "shorten the title"
    else:
        place, advice = "in the page footer", "shorten the brand's name"
    return (
        f"the built PDF has text outside the page's text area on page {box.page + 1}, {place}: "
        f"'{shown}' {where}; {advice}"
    )


def _overlap(a: TextBox, b: TextBox) -> bool:
    slack = 1  # points: lines that only touch do not collide
    return a.left + slack < b.right and b.left + slack < a.right and a.bottom + slack < b.top and b.bottom + slack < a.top


def _mm(points: float) -> str:
    return f"{max(points * PT_TO_MM, 1):.0f}"


def headless_tables(doc, elements: list) -> list[int]:
    """Pages (from 0) with a part of a table whose columns have lost their headings.

    Each page's part of a table is its own /Table in the structure tree. A
    part whose rows have several data cells needs the column headings
    (/THead) to say which column is which; the tables by feature have one data
    cell a row, labelled by the row heading, and need none. ``elements`` is
    every element of the structure tree (``tagging.walk``).
    """
    found = []
    for page, groups in _tables(doc, elements):
        rows = _rows(groups, ("/THead", "/TBody", "/TFoot"))
        columns = any(sum(str(cell.S) == "/TD" for cell in _kids(row)) > 1 for row in rows)
        if columns and not any(str(group.S) == "/THead" for group in groups):
            found.append(page)
    return found


def _tables(doc, elements: list):
    """Each page's part of each table, in order: (its page from 0, the elements directly inside it)."""
    pages = {page.obj.objgen: index for index, page in enumerate(doc.pages)}
    for table in elements:
        # get(): attribute access costs twice as much, for every element.
        if table.get("/S") == "/Table":
            on = table.get("/Pg")
            yield pages.get(on.objgen, 0) if on is not None else 0, _kids(table)


def _kids(element) -> list:
    """The structure elements directly inside ``element``."""
    import pikepdf

    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def break_problems(doc, elements: list, text: PdfText, box_titles: set[str], continued: str) -> list[str]:
    """Where the page breaks strand the reader, page by page: a page that
    holds only a heading, a heading at the foot of a page, a warning box that
    goes on over a page without repeating its title, a table that leaves one
    row alone on a page, and a running header, footer or page number that
    wraps.

    ``box_titles`` are the headings of warning boxes and ``continued`` the
    word after a repeated title, both normalised (``text.normalise``).
    ``elements`` is every element of the structure tree (``tagging.walk``).
    """
    owner = _marked_elements(doc)
    known: dict = {}  # the lineage of each element (``_lineage``)
    said: dict[tuple, list[str]] = {}
    for key, words in text.marked().items():
        for node, _ in _lineage(owner.get(key), known):
            said.setdefault(node, []).append(words)
    # Each element's text, with that of the elements inside it.
    texts = {node: "".join(" " + words for words in all_words) for node, all_words in said.items()}
    found = []
    last = len(text.sizes) - 1
    # The running lines repeat on every page: each fault is told once, at its first page.
    wrapped: dict[str, int] = {}
    on_page: dict[int, list[TextBox]] = {}
    for box in text.boxes:
        if box.text.strip():
            on_page.setdefault(box.page, []).append(box)
    in_heading: dict[tuple[int, int], bool] = {}

    def heading(box: TextBox) -> bool:
        # Remembered: the runs of one line or paragraph share their marked content.
        key = (box.page, box.mcid)
        if key not in in_heading:
            in_heading[key] = _in_heading(_lineage(owner.get(key), known))
        return in_heading[key]

    for page, (width, height) in enumerate(text.sizes):
        number = page + 1
        running = [box for box in on_page.get(page, ()) if box.mcid < 0]
        header = [box for box in running if box.bottom > height / 2]
        footer = [box for box in running if box.bottom < height / 2]
        if _lines(header) > 1 or any(_overlap(a, b) for a in header for b in header if a is not b and a.text != b.text):
            wrapped.setdefault("the running header takes more than one line; give the leaflet a shorter short_title", number)
        # The brand and date sit at the start of the line; "Page X of Y", at its end, never wraps.
        if page in text.right_to_left:
            start = [box for box in footer if box.right > width / 2]
        else:
            start = [box for box in footer if box.left < width / 2]
        if _lines(start) > 1:
            wrapped.setdefault("the footer takes more than one line", number)
        if _lines([box for box in footer if box.left > width / 2]) > 1:
            wrapped.setdefault("'Page X of Y' wraps onto a second line", number)
        body = sorted((box for box in on_page.get(page, ()) if box.mcid >= 0), key=lambda box: (-box.top, box.left))
        if not body:
            continue
        if all(heading(box) for box in body):
            found.append(f"page {number} holds only a heading ('{_shown(body[0].text)}')")
        elif heading(body[-1]) and page != last:
            found.append(f"page {number} ends with the heading '{_shown(body[-1].text)}', away from its text")
    found += [f"page {number}: {fault}" for fault, number in wrapped.items()]
    for page in _untitled_continuations(doc, texts, box_titles, continued):
        found.append(f"page {page + 1} goes on with a warning box without repeating its title and '{continued}'")
    parts = _table_parts(doc, elements)
    for index, (page, rows, starts) in enumerate(parts):
        # A table's parts on later pages have no caption of their own.
        split = not starts or (index + 1 < len(parts) and not parts[index + 1][2])
        if split and rows <= 1:
            found.append(f"page {page + 1} holds {'a single row' if rows else 'only the caption or header row'} of a table, apart from the rest")
    return found


def _untitled_continuations(doc, texts: dict, box_titles: set[str], continued: str) -> list[int]:
    """Pages (from 0) that go on with a warning box from the page before
    without its title and "(continued)" first.

    WeasyPrint tags each page as a /Part; a section that goes on over a page
    is a new /Sect there, without a heading. So the sections open at the end
    of one page are matched with those that open the next, level by level.
    """
    from generator.verify.text import normalise

    tree = doc.Root.get("/StructTreeRoot")
    document = _first(_kids(tree)) if tree is not None else None
    parts = [kid for kid in _kids(document) if str(kid.S) == "/Part"] if document is not None else []
    found = []
    open_before: list[str] = []  # the headings of the sections open at the end of the page before
    for page, part in enumerate(parts):
        node, depth, going_on = part, 0, []
        while depth < len(open_before):
            node = _first(_kids(node))
            if node is None or str(node.S) != "/Sect":
                break
            first = _first(_kids(node))
            if first is None or HEADING.match(str(first.S)):
                break
            going_on.append(open_before[depth])
            depth += 1
            if open_before[depth - 1] in box_titles:
                said = normalise(texts.get(first.objgen, ""))
                if not said.startswith(f"{open_before[depth - 1]} {continued}"):
                    found.append(page)
        open_now: list[str] = []
        node = part
        while True:
            kids = _kids(node)
            node = kids[-1] if kids else None
            if node is None or str(node.S) != "/Sect":
                break
            first = _first(_kids(node))
            if first is not None and HEADING.match(str(first.S)):
                open_now.append(normalise(texts.get(first.objgen, "")))
            elif len(open_now) < len(going_on):
                open_now.append(going_on[len(open_now)])
            else:
                open_now.append("")
        open_before = open_now
    return found


def _first(elements: list):
    return elements[0] if elements else None


def _marked_elements(doc) -> dict:
    """The structure element that holds each piece of marked content: {(page, MCID): element}."""
    import pikepdf

    tree = doc.Root.get("/StructTreeRoot")
    if tree is None or "/ParentTree" not in tree:
        return {}
    parents = pikepdf.NumberTree(tree.ParentTree)
    found = {}
    for index, page in enumerate(doc.pages):
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in parents:
            continue
        for mcid, element in enumerate(parents[int(key)]):
            if isinstance(element, pikepdf.Dictionary):
                found[(index, mcid)] = element
    return found


def _lineage(element, known: dict) -> tuple:
    """``element`` and the structure elements it is inside, innermost first,
    as (objgen, kind). ``known`` keeps the lineages found, keyed by objgen:
    the elements of a page share most of theirs, so each ``/P`` is followed
    once rather than once for every piece of marked content under it."""
    import pikepdf

    chain = []
    node, rest = element, ()
    while isinstance(node, pikepdf.Dictionary):
        objgen = node.objgen
        if objgen in known:
            rest = known[objgen]
            break
        kind = node.get("/S")
        if kind is None:  # the structure tree's root
            break
        chain.append((objgen, str(kind)))
        node = node.get("/P")
    lineage = tuple(chain) + rest
    for index, (objgen, _) in enumerate(chain):
        if objgen != (0, 0):  # a direct object has no objgen of its own
            known[objgen] = lineage[index:]
    return lineage


def _in_heading(lineage: tuple) -> bool:
    return any(HEADING.match(kind) for _, kind in lineage)


def _lines(boxes: list[TextBox]) -> int:
    """How many lines ``boxes`` make, by where their middles sit: runs of
    one line differ in depth (an Arabic word reaches lower than a colon)."""
    lines: list[float] = []
    for box in sorted(boxes, key=lambda box: box.bottom + box.top):
        middle = (box.bottom + box.top) / 2
        if not lines or middle - lines[-1] > (box.top - box.bottom) / 2:
            lines.append(middle)
    return len(lines)


def _shown(text: str) -> str:
    shown = " ".join(text.split())
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _table_parts(doc, elements: list) -> list[tuple[int, int, bool]]:
    """Each page's part of each table, in order: (page from 0, how many data
    rows it has, whether it is a table's first part)."""
    return [
        (page, len(_rows(groups, ("/TBody", "/TFoot"))), any(str(group.S) == "/Caption" for group in groups))
        for page, groups in _tables(doc, elements)
    ]


def _rows(groups: list, sections: tuple[str, ...]) -> list:
    """The rows of a table, from its kids: rows of its own, and those in the named row groups."""
    return [
        row
        for group in groups
        if str(group.S) == "/TR" or str(group.S) in sections
        for row in ([group] if str(group.S) == "/TR" else _kids(group))
    ]
