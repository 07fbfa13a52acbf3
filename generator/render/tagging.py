"""Close the PDF/UA-1 gaps WeasyPrint 70 leaves in its tagged PDF.

- Running headers and footers (CSS page-margin boxes) are tagged as content
  that belongs to no structure element. PDF/UA needs them to be artifacts.
- Table data cells name their header cells in ``/Headers``, but there is no
  ``/IDTree`` to resolve those names, and header cells have no ``/Scope``.

Each fix is checked by ``verify`` on every build and by the tests, which fail
if the gap comes back.
"""

from __future__ import annotations

import io
import re

import pikepdf

_MARKED = re.compile(rb"/\w+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")
_ARTIFACT = b"/Artifact <</Type /Pagination>> BDC"


def finish_tagging(pdf_bytes: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        tree = pdf.Root.StructTreeRoot
        elements = list(walk(tree))
        _artifact_orphans(pdf, {e.objgen for e in elements})
        _id_tree(pdf, tree, elements)
        _header_scope(elements)
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
