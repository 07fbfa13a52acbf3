"""The leaflet as plain text, in reading order, for a screen reader, an
email, and as the source of the Braille and audio editions.

It is read from the leaflet's own HTML, so it says exactly what the
printed leaflet says, in the same order and the same language: every
heading, "Warning:" before each warning, the review and translation
notices, the sources, and the brand's contact details. Headings are marked
as in Markdown (``#``, ``##``), list items start with ``-``, and a
comparison table is read feature by feature, never cell by cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tinyhtml5

from generator.content.model import Leaflet
from generator.render.geometry import Options
from generator.render.html import render_html

_NS = "{http://www.w3.org/1999/xhtml}"
_SPACE = re.compile(r"\s+")
# Layout only: the logo and icons (their words are printed beside them),
# the QR code (its address is printed as text), scripts and styles.
_SKIPPED = {"img", "script", "style", "svg", "head"}


@dataclass
class Block:
    """One unit of reading: a heading (level 1 to 3), a paragraph, or a list item."""

    kind: str  # "heading", "paragraph" or "item"
    text: str
    level: int = 0  # a heading's level; a list item's depth, from 1


@dataclass
class Section:
    """What one heading of level 1 or 2 opens, up to the next: a chapter of the audio edition."""

    title: str
    blocks: list[Block] = field(default_factory=list)


def leaflet_text(leaflet: Leaflet, options: Options = Options()) -> list[Section]:
    """The leaflet's sections, in reading order. ``options`` gives the brand
    (and the edition); size and paper do not change the words."""
    root = tinyhtml5.parse(render_html(leaflet, options, standalone=True))
    blocks: list[Block] = []
    _walk(root.find(f"{_NS}body"), blocks, depth=0)
    sections: list[Section] = []
    for block in blocks:
        if block.kind == "heading" and block.level <= 2:
            sections.append(Section(block.text))
        if not sections:
            sections.append(Section(""))
        sections[-1].blocks.append(block)
    return sections


def plain_text(sections: list[Section]) -> str:
    """The sections as UTF-8 plain text: Markdown-style headings, "-" list items."""
    lines: list[str] = []
    for block in (block for section in sections for block in section.blocks):
        if block.kind == "heading":
            lines += ["", "#" * block.level + " " + block.text, ""]
        elif block.kind == "item":
            lines.append("  " * (block.level - 1) + "- " + block.text)
        else:
            if lines and lines[-1].lstrip().startswith("- "):
                lines.append("")
            lines += [block.text, ""]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _walk(element, blocks: list[Block], depth: int) -> None:
    tag = _tag(element)
    if tag in _SKIPPED:
        return
    if tag in ("h1", "h2", "h3", "h4"):
        _add(blocks, Block("heading", _words(element), min(int(tag[1]), 3)))
    elif tag == "table":
        _table(element, blocks)
    elif tag in ("ul", "ol"):
        for index, item in enumerate(child for child in element if _tag(child) == "li"):
            number = f"{index + 1}. " if tag == "ol" else ""
            _item(item, blocks, depth + 1, number)
    elif tag == "p" or (tag in ("div", "section", "header", "main", "footer", "body") and not _has_blocks(element)):
        _add(blocks, Block("paragraph", _words(element)))
    else:
        for child in element:
            _walk(child, blocks, depth)


def _item(item, blocks: list[Block], depth: int, number: str) -> None:
    """A list item: its own words, then any list inside it, one level deeper."""
    text = _clean(item.text or "")
    for child in item:
        if _tag(child) in ("ul", "ol"):
            continue
        words = _words(child)
        # A described item's name, then its explanation: a full stop between, as a reader pauses.
        if "detail" in (child.get("class") or "").split() and text and not text.endswith((".", ":", "?", "!")):
            text += "."
        text = " ".join(filter(None, [text, words, _clean(child.tail or "")]))
    _add(blocks, Block("item", number + text, depth))
    for child in item:
        if _tag(child) in ("ul", "ol"):
            _walk(child, blocks, depth)


def _table(table, blocks: list[Block]) -> None:
    """Feature by feature: the feature, then each medicine's entry for it."""
    caption = table.find(f"{_NS}caption")
    rows = [[cell for cell in row if _tag(cell) in ("th", "td")] for row in table.iter(f"{_NS}tr")]
    head = [_words(cell) for cell in rows[0]] if rows and all(_tag(c) == "th" for c in rows[0]) else None
    if head:  # features are rows, medicines are columns
        if caption is not None:
            _add(blocks, Block("paragraph", _words(caption)))
        for row in rows[1:]:
            _add(blocks, Block("paragraph", _words(row[0]) + ":"))
            for name, cell in zip(head[1:], row[1:]):
                _add(blocks, Block("item", f"{name}: {_words(cell)}", 1))
    else:  # one feature per table (the stacked comparison): rows are medicines
        if caption is not None:
            _add(blocks, Block("paragraph", _words(caption) + ":"))
        for row in rows:
            _add(blocks, Block("item", ": ".join(_words(cell) for cell in row), 1))


def _has_blocks(element) -> bool:
    return any(_tag(child) in ("p", "div", "section", "ul", "ol", "table", "h1", "h2", "h3", "h4") for child in element.iter() if child is not element)


def _words(element) -> str:
    parts = []
    for node in element.iter():
        if _tag(node) in _SKIPPED:
            if node.tail:
                parts.append(node.tail)
            continue
        parts.append(node.text or "")
        if node is not element:
            parts.append(node.tail or "")
    return _clean("".join(parts))


def _clean(text: str) -> str:
    # The bidirectional isolates that set a phone number apart are for the printed page only.
    return _SPACE.sub(" ", re.sub("[\u2066-\u2069]", "", text)).strip()


def _add(blocks: list[Block], block: Block) -> None:
    if block.text:
        blocks.append(block)


def _tag(element) -> str:
    return element.tag.removeprefix(_NS) if isinstance(element.tag, str) else ""
