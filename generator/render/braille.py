"""The Braille edition: the plain text edition (``text.py``) in braille,
laid out in pages for an embosser, as BRF and as PEF.

UK law (Human Medicines Regulations 2012, reg. 259) wants leaflets in
formats for blind and partially sighted people; braille is one of them.

**Translation is liblouis's**, never a table of our own: its ``lou_translate``
command, run with a list of arguments (no shell) and a timeout, forward for
translation and ``--backward`` for back-translation. The tool's Python is
not Debian's, so Debian's binding (python3-louis) cannot be imported into it;
the command is the same library with the same tables. Debian packages
``liblouis-bin`` (the command) and ``liblouis-data`` (the tables);
``scripts/install-braille-tools.sh`` installs them. Every text is sent
through the display table ``unicode.dis``, so liblouis answers in Unicode
braille (U+2800-U+283F; a blank cell is U+2800): the layout works on cells,
never on letters. BRF is made from those cells with liblouis's own
North American ASCII Braille display table (``en-us-brf.dis``, read once
through ``braille-patterns.cti``, which defines each Unicode cell).

**Tables** (``TABLES``, by language; the caller may pass another with
``table=``): English in Unified English Braille grade 2, Spanish in Spanish
uncontracted braille, Arabic in Unified Arabic Braille grade 1. See
``TABLES`` for why.

**Layout**, following UKAAF (UK Association for Accessible Formats) and
BANA (Braille Authority of North America, *Braille Formats: Principles of
Print-to-Braille Transcription*, 2016) practice as we know it. The
documents were not at hand while this was written: each rule names where it
comes from, and the ones marked "(to confirm)" should be checked against the
current guidance by a braille transcriber before the edition is relied on.

- A page is 40 cells by 25 lines (``COLS``, ``ROWS``): standard 11 x 11.5
  inch braille paper, in the UK and North America alike.
- Line 1 of every page is the running line. The braille page number is at
  its right margin, in braille digits with the number sign (UK practice:
  page numbers at the top right; BANA puts the braille page number at the
  bottom right instead, so the UK rule wins here). From page 2 on, the
  running head (the leaflet's short title) is centred on it, with at least 3
  blank cells before the page number (BANA running heads); a title too long
  for that is left out, never cut short. Page 1 has no running head: its
  title follows.
- Level 1 and 2 headings are centred, with a blank line before and after,
  and at least 3 blank cells each side of every heading line (BANA centred
  headings). Level 3 headings start at the margin, runovers at the margin,
  with a blank line before and after (UK "side headings"; the blank line
  after marks where a heading of several lines ends, since list items start
  at the margin too) (to confirm). A blank line is never the first or the
  last line of a page (BANA). A heading is never the last thing on a page:
  it goes to the next one with the first line of what follows (BANA).
- Paragraphs are 3-1: first line in cell 3, runovers at the margin, no
  blank line between paragraphs (BANA; UK indented paragraphs). So a blank
  line always means a heading.
- List items are 1-3: first line at the margin, runovers in cell 3; a
  nested item two cells further in at each level, 3-5, 5-7 (BANA lists). No
  bullet sign: the hanging indent shows where each item starts (UEB has a
  bullet, dots 4-5-6 2-5-6, that a transcriber may keep instead) (to confirm).
- A word is never divided unless it is longer than a whole line. Then it is
  divided after a slash where there is one (a web address: no hyphen, which
  would change the address), else at the end of the line with a hyphen,
  dots 3-6 (UEB allows a word divided with a hyphen; BANA advises against it
  but for words longer than a line). No line is ever longer than the width,
  and no page longer than the length: ``braille_pages`` checks both.
- **Warnings are boxed**, as in print, so that a warning is as easy to find
  by touch as its heavy box is by sight. A full line of dots 2-3-5-6
  (``box_top``) comes before each warning and a full line of dots 1-2-4-5
  (``box_bottom``) after it: BANA's box lines (in its 2016 rules as we
  recall them: the top and bottom lines differ, so the reader knows which
  end of the box she is at; earlier rules used dots 2-3-5-6 for both) (to
  confirm for UK use). Box lines take the place of the blank lines that
  would stand there (BANA). A top box line stays on the page of the
  warning's heading and first line; a bottom box line is never alone at the
  top of a page. Boxed are the three boxes of the printed leaflet: the FDA's
  boxed warning (the section whose heading is the catalogue's
  ``boxed_warning``), each warning (a heading that starts with the
  catalogue's ``warning_word``, "Warning: ..."), and the serious side
  effects (``side_effects_serious``). The words inside still start with
  "Warning" where print has them, for a reader who searches by words.

**Output**: ``brf(pages)`` is Braille Ready Format: North American ASCII
braille (0x20-0x5F), lines ended by CR LF, pages separated by a form feed,
as embossers expect. ``pef(pages, ...)`` is PEF 1.0 (DAISY Portable
Embosser Format, namespace ``http://www.daisy.org/ns/2008/pef``): one
volume, one section, a page per page and a row per line, in Unicode braille.

Anything that goes wrong is a ``BrailleError`` with a message that says what
to do.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from generator.content.catalogue import catalogue
from generator.content.model import most_specific
from generator.render.text import Block, Section

# liblouis's command, found on PATH; a module constant so a test can point it elsewhere.
LOU_TRANSLATE = "lou_translate"
PACKAGES = ("liblouis-bin", "liblouis-data")
# liblouis translates a whole leaflet in well under a second; far longer means it is stuck.
TIMEOUT_S = 60
# lou_translate reads a line 2,047 bytes at a time, and answers each part on
# a line of its own: longer texts go to it in pieces of at most this many.
LINE_BYTES = 1000

# A BCP 47 tag, lower case (the most specific match wins) -> the liblouis table.
TABLES: dict[str, str] = {
    # Unified English Braille, grade 2 (contracted): the standard literary
    # code of the UK (adopted by the Braille Authority of the UK in 2011) and
    # of the US (BANA, 2016), and what adult braille readers read.
    "en": "en-ueb-g2.ctb",
    # Spanish uncontracted ("integral") braille, as ONCE and the Comisión
    # Braille Española set it: what Spanish braille readers are taught and
    # read. liblouis's other Spanish tables are contracted braille
    # (es-g2.ctb, "estenografía", a shorthand few readers use, and marked
    # forward-only, so it cannot be back-translated to check it) and
    # computer braille (Es-Es-G0.utb, 8-dot, for braille displays, not paper).
    "es": "es-g1.ctb",
    # Unified Arabic Braille, grade 1 (uncontracted), from Mada (Qatar), the
    # form taught and used across Arab countries; the contracted grade 2
    # (ar-ar-g2.ctb) is not read by every reader. ar.tbl is only an alias of
    # this table. It has no foreign-letter indicator: Latin words in Arabic
    # text (brand names, web addresses) come out in cells an Arabic reader
    # reads as Arabic letters, a limit of liblouis's table.
    "ar": "ar-ar-g1.utb",
}
# The display tables: Unicode braille (the layout's cells), and North
# American ASCII Braille (BRF), read through braille-patterns.cti, which
# defines each of the 64 six-dot Unicode cells.
UNICODE_DISPLAY = "unicode.dis"
BRF_DISPLAY = "en-us-brf.dis,braille-patterns.cti"

COLS = 40
ROWS = 25
BLANK = "\u2800"
# BANA box lines: top dots 2-3-5-6, bottom dots 1-2-4-5, the full width.
BOX_TOP_CELL = "\u2836"
BOX_BOTTOM_CELL = "\u281b"
# The hyphen that ends a line in a divided word is the table's own (dots 3-6
# in UEB and Spanish braille, 3-6 3-6 in Arabic braille); this one (UEB's)
# only if the table has none.
HYPHEN = "\u2824"
# Blank cells kept between the running head and the page number (BANA).
PAGE_NUMBER_GAP = 3
# Blank cells kept each side of every line of a centred heading (BANA).
CENTRED_MARGIN = 3

PEF_NS = "http://www.daisy.org/ns/2008/pef"
DC_NS = "http://purl.org/dc/elements/1.1/"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACE = re.compile(r"\s+")


class BrailleError(Exception):
    """The braille edition could not be made; the message says why, and what to do."""


def box_top(cols: int = COLS) -> str:
    """The line before a warning: a full line of dots 2-3-5-6."""
    return BOX_TOP_CELL * cols


def box_bottom(cols: int = COLS) -> str:
    """The line after a warning: a full line of dots 1-2-4-5."""
    return BOX_BOTTOM_CELL * cols


def table_for(language: str) -> str:
    """The liblouis table for a BCP 47 tag: ``en-GB`` -> ``en-ueb-g2.ctb``."""
    found = most_specific(language, TABLES)
    if found:
        return found
    raise BrailleError(
        f"no braille table for language '{language}': the braille edition has tables for "
        f"{', '.join(sorted(TABLES))} (pass table= with a liblouis table to use another)"
    )


def translate(texts: Sequence[str], language: str, *, table: str | None = None) -> list[str]:
    """Each text in braille, as Unicode braille cells (a blank cell for a space)."""
    cleaned = [_one_line(text) for text in texts]
    return _louis(cleaned, f"{UNICODE_DISPLAY},{table or table_for(language)}", backward=False)


def back_translate(text: str, language: str, *, table: str | None = None) -> str:
    """Unicode braille back to print with liblouis, line by line (a form feed
    counts as a line break). Grade 2 back-translation is close, not exact:
    a few cells read back two ways."""
    lines = text.replace("\f", "\n").split("\n")
    cells = [line.replace(" ", BLANK) for line in lines]
    stray = {ch for line in cells for ch in line if not "\u2800" <= ch <= "\u28ff"}
    if stray:
        raise BrailleError(f"back_translate takes Unicode braille; found {''.join(sorted(stray))[:20]!r}")
    return "\n".join(_louis(cells, f"{UNICODE_DISPLAY},{table or table_for(language)}", backward=True))


def braille_pages(
    sections: Sequence[Section],
    language: str,
    *,
    cols: int = COLS,
    rows: int = ROWS,
    table: str | None = None,
    running_title: str | None = None,
) -> list[list[str]]:
    """The leaflet in braille pages, each a list of at most ``rows`` lines of
    at most ``cols`` Unicode braille cells. Line 1 of each page is the
    running line: the page number at the right, and from page 2 on the
    running head, ``running_title`` (give the leaflet's ``short_title``
    where it has one), by default the level 1 heading. A blank line is
    ``""``; lines carry no trailing blank cells."""
    if cols < 20 or rows < 5:
        raise BrailleError(f"a braille page must be at least 20 cells by 5 lines; asked for {cols} by {rows}")
    blocks = [block for section in sections for block in section.blocks]
    title = running_title
    if title is None:
        title = next((block.text for block in blocks if block.kind == "heading" and block.level == 1), "")
    # One liblouis run for every text: the blocks, the title, a slash (where
    # a long web address may be divided) and a hyphen (where a long word is).
    cells = translate([block.text for block in blocks] + [title, "/", "-"], language, table=table)
    *body, head, slash, hyphen = cells
    layout = _Layout(cols, rows - 1, slash, hyphen if 0 < len(hyphen) <= 2 else HYPHEN)
    chunks = _chunks(blocks, body, layout, _box_marks(language))
    pages = _paginate(chunks, rows - 1)
    numbers = translate([str(n) for n in range(1, len(pages) + 1)], language, table=table)
    result = []
    for index, (page, number) in enumerate(zip(pages, numbers)):
        running = _running_line(head if index else "", number, cols)
        result.append([running] + [line.rstrip(BLANK) for line in page])
    for number, page in enumerate(result, 1):
        # The promise every embosser relies on; a failure here is a bug in the layout.
        if len(page) > rows or any(len(line) > cols for line in page):
            raise BrailleError(f"braille page {number} is larger than {cols} cells by {rows} lines (a bug)")
    return result


def brf(pages: Sequence[Sequence[str]]) -> bytes:
    """Braille Ready Format: North American ASCII braille, lines ended by
    CR LF, pages separated by a form feed."""
    table = _brf_table()
    data = "\f".join("".join(line.translate(table) + "\r\n" for line in page) for page in pages)
    # str.translate leaves what the table lacks as it is: 8-dot cells, letters.
    stray = sorted({ch for ch in data if not (0x20 <= ord(ch) <= 0x5F or ch in "\r\n\f")})
    if stray:
        raise BrailleError(f"BRF holds only six-dot braille cells (U+2800-U+283F); found {''.join(stray)[:20]!r}")
    return data.encode("ascii")


def pef(
    pages: Sequence[Sequence[str]],
    *,
    title: str,
    identifier: str,
    language: str,
    date: dt.date,
    cols: int = COLS,
    rows: int = ROWS,
    duplex: bool = False,
) -> bytes:
    """PEF 1.0 (DAISY Portable Embosser Format): the pages as one volume of
    one section, a row per line, in Unicode braille."""
    for number, page in enumerate(pages, 1):
        if len(page) > rows or any(len(line) > cols for line in page):
            raise BrailleError(f"braille page {number} does not fit a PEF page of {cols} cells by {rows} rows")
        if any(not "\u2800" <= ch <= "\u28ff" for line in page for ch in line):
            raise BrailleError(f"braille page {number} holds something other than Unicode braille")
    if not pages:
        raise BrailleError("a PEF document needs at least one page")
    # Plain names with xmlns attributes, not ElementTree's global namespace
    # registry, which other code in the process may use differently.
    root = ET.Element("pef", {"xmlns": PEF_NS, "version": "2008-1"})
    head = ET.SubElement(root, "head")
    meta = ET.SubElement(head, "meta", {"xmlns:dc": DC_NS})
    for name, value in (
        ("title", title),
        ("identifier", identifier),
        ("format", "application/x-pef+xml"),
        ("language", language),
        ("date", date.isoformat()),
    ):
        ET.SubElement(meta, f"dc:{name}").text = value
    body = ET.SubElement(root, "body")
    volume = ET.SubElement(
        body, "volume", {"cols": str(cols), "rows": str(rows), "rowgap": "0", "duplex": "true" if duplex else "false"}
    )
    section = ET.SubElement(volume, "section")
    for page in pages:
        element = ET.SubElement(section, "page")
        for line in page:
            ET.SubElement(element, "row").text = line
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


# ---------------------------------------------------------------- liblouis


def _one_line(text: str) -> str:
    """lou_translate reads a line at a time: no line breaks, tabs or control
    characters (which it would print as escapes) inside a text."""
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACE.sub(" ", _CONTROL.sub(" ", text)).strip()


def _pieces(line: str, space: str) -> list[str]:
    """A line cut, at spaces, into pieces that lou_translate takes whole: it
    reads at most about 2,000 bytes at a time, and prints what it read as a
    line of its own, wherever that falls, in the middle of a word too. A
    sentence end is the preferred cut; a word longer than a piece is cut anyway."""
    pieces = []
    while len(line.encode("utf-8")) > LINE_BYTES:
        head = line.encode("utf-8")[:LINE_BYTES].decode("utf-8", "ignore")
        cut = max(head.rfind("." + space), head.rfind("\u2832" + space)) + 1 or head.rfind(space)
        if cut <= 0:
            cut = len(head)
        pieces.append(line[:cut].rstrip(space))
        line = line[cut:].lstrip(space)
    return [*pieces, line]


def _louis(lines: list[str], tables: str, *, backward: bool) -> list[str]:
    """Each line through lou_translate, one run for them all."""
    space = BLANK if backward else " "
    joiner = " " if backward else (BLANK if tables.startswith(UNICODE_DISPLAY) else " ")
    cut = [_pieces(line.replace(" ", BLANK) if backward else line, space) for line in lines]
    out = _lou_translate([piece for pieces in cut for piece in pieces], tables, backward=backward)
    joined, at = [], 0
    for pieces in cut:
        joined.append(joiner.join(out[at : at + len(pieces)]))
        at += len(pieces)
    return joined


def _lou_translate(lines: list[str], tables: str, *, backward: bool) -> list[str]:
    args = [LOU_TRANSLATE, "--backward" if backward else "--forward", tables]
    install = f"install the Debian packages {' and '.join(PACKAGES)} (scripts/install-braille-tools.sh)"
    try:
        result = subprocess.run(
            args,
            input="".join(line + "\n" for line in lines),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise BrailleError(f"liblouis is not installed ({LOU_TRANSLATE} was not found): {install}") from None
    except subprocess.TimeoutExpired:
        raise BrailleError(f"{LOU_TRANSLATE} did not finish within {TIMEOUT_S} s") from None
    message = result.stderr.strip()
    # A table it cannot find is not an exit status: lou_translate says so on
    # standard error, prints nothing, and exits 0.
    if "could not be compiled" in message or "Cannot resolve table" in message:
        raise BrailleError(f"liblouis cannot load the table '{tables}': {message[:300]} (or {install})")
    if result.returncode != 0:
        raise BrailleError(f"{LOU_TRANSLATE} failed ({result.returncode}): {message[:300]}")
    out = result.stdout.split("\n")
    if out[-1:] == [""]:
        out.pop()
    if len(out) != len(lines):
        raise BrailleError(
            f"{LOU_TRANSLATE} gave {len(out)} lines for {len(lines)} with '{tables}'"
            + (f": {message[:300]}" if message else "")
        )
    return out


@cache
def _brf_table() -> dict[int, str]:
    """Unicode six-dot cells -> North American ASCII Braille, as liblouis's en-us-brf.dis has them."""
    cells = "".join(chr(0x2800 + dots) for dots in range(64))
    (ascii_cells,) = _louis([cells], BRF_DISPLAY, backward=False)
    if len(ascii_cells) != 64 or any(not 0x20 <= ord(ch) <= 0x5F for ch in ascii_cells):
        raise BrailleError(f"liblouis's {BRF_DISPLAY} did not give the 64 cells of ASCII braille: {ascii_cells!r}")
    return {ord(cell): ch for cell, ch in zip(cells, ascii_cells)}


