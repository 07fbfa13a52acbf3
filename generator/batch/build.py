"""One output: render the leaflet, verify what was printed, write the file.

The leaflet has already been loaded and checked (``content.load``, and its
wording by ``plan``). Problems are returned in the ``Result``, never raised,
so a batch carries on.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from generator.batch.write import write_atomic
from generator.content.model import Leaflet
from generator.problems import Finding, LeafletError, Problem
from generator.render.geometry import SHEET_PAGES, Options
from generator.render.html import render_html
from generator.render.pdf import render_pdf
from generator.render.text import leaflet_text, plain_text
from generator.verify.printed import verify_pdf, verify_text
from generator.verify.sheet import sheet_too_long

Format = Literal["pdf", "html", "txt", "brf", "pef", "mp3"]
FORMATS: tuple[str, ...] = get_args(Format)
# Formats whose words do not depend on the print size or the paper: built
# once for all of them (the HTML edition keeps the size of its text).
UNPAGED: tuple[str, ...] = ("txt", "brf", "pef", "mp3")


@dataclass
class Result:
    source: Path
    output: Path | None = None
    # The file a failed build would have written: in a batch, the source alone
    # does not say which brand, paper and size failed.
    target: Path | None = None
    pages: int = 0
    size: int = 0
    # Why it failed: the leaflet's errors, or what stopped the render, check or write.
    problems: list[Problem] = field(default_factory=list)
    # "built", "unchanged" (skipped: nothing that shapes it changed) or "failed".
    status: str = "built"
    # The leaflet's warnings from `leaflet check`, the same on each of its
    # outputs (for an unchanged output, those found when it was built).
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        # Not "no problems": with strict=True, warnings alone fail a leaflet.
        return self.status != "failed"


def measure_sheet(path: Path, leaflet: Leaflet, options: Options) -> list[Problem]:
    """Lay out the counter sheet in memory, as a build would, writing
    nothing: a problem if it is over its page budget or cannot be laid out."""
    import pikepdf  # only when a sheet is measured

    try:
        pdf = render_pdf(render_html(leaflet, options), path, options.chosen_brand)
    except LeafletError as exc:
        return exc.problems
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = len(document.pages)
    return [sheet_too_long(leaflet, path, pages, options)] if pages > SHEET_PAGES[options.size] else []


def build_output(path: Path, leaflet: Leaflet, options: Options, fmt: Format, target: Path) -> Result:
    """Render, verify and write one leaflet to ``target``."""
    try:
        data, pages = make_output(path, leaflet, options, fmt)
    except LeafletError as exc:
        return Result(path, target=target, problems=exc.problems, status="failed")
    return write_output(path, target, data, pages)


def make_output(path: Path, leaflet: Leaflet, options: Options, fmt: Format) -> tuple[bytes, int]:
    """Render and verify one output, writing nothing: its bytes and page count.
    Raises ``LeafletError`` with what stopped the render or failed the check."""
    if fmt in UNPAGED:
        return _unpaged(path, leaflet, options, fmt)
    if fmt == "html":
        return render_html(leaflet, options, standalone=True).encode("utf-8"), 0
    data = render_pdf(render_html(leaflet, options), path, options.chosen_brand)
    pages, problems = verify_pdf(leaflet, data, path, options)
    if problems:
        raise LeafletError(problems)
    return data, pages


def write_output(path: Path, target: Path, data: bytes, pages: int) -> Result:
    """Write a made output whole to ``target``, or say why it could not be."""
    try:
        write_atomic(target, data)
    except OSError as exc:
        return Result(path, target=target, problems=[Problem(target, None, (), f"cannot write: {exc.strerror or exc}")], status="failed")
    return Result(path, output=target, pages=pages, size=len(data))


def _unpaged(path: Path, leaflet: Leaflet, options: Options, fmt: Format) -> tuple[bytes, int]:
    """The text, Braille or audio edition, and its page count (Braille only).
    Each is made from the plain text edition, which is checked first for
    everything a leaflet must say."""
    sections = leaflet_text(leaflet, options)
    text = plain_text(sections)
    problems = verify_text(leaflet, text, path, options)
    if problems:
        raise LeafletError(problems)
    if fmt == "txt":
        return text.encode("utf-8"), 0
    from generator.render.audio import AudioError, audio_edition, chapters
    from generator.render.braille import BrailleError, braille_pages, brf, pef

    try:
        if fmt == "mp3":
            brand = options.chosen_brand
            author = brand.name if brand.footer_name else None  # the neutral brand names no one
            mp3, spoken = audio_edition(sections, leaflet.language, title=leaflet.title, author=author)
            if chapters(mp3) != spoken:
                raise LeafletError([Problem(path, None, (), "the built audio edition does not hold its chapters")])
            return mp3, 0
        cells = braille_pages(sections, leaflet.language, running_title=leaflet.short_title or leaflet.title)
    except (AudioError, BrailleError) as exc:  # a tool missing or failing, said plainly
        raise LeafletError([Problem(path, None, (), f"the {fmt} edition could not be made: {exc}")]) from None
    if fmt == "brf":
        return brf(cells), len(cells)
    identifier = f"{leaflet.id}.{leaflet.language}"
    return pef(cells, title=leaflet.title, identifier=identifier, language=leaflet.language, date=leaflet.review.last_reviewed), len(cells)
