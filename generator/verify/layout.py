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

if TYPE_CHECKING:
    from generator.verify.text import PdfText, TextBox

# Nearer the paper's edge than this (5 mm), printers may not print at all.
EDGE_PT = 14
# A glyph's ink may reach a little past the line it sits on (the hook of a
# "j" at the start of a line): about 1 mm is allowed.
TOLERANCE_PT = 3


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
        if box.right > width - side_margin_pt + TOLERANCE_PT:
            where = f"runs {_mm(box.right - width + side_margin_pt)} mm past the right edge of the text"
        elif box.left < side_margin_pt - TOLERANCE_PT:
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
    shown = " ".join(box.text.split())
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
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
    (/THead) to say which column is which; the stacked tables have one data
    cell a row, labelled by the row heading, and need none. ``elements`` is
    every element of the structure tree (``tagging.walk``).
    """
    pages = {page.obj.objgen: index for index, page in enumerate(doc.pages)}
    found = []
    for table in elements:
        if table.S != "/Table":
            continue
        groups = _kids(table)
        rows = [row for group in groups for row in ([group] if str(group.S) == "/TR" else _kids(group))]
        columns = any(sum(str(cell.S) == "/TD" for cell in _kids(row)) > 1 for row in rows)
        if columns and not any(str(group.S) == "/THead" for group in groups):
            found.append(pages.get(table.Pg.objgen, 0) if "/Pg" in table else 0)
    return found


def _kids(element) -> list:
    """The structure elements directly inside ``element``."""
    import pikepdf

    kids = element.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    return [kid for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]
