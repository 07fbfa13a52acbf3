"""Page geometry: the papers and print sizes, the margins, and the options
that shape a leaflet besides its content."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from generator.brand.load import Brand, default_brand
from generator.content.model import Leaflet

Paper = Literal["a4", "letter"]
Size = Literal["standard", "large", "extra-large"]


@dataclass(frozen=True)
class PaperSize:
    css: str
    width_mm: float


@dataclass(frozen=True)
class PrintSize:
    """Body size and the page margins that hold the running header and footer."""

    body_pt: float
    top_mm: float
    bottom_mm: float


PAPERS: dict[str, PaperSize] = {"a4": PaperSize("A4", 210), "letter": PaperSize("letter", 215.9)}
SIZES: dict[str, PrintSize] = {
    "standard": PrintSize(body_pt=14, top_mm=24, bottom_mm=32),  # clear print (RNIB)
    "large": PrintSize(body_pt=18, top_mm=28, bottom_mm=44),  # large print (UKAAF, ACB)
    "extra-large": PrintSize(body_pt=24, top_mm=36, bottom_mm=58),
}
SIDE_MARGIN_MM = 20
# Narrower than this (in ems of body text) and a comparison table's columns
# are too narrow to read: it is printed as one small table per medicine.
MIN_COLUMN_EM = 7.5
PT_TO_MM = 25.4 / 72


@dataclass(frozen=True)
class Options:
    """Everything besides the content that shapes a leaflet."""

    paper: Paper = "a4"
    size: Size = "large"
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
