"""The text of a built PDF, read back in one PDFium pass: what each run of
text says, where it sits on its page, and which structure element it belongs to."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


def squeeze(text: str) -> str:
    """``normalise`` without spaces or hyphens, for finding printed text: a
    word the layout wrapped, in the middle or at a hyphen, reads whole."""
    return re.sub(r"[\s\-\u2010\u2011]+", "", normalise(text))


def normalise(text: str) -> str:
    """Fold ligatures, quotes and line breaks, so printed text compares with
    YAML text. Arabic vowel marks are left out: a reader places them as
    runs of their own, away from their letter."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\ufffe", "").replace("\u00ad", "")
    text = _ARABIC_MARKS.sub("", _BIDI_CONTROLS.sub("", text))
    return re.sub(r"\s+", " ", text).strip().casefold()


_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")
# Invisible: the marks and isolates that set a phone number apart in Arabic.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


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

    # Pages with right-to-left text: each run of one MCID's text, in reading order.
    right_to_left: dict[int, list[tuple[int, str]]] = field(default_factory=dict)

    def _runs(self) -> list[tuple[int, int, str]]:
        """(page, MCID, text) in reading order."""
        runs = []
        for box in self.boxes:
            if box.page in self.right_to_left:
                continue
            runs.append((box.page, box.mcid, box.text))
        for page, page_runs in self.right_to_left.items():
            runs += [(page, mcid, text) for mcid, text in page_runs]
        return runs

    def marked(self) -> dict[tuple[int, int], str]:
        """The text of each marked-content sequence: {(page index, MCID): text}."""
        found: dict[tuple[int, int], str] = {}
        for page, mcid, text in self._runs():
            found[(page, mcid)] = found.get((page, mcid), "") + " " + text
        return found

    def tagged_pages(self) -> list[str]:
        """Each page's text without its running header and footer, normalised."""
        return self.pages(tagged_only=True)

    def pages(self, tagged_only: bool = False) -> list[str]:
        """Each page's text in reading order, normalised."""
        pages = [[] for _ in self.sizes]
        for page, mcid, text in self._runs():
            if mcid >= 0 or not tagged_only:
                pages[page].append(text)
        return [normalise(" ".join(page)) for page in pages]


def read_text(pdf: bytes) -> PdfText:
    """One PDFium pass over every text object: its text, where it is, and its MCID."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as raw

    sizes: list[tuple[float, float]] = []
    boxes: list[TextBox] = []
    right_to_left: dict[int, list[tuple[int, str]]] = {}
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index, page in enumerate(document):
            sizes.append(page.get_size())
            textpage = page.get_textpage()
            rtl = False
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
                rtl = rtl or _has_right_to_left(text)
            if rtl:
                right_to_left[index] = _reading_order(textpage)
            textpage.close()
            page.close()
    finally:
        document.close()
    return PdfText(sizes, boxes, right_to_left)


def _has_right_to_left(text: str) -> bool:
    # No character before the Hebrew block (U+0590) is right to left. Most
    # runs have none past it, and max() finds that without a look-up per character.
    if not text or max(text) < "\u0590":
        return False
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def _reading_order(textpage) -> list[tuple[int, str]]:
    """A page's text with right-to-left lines, in reading order: (MCID, text) runs.

    PDFium's own reading order slips on right-to-left lines (a run after a
    full stop moves, the letters of one ligature such as لا come reversed).
    So each line is put back together from its characters: right to left by
    where each is drawn, the letters of one glyph in their own order, and
    each left-to-right run (Klonopin, 999, www.nhs.uk) from the left.
    Brackets are put back as pairs (see ``_pair_brackets``).
    """
    import ctypes

    import pypdfium2.raw as raw

    lines: dict[tuple[int, float], list] = {}  # (MCID, baseline): [character, x, its box], in order of drawing
    handle = textpage.raw
    # Made once for the page, not per character: PDFium fills them for every
    # index below its count, and a page has thousands of characters.
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()
    for index in range(raw.FPDFText_CountChars(handle)):
        obj = raw.FPDFText_GetTextObject(handle, index)
        if not obj:  # a space or line break PDFium adds
            continue
        raw.FPDFText_GetCharOrigin(handle, index, x, y)
        raw.FPDFText_GetCharBox(handle, index, left, right, bottom, top)
        key = (raw.FPDFPageObj_GetMarkedContentID(obj), round(y.value))
        box = (round(left.value, 1), round(right.value, 1), round(bottom.value, 1), round(top.value, 1))
        char = chr(raw.FPDFText_GetUnicode(handle, index))
        if char == " " and box[0] == box[1]:
            continue  # a space PDFium adds where a kerned glyph leaves a gap (after ز), not one drawn
        lines.setdefault(key, []).append((char, x.value, box))
    runs: list[tuple[int, str]] = []
    # Marked content is numbered in the order it is drawn, which is the
    # leaflet's order; each sequence's lines from the top; running lines last.
    for (mcid, _), chars in sorted(lines.items(), key=lambda line: (line[0][0] < 0, line[0][0], -line[0][1])):
        text = _line_text(chars)
        text = _CONTROL.sub("", text.replace("\x02", "-"))
        if runs and runs[-1][0] == mcid:
            runs[-1] = (mcid, f"{runs[-1][1]} {text}")
        else:
            runs.append((mcid, text))
    return _pair_brackets(runs)


def _pair_brackets(runs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Each bracket as the opening or closing one, by turns, in reading order.

    The PDF maps a bracket glyph to the bracket it shows; right-to-left text
    draws "(" with the glyph of ")", and PDFium mirrors some of those back,
    not all. So which of the two a bracket is cannot be read from the glyph,
    only from its place: leaflet text does not nest brackets.
    """
    open_ = {pair: False for pair in _BRACKETS}
    paired = []
    for mcid, text in runs:
        chars = list(text)
        for index, char in enumerate(chars):
            pair = _BRACKET_PAIR.get(char)
            if pair:
                chars[index] = pair[open_[pair]]
                open_[pair] = not open_[pair]
        paired.append((mcid, "".join(chars)))
    return paired


_BRACKETS = ("()", "[]", "{}")
_BRACKET_PAIR = {char: pair for pair in _BRACKETS for char in pair}


def _line_text(chars: list) -> str:
    """One line's text in reading order, from its characters in drawing order."""
    kinds = [unicodedata.bidirectional(c[0]) for c in chars]
    if not any(kind in ("R", "AL") for kind in kinds):  # set left to right: a phone number, an English title
        return "".join(c[0] for c in sorted(chars, key=lambda c: c[1]))
    chars = sorted(chars, key=lambda c: -c[1])
    # The letters of one glyph share its box; PDFium gives them reversed.
    start = 0
    while start < len(chars):
        end = start + 1
        while end < len(chars) and chars[end][2] == chars[start][2] and chars[end][0].strip():
            end += 1
        chars[start:end] = chars[start:end][::-1]
        start = end
    # A left-to-right run: from its first strong letter or digit to its last, from the left.
    kinds = [unicodedata.bidirectional(c[0]) for c in chars]
    out, index = [], 0
    while index < len(chars):
        if kinds[index] not in ("L", "EN"):
            out.append(chars[index][0])
            index += 1
            continue
        last = end = index
        while end < len(chars) and kinds[end] not in ("R", "AL"):
            if kinds[end] in ("L", "EN"):
                last = end
            end += 1
        out += [c[0] for c in sorted(chars[index : last + 1], key=lambda c: c[1])]
        index = last + 1
    return "".join(out)

