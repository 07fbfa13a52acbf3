"""Reading a built PDF back, the way the tests judge it."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pikepdf
from pypdf import PdfReader

from generator.verify import structure as verify_structure
from generator.verify.text import normalise, read_text


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, normalised: read by pypdf, a reader apart from the
    build's own; right-to-left pages, which pypdf reads in drawing order,
    by the build's reader, which puts them in reading order."""
    text = read_text(Path(pdf).read_bytes())
    if text.right_to_left:
        return text.pages()
    return [normalise(page.extract_text() or "") for page in PdfReader(pdf).pages]


def text_sizes(pdf: Path) -> Counter:
    """How many characters are printed at each font size (pt, rounded to 0.1)."""
    sizes: Counter = Counter()
    for page in PdfReader(pdf).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                # The size on paper is the font size scaled by the text and current matrices.
                scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
                sizes[round(size * scale, 1)] += len(text.strip())

        page.extract_text(visitor_text=visit)
    return sizes


def fonts(pdf: Path) -> list[tuple[str, bool, bool]]:
    """Each font used: (name, embedded, has a Unicode map)."""
    found = {}
    for page in PdfReader(pdf).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font.get("/BaseFont"))] = (embedded, "/ToUnicode" in font)
    return [(name, *flags) for name, flags in sorted(found.items())]


def base_font_name(name: str) -> str:
    """``/ABCDEF+AtkinsonHyperlegibleNext-Regular`` -> ``AtkinsonHyperlegibleNext-Regular``."""
    return re.sub(r"^/?[A-Z]{6}\+", "", name.lstrip("/"))


def structure_problems(leaflet, pdf: bytes) -> list[str]:
    """What a PDF/UA-1 checker would object to in a built PDF (see verify.structure)."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return verify_structure.structure_problems(leaflet, doc)


def heading_order(pdf: bytes) -> list[tuple[int, str]]:
    """The headings in the structure tree's reading order: [(level, text)]."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return verify_structure.outline(doc, read_text(pdf).marked())[0]
