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


def finish_tagging(pdf_bytes: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        tree = pdf.Root.StructTreeRoot
        elements = list(walk(tree))
        _artifact_orphans(pdf, {e.objgen for e in elements})
        _id_tree(pdf, tree, elements)
        _header_scope(elements)
        _repair_text_maps(pdf)
        out = io.BytesIO()
        # deterministic_id: the same leaflet gives the same file identifier.
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


def walk(node) -> list:
    """Every structure element under ``node``, in reading order."""
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from walk(kid)


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
        if element.S != pikepdf.Name.TH:
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
        if not isinstance(font, pikepdf.Dictionary) or font.get("/Subtype") != pikepdf.Name.Type0:
            continue
        text_map = font.get("/ToUnicode")
        descriptor = font.DescendantFonts[0].get("/FontDescriptor")
        embedded = descriptor and (descriptor.get("/FontFile2") or descriptor.get("/FontFile3"))
        if text_map is None or embedded is None:
            continue
        face = TTFont(io.BytesIO(embedded.read_bytes()))
        letters: dict[int, str] = {}
        for code, name in (face.getBestCmap() or {}).items():
            letters.setdefault(face.getGlyphID(name), unicodedata.normalize("NFKC", chr(code)))

        def repaired(match: re.Match) -> bytes:
            text = bytes.fromhex(match[2].decode()).decode("utf-16-be", "replace")
            letter = letters.get(int(match[1], 16))
            wrong = not text or (len(text) == 1 and letter != text and unicodedata.mirrored(text) and letter
                                 and unicodedata.mirrored(letter))
            if not wrong or letter is None:
                return match[0]
            return b"<%s> <%s>" % (match[1], letter.encode("utf-16-be").hex().encode())

        before = text_map.read_bytes()
        after = _TEXT_MAP_ENTRY.sub(repaired, before)
        if after != before:
            text_map.write(after)
