"""Page geometry: the papers and print sizes, the margins, and the options
that shape a leaflet besides its content."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel

from generator.brand.load import Brand, default_brand
from generator.content.model import Leaflet, paragraphs

Paper = Literal["a4", "letter"]
Size = Literal["standard", "large", "extra-large"]
# The full leaflet, or the counter sheet (content.sheet).
Edition = Literal["full", "sheet"]
EDITIONS: tuple[str, ...] = get_args(Edition)


@dataclass(frozen=True)
class PaperSize:
    css: str
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class PrintSize:
    """Body size, the size of the running header and footer, and the page
    margins that hold them.

    The running text repeats what the leaflet prints at body size (the title
    on page 1, the brand and review date at the end), so it may be smaller
    than the body, never below the clear-print 14 pt or, in large print,
    UKAAF's 16 pt minimum; that keeps each of them on one line. "Page X of Y"
    stays at body size (UKAAF).
    """

    body_pt: float
    running_pt: float
    top_mm: float
    bottom_mm: float


PAPERS: dict[str, PaperSize] = {"a4": PaperSize("A4", 210, 297), "letter": PaperSize("letter", 215.9, 279.4)}
SIZES: dict[str, PrintSize] = {
    "standard": PrintSize(body_pt=14, running_pt=14, top_mm=18, bottom_mm=17),  # clear print (RNIB)
    "large": PrintSize(body_pt=18, running_pt=16, top_mm=19, bottom_mm=19),  # large print (UKAAF, ACB)
    "extra-large": PrintSize(body_pt=24, running_pt=16, top_mm=19, bottom_mm=19),
}
SIDE_MARGIN_MM = 15
# The counter sheet's page budget: one sheet of paper, printed on both
# sides; two sheets at 24 pt. A page at 18 pt holds about 27 lines of body
# text, and the sheet's parts (title, medicine line, a key fact, "get help
# now", how to take it, the write-in box) take about 30 even before a boxed
# warning, which is printed in full. Text is never made smaller to fit;
# the leaflet's sheet: block shortens what may be shortened.
SHEET_PAGES: dict[str, int] = {"standard": 2, "large": 2, "extra-large": 4}
# Narrower than this (in ems of body text) and a comparison table's columns
# are too narrow to read: it is printed as one small table per medicine.
MIN_COLUMN_EM = 7.5
PT_TO_MM = 25.4 / 72
# A warning box estimated to take no more than this share of a page's text
# area is never split: moving it whole to the next page leaves at most this
# much of a page empty. A longer box goes on over the page instead.
KEEP_WHOLE_SHARE = 0.4
# Line height of body text, in ems (styles/leaflet.css, html), and the
# width of an average letter of the typeface, in ems, measured on
# Atkinson Hyperlegible Next with a margin for bold and short lines.
LINE_HEIGHT_EM = 1.5
AVERAGE_LETTER_EM = 0.47


@dataclass(frozen=True)
class Options:
    """Everything besides the content that shapes a leaflet."""

    paper: Paper = "a4"
    size: Size = "large"
    edition: Edition = "full"
    # None means the neutral default brand.
    brand: Brand | None = None

    @property
    def chosen_brand(self) -> Brand:
        return self.brand or default_brand()


def stack_comparison(leaflet: Leaflet, options: Options) -> bool:
    """Whether the comparison table's columns would be too narrow at this size and paper."""
    if leaflet.comparison is None:
        return False
    width_em = (PAPERS[options.paper].width_mm - 2 * SIDE_MARGIN_MM) / (SIZES[options.size].body_pt * PT_TO_MM)
    return width_em / (len(leaflet.comparison.medicines) + 1) < MIN_COLUMN_EM


def _text_em(options: Options) -> tuple[float, float]:
    """The text area's width and height, in ems of body text."""
    paper, size = PAPERS[options.paper], SIZES[options.size]
    em_mm = size.body_pt * PT_TO_MM
    return (paper.width_mm - 2 * SIDE_MARGIN_MM) / em_mm, (paper.height_mm - size.top_mm - size.bottom_mm) / em_mm


def keep_whole(block: BaseModel, options: Options) -> bool:
    """Whether a warning box is short enough to be kept on one page.

    An estimate from its words, before layout: each piece of text (title,
    paragraph, list item) takes whole lines, plus a little space between.
    """
    width_em, height_em = _text_em(options)
    letters_per_line = max((width_em - 2) / AVERAGE_LETTER_EM, 1)  # less the box's padding
    lines = 0.0
    for text in _texts(block):
        for paragraph in paragraphs(text):
            lines += math.ceil(len(paragraph) / letters_per_line) + 0.5
    # The box's heading, "What to do:" and wording from the catalogue.
    lines += 4
    return lines * LINE_HEIGHT_EM <= KEEP_WHOLE_SHARE * height_em


def _texts(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, BaseModel):
        value = [getattr(value, name) for name in type(value).model_fields]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _texts(item)]
    return []
