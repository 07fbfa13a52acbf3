"""What ``brand.yaml`` may say. No I/O: ``brand.load`` reads and checks the files it names."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from generator.brand.contrast import BODY_TEXT, LARGE_TEXT
from generator.content.model import Block, LanguageTag, Line, Slug, Text, web_address

Colour = Annotated[str, StringConstraints(pattern=r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")]
# A file inside the brand folder, given relative to it.
BrandFile = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
# The footer shares one line with "Last reviewed" and "Page X of Y".
FooterName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]


class Logo(Block):
    file: BrandFile = Field(description="SVG, PNG or JPEG file inside the brand folder, at most 2 MB.")
    alt: Line = Field(description="Text alternative, read aloud by screen readers. Usually the organisation's name.")


class Colours(Block):
    """Brand colours. Text colours are checked against the white page."""

    primary: Colour | None = Field(
        default=None, description=f"Section headings. Needs {LARGE_TEXT}:1 against white (headings are large text)."
    )
    accent: Colour | None = Field(
        default=None,
        description="The brand name on page 1 and in the footer, and the border of the contact box. "
        f"Needs {BODY_TEXT}:1 against white (it is body-size text).",
    )
    shade: Colour | None = Field(
        default=None, description="Decoration only, never behind or as text: the band under the page-1 header."
    )


class Font(Block):
    regular: BrandFile = Field(description="WOFF2, WOFF, TTF or OTF file inside the brand folder.")
    bold: BrandFile | None = Field(default=None, description="The bold weight, used for headings and warnings.")


class Contact(Block):
    phone: Line | None = None
    address: Text | None = None
    website: web_address(200) | None = Field(
        default=None, description="Printed as text and as a QR code."
    )
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)] | None = None
    opening_hours: Text | None = None


class BrandSettings(Block):
    """``brand.yaml``: how a clinic or pharmacy brands its leaflets.

    A brand that ``extends`` another inherits every key it does not give;
    ``colours`` and ``contact`` are merged key by key.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Leaflet brand",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    name: Line | None = Field(default=None, description="Display name, printed on page 1 and in the footer of every page.")
    names: dict[LanguageTag, Line] | None = Field(
        default=None,
        description="The name in other languages, by BCP 47 tag (es: Información sobre medicamentos). A leaflet "
        "in one of them prints that name, also in the footer and as the logo's text alternative where those "
        "are the name; a leaflet in any other language prints name. Set with the name: a brand that gives its "
        "own name does not inherit these.",
    )
    short_name: FooterName | None = Field(
        default=None,
        description="A shorter name for the footer of every page, where the full name, the review date and "
        "the page number would not fit on one line. \"\" leaves the name out of the footer. "
        "Set with the name: a brand that gives its own name does not inherit this.",
    )
    extends: Slug | None = Field(default=None, description="Another brand to start from, by folder name.")
    logo: Logo | None = None
    colours: Colours | None = None
    font: Font | None = None
    contact: Contact | None = None
    footer: Text | None = Field(default=None, description="Printed at the end of the leaflet, under the contact details.")