# ---------------------------------------------------------------- layout


@dataclass(frozen=True)
class _Layout:
    cols: int
    body_rows: int
    slash: str  # the braille for "/", after which a web address may be divided
    hyphen: str  # the braille for "-", at the end of a line in a divided word


@dataclass
class _Chunk:
    """Lines that the pagination places as one: a heading, a paragraph, a list item, a box line."""

    lines: list[str]
    blank_before: bool = False
    blank_after: bool = False
    whole: bool = False  # never split across pages (headings, box lines)
    keep_with_next: bool = False  # on the page of the next chunk's first line
    keep_with_previous: bool = False  # never alone at the top of a page
    rule: bool = False  # a box line: it takes the place of blank lines


class _Marks(NamedTuple):
    """The catalogue's words that open a box, and the notices that close one."""

    boxed_warning: str  # the FDA boxed warning's heading
    serious: str  # the serious side effects' heading
    warning_word: str  # "Warning", which starts each warning's heading
    notices: tuple[str, ...]  # printed after the boxed warning, outside its box


def _box_marks(language: str) -> _Marks:
    try:
        t = catalogue(language)
        notices = (t("translation_unchecked"), t("status_example"), t("status_draft"))
        return _Marks(t("boxed_warning"), t("side_effects_serious"), t("warning_word"), notices)
    except (LookupError, ValueError) as exc:
        raise BrailleError(f"no message catalogue for language '{language}', to find its warnings: {exc}") from None


