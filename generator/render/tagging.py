"""Close the PDF/UA-1 gaps WeasyPrint 70 leaves in its tagged PDF.

- Running headers and footers (CSS page-margin boxes) are tagged as content
  that belongs to no structure element. PDF/UA needs them to be artifacts.
- Table data cells name their header cells in ``/Headers``, but there is no
  ``/IDTree`` to resolve those names, and header cells have no ``/Scope``.
- ``/ToUnicode`` maps each glyph to the text it was first drawn for. A
  glyph that shares a cluster with another (an Arabic letter carrying a
  vowel mark, as in بطيئًا) gets no text, so readers and screen readers get
  the glyph's number instead of its letter. And a bracket first drawn in
  right-to-left text, where ``(`` is drawn with the glyph of ``)``, is
  mapped to its mirror, so English text with that glyph reads backwards.

Each fix is checked by ``verify`` on every build and by the tests, which fail
if the gap comes back.
"""

from __future__ import annotations

import io
import re
import unicodedata

import pikepdf
from fontTools.ttLib import TTFont

_MARKED = re.compile(rb"/\w+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"
_TEXT_MAP_ENTRY = re.compile(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]*)>")
_TYPE0 = pikepdf.Name.Type0


def finish_tagging(pdf_bytes: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        tree = pdf.Root.StructTreeRoot
        elements = walk(tree)
        _artifact_orphans(pdf, {e.objgen for e in elements})
        _id_tree(pdf, tree, elements)
        _header_scope(elements)
        _repair_text_maps(pdf)
        out = io.BytesIO()
        # deterministic_id: the same leaflet gives the same file identifier.
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


def walk(node) -> list:
    """Every structure element under ``node``, in reading order: each
    element before the elements inside it."""
    found = []
    # A stack, not recursion: every build walks its tree twice, and a
    # recursive generator costs a frame at each level for every element.
    stack = _element_kids(node)[::-1]
    while stack:
        element = stack.pop()
        found.append(element)
        stack += _element_kids(element)[::-1]
    return found


def _element_kids(node) -> list:
    """The structure elements directly inside ``node``, in order."""
    kids = node.get("/K")
    if kids is None:
        return []
    return [
        kid
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid
    ]


def _artifact_orphans(pdf: pikepdf.Pdf, reachable: set) -> None:
    """Turn marked content whose structure element is not in the tree into artifacts."""
    parent_tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        if key is None or int(key) not in parent_tree:
            continue
        parents = parent_tree[int(key)]
        orphans = {
            mcid
            for mcid, element in enumerate(parents)
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in reachable
        }
        if not orphans:
            continue
        contents = page.obj.Contents
        streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        data = b"\n".join(stream.read_bytes() for stream in streams)

        # A byte-level rewrite of just the marked-content openers: parsing
        # and rewriting whole content streams cost several times the render.
        # WeasyPrint writes text as hex glyph strings, so this pattern can
        # only match real operators.
        def artifact(match: re.Match) -> bytes:
            return _ARTIFACT if int(match[1]) in orphans else match[0]

        page.obj.Contents = pdf.make_stream(_MARKED.sub(artifact, data))
        for mcid in orphans:
            parents[mcid] = None


def _id_tree(pdf: pikepdf.Pdf, tree: pikepdf.Dictionary, elements: list) -> None:
    """Map every element ``/ID`` to its element, so ``/Headers`` can be resolved."""
    ids = sorted((bytes(e.ID), e) for e in elements if "/ID" in e)
    if not ids:
        return
    names = pikepdf.Array()
    for key, element in ids:
        names.append(pikepdf.String(key))
        names.append(element)
    tree.IDTree = pdf.make_indirect(pikepdf.Dictionary(Names=names))


def _header_scope(elements: list) -> None:
    """Header cells in a table head label columns; the others label rows."""
    for element in elements:
        # get() and a string: attribute access and a Name built per element cost several times as much.
        if str(element.get("/S")) != "/TH":
            continue
        row = element.get("/P")
        section = row.get("/P") if row is not None else None
        in_head = section is not None and section.get("/S") == pikepdf.Name.THead
        attributes = element.get("/A")
        if not isinstance(attributes, pikepdf.Dictionary):
            attributes = pikepdf.Dictionary(O=pikepdf.Name.Table)
            element.A = attributes
        attributes.Scope = pikepdf.Name.Column if in_head else pikepdf.Name.Row


def _repair_text_maps(pdf: pikepdf.Pdf) -> None:
    """Map each glyph ``/ToUnicode`` gets wrong to the character the embedded
    font's own cmap gives it, in its plain form (NFKC turns the medial form
    U+FE8C back into U+0626): a glyph mapped to nothing, and a bracket mapped
    to its mirror. Readers mirror brackets in right-to-left text themselves."""
    for font in pdf.objects:
        # Most objects are structure elements without a /Subtype, and
        # pikepdf's get() is slow for a key that is missing; "in" is not.
        if not isinstance(font, pikepdf.Dictionary) or "/Subtype" not in font or font.get("/Subtype") != _TYPE0:
            continue
        text_map = font.get("/ToUnicode")
        descriptor = font.DescendantFonts[0].get("/FontDescriptor")
        embedded = descriptor and (descriptor.get("/FontFile2") or descriptor.get("/FontFile3"))
        if text_map is None or embedded is None:
            continue
        before = text_map.read_bytes()
        after = _TEXT_MAP_ENTRY.sub(_repairer(embedded), before)
        if after != before:
            text_map.write(after)


def _repairer(embedded: pikepdf.Stream):
    """What ``_repair_text_maps`` puts for one ``/ToUnicode`` entry of the
    font embedded in ``embedded``."""
    letters: dict[int, str] | None = None

    def repaired(match: re.Match) -> bytes:
        nonlocal letters
        text = bytes.fromhex(match[2].decode()).decode("utf-16-be", "replace")
        if text and not (len(text) == 1 and unicodedata.mirrored(text)):
            return match[0]  # neither empty nor a mirrored character (a bracket): right
        # The font is read only for an entry that may be wrong; many fonts have none.
        if letters is None:
            letters = _letters(embedded)
        letter = letters.get(int(match[1], 16))
        wrong = not text or (letter != text and letter and unicodedata.mirrored(letter))
        if not wrong or letter is None:
            return match[0]
        return b"<%s> <%s>" % (match[1], letter.encode("utf-16-be").hex().encode())

    return repaired


def _letters(embedded: pikepdf.Stream) -> dict[int, str]:
    """Each glyph of an embedded font and the character its cmap gives it, in its plain form."""
    face = TTFont(io.BytesIO(embedded.read_bytes()))
    # fontTools reads a cmap as glyph names. A subset font has none of its
    # own (post format 3), so fontTools would make them up from the cmap,
    # which costs more than the rest; glyph numbers as names serve as well.
    face.setGlyphOrder([f"glyph{number:05d}" for number in range(face["maxp"].numGlyphs)])
    letters: dict[int, str] = {}
    for code, name in (face.getBestCmap() or {}).items():
        letters.setdefault(face.getGlyphID(name), unicodedata.normalize("NFKC", chr(code)))
    return letters
