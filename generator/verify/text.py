"""The text of a built PDF, read back in one PDFium pass: what each run of
text says, where it sits on its page, and which structure element it belongs to."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


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