def _opens_box(block: Block, marks: _Marks) -> bool:
    text = block.text.strip()
    # The word itself, not a longer word it begins ("تحذيرات", warnings, is
    # the heading of the section of warnings, not a warning).
    return block.kind == "heading" and (
        text in (marks.boxed_warning, marks.serious)
        or re.match(re.escape(marks.warning_word) + r"(?!\w)", text) is not None
    )


def _chunks(blocks: list[Block], cells: list[str], layout: _Layout, marks: _Marks) -> list[_Chunk]:
    cols = layout.cols
    chunks: list[_Chunk] = []
    box_level: int | None = None  # the level of the heading that opened the box we are in

    def close() -> None:
        nonlocal box_level
        chunks.append(_Chunk([box_bottom(cols)], whole=True, keep_with_previous=True, rule=True))
        box_level = None

    for block, braille in zip(blocks, cells):
        if box_level is not None and (
            (block.kind == "heading" and block.level <= box_level) or block.text.strip() in marks.notices
        ):
            close()
        if box_level is None and _opens_box(block, marks):
            chunks.append(_Chunk([box_top(cols)], whole=True, keep_with_next=True, rule=True))
            box_level = block.level
        words = [word for word in braille.split(BLANK) if word]
        if not words:
            continue
        if block.kind == "heading" and block.level <= 2:
            # A word too long for the centred width may use the whole line, undivided.
            width = cols - 2 * CENTRED_MARGIN if max(map(len, words)) <= cols - 2 * CENTRED_MARGIN else cols
            lines = _centre(_wrap(words, width, 0, 0, layout), cols)
            chunks.append(_Chunk(lines, blank_before=True, blank_after=True, whole=True, keep_with_next=True))
        elif block.kind == "heading":
            lines = _wrap(words, cols, 0, 0, layout)
            chunks.append(_Chunk(lines, blank_before=True, blank_after=True, whole=True, keep_with_next=True))
        elif block.kind == "item":
            indent = 2 * (max(block.level, 1) - 1)
            # Deep nesting never leaves less than half a line to write on.
            indent = min(indent, cols // 2 - 2)
            chunks.append(_Chunk(_wrap(words, cols, indent, indent + 2, layout)))
        else:
            chunks.append(_Chunk(_wrap(words, cols, 2, 0, layout)))
    if box_level is not None:
        close()
    return chunks


def _wrap(words: list[str], cols: int, first: int, rest: int, layout: _Layout) -> list[str]:
    """Words into lines of at most ``cols`` cells: the first line indented by
    ``first`` blank cells, the others by ``rest``. A word is divided only
    when it is longer than a whole line."""
    lines: list[str] = []
    line = ""
    for word in words:
        while word:
            indent = first if not lines else rest
            room = cols - indent
            if not line and len(word) > room:
                head, word = _divide(word, room, layout)
                lines.append(BLANK * indent + head)
                continue
            if line and len(line) + 1 + len(word) > room:
                lines.append(BLANK * indent + line)
                line = ""
                continue
            line = f"{line}{BLANK}{word}" if line else word
            word = ""
    if line:
        lines.append(BLANK * (first if not lines else rest) + line)
    return lines


def _divide(word: str, room: int, layout: _Layout) -> tuple[str, str]:
    """A word longer than a line: the part for this line and the rest. After
    the last slash that fits (a web address, no hyphen added), else with a
    hyphen at the end of the line."""
    slash, hyphen = layout.slash, layout.hyphen
    if slash:
        cut = word.rfind(slash, 0, room - len(slash) + 1)
        if cut > 0:
            end = cut + len(slash)
            return word[:end], word[end:]
    return word[: room - len(hyphen)] + hyphen, word[room - len(hyphen) :]


def _centre(lines: list[str], cols: int) -> list[str]:
    return [BLANK * max((cols - len(line)) // 2, 0) + line for line in lines]


def _running_line(head: str, number: str, cols: int) -> str:
    """The running head centred (if there is room for it with 3 blank cells
    before the page number), the page number at the right margin."""
    start = (cols - len(head)) // 2
    if not head or start < 0 or start + len(head) + PAGE_NUMBER_GAP > cols - len(number):
        return BLANK * (cols - len(number)) + number
    line = BLANK * start + head
    return line + BLANK * (cols - len(number) - len(line)) + number


def _paginate(chunks: list[_Chunk], body_rows: int) -> list[list[str]]:
    def gap(before: _Chunk, after: _Chunk) -> int:
        if before.rule or after.rule:
            return 0
        return 1 if before.blank_after or after.blank_before else 0

    def needed(index: int) -> int:
        """Lines that must be on one page from chunk ``index`` on: all of a
        whole chunk, and the chain of chunks kept with the next."""
        chunk = chunks[index]
        if not (chunk.keep_with_next and index + 1 < len(chunks)):
            return len(chunk.lines) if chunk.whole else 1
        return len(chunk.lines) + gap(chunk, chunks[index + 1]) + needed(index + 1)

    pages: list[list[str]] = []
    page: list[str] = []

    def new_page() -> None:
        nonlocal page
        pages.append(page)
        page = []

    for index, chunk in enumerate(chunks):
        blank = gap(chunks[index - 1], chunk) if index and page else 0
        need = needed(index)
        if need > body_rows:  # a chain longer than a page: start it on a page of its own
            need = min(len(chunk.lines), body_rows) if chunk.whole else 1
        if page and blank + need > body_rows - len(page):
            if chunk.keep_with_previous and len(page) > 1 and page[-1]:
                carried = page.pop()  # the last line of the box goes over with its box line
                new_page()
                page.append(carried)
            else:
                new_page()
            blank = 0
        if blank:
            page.append("")
        for line in chunk.lines:
            if len(page) == body_rows:
                new_page()
            page.append(line)
    if page or not pages:
        pages.append(page)
    return pages
