"""The leaflet content model: what a leaflet YAML file may say.

No I/O happens here. ``content.load`` turns a file into these objects, and
``content.rules`` decides which sections a leaflet must have (that rule is
data, kept in ``required_sections.yaml``, so most sections are optional here).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

from generator.resources import WEB_ADDRESS

# One line of text: no leading/trailing spaces, never empty.
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ShortLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
# Free text. Blank lines separate paragraphs.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]

# BCP 47 language tag: a 2-3 letter language, then optional subtags
# (script, region, variant), e.g. "en", "en-GB", "sr-Latn-RS".
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")]
# Lower-case letters, digits and hyphens: a leaflet's id, a brand's folder name.
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


def web_address(max_length: int):
    """A web address the leaflet prints (``resources.WEB_ADDRESS``)."""
    return Annotated[str, StringConstraints(pattern=WEB_ADDRESS, max_length=max_length)]


def most_specific(tag: str, by_language: dict[str, str]) -> str | None:
    """The value for the longest prefix of ``tag`` that ``by_language`` has
    (keys in lower case): ``en-GB`` takes ``en-gb``, else ``en``; None if none."""
    parts = tag.lower().replace("_", "-").split("-")
    for end in range(len(parts), 0, -1):
        found = by_language.get("-".join(parts[:end]))
        if found:
            return found
    return None


def language_matches(tag: str, wanted: str) -> bool:
    """BCP 47 basic filtering (RFC 4647): ``en`` matches ``en`` and ``en-GB``, ``en-GB`` only ``en-GB``."""
    tag, wanted = tag.lower(), wanted.lower()
    return tag == wanted or tag.startswith(wanted + "-")


# Blank lines separate the paragraphs of a ``Text``.
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def paragraphs(text: str | None) -> list[str]:
    """``Text`` split on blank lines; single line breaks inside a paragraph become spaces."""
    if not text:
        return []
    return [" ".join(p.split()) for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]


# A sentence ends at . ! ? or the Arabic ؟ (and any closing quote or
# bracket) before a space and what starts a sentence: a capital (É and Ñ too),
# a digit, an opening quote or bracket, the Spanish ¿ or ¡, or an Arabic letter
# or digit (Arabic has no capitals). "www.nhs.uk" and "e.g. this" do not end one.
_SENTENCE_END = re.compile(
    r"(?<=[.!?؟])[\"'”’)»]*\s+(?=[\"'“‘(«¿¡]*[A-Z0-9À-ÖØ-Þ\u0620-\u064A\u0660-\u0669\u0671-\u06D3])"
)


def sentences(text: str | None) -> list[str]:
    """Split text into sentences. A paragraph break always ends one."""
    out = []
    for paragraph in paragraphs(text):
        out.extend(s for s in _SENTENCE_END.split(paragraph) if s)
    return out


def sentence_ends(paragraph: str) -> list[int]:
    """Where each sentence but the last of one paragraph ends: just after its
    full stop (and any closing quote or bracket), before the space."""
    return [match.start() + len(match[0].rstrip()) for match in _SENTENCE_END.finditer(paragraph)]


class Block(BaseModel):
    """Base for every mapping in a leaflet: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceLeaflet(Block):
    """The manufacturer's or regulator's leaflet this content was checked against."""

    title: Line = Field(description="Its title, as printed on it.")
    revised: dt.date = Field(description="The date it was last revised, as YYYY-MM-DD.")


class Medicine(Block):
    name: Line = Field(description="The medicine's generic name, e.g. Clonazepam.")
    other_names: list[Line] = Field(
        default_factory=list, description="Brand names and other names the patient may see on the box."
    )
    drug_class: Line = Field(description="The type of medicine, in plain words where possible.")
    has_boxed_warning: StrictBool = Field(
        default=False,
        description="True when a regulator (such as the FDA) gives this medicine a boxed warning. "
        "The leaflet must then have a boxed_warning section.",
    )
    # Product details, all optional, printed in the medicine line on page 1.
    strengths: list[Line] = Field(
        default_factory=list,
        description="The strengths, as on the box, e.g. '200 mg'. Never a dose for a patient. "
        "Decimals are fine here: they must match the box.",
    )
    form: Line | None = Field(default=None, description="What it comes as, e.g. 'tablets' or 'oral solution'.")
    route: Line | None = Field(default=None, description="How it is taken, in plain words, e.g. 'by mouth'.")
    source_leaflet: SourceLeaflet | None = Field(
        default=None, description="The manufacturer's or regulator's leaflet the content was checked against."
    )


class Body(Block):
    """What every section and sub-section may hold, printed in the order of
    ``section`` in templates/print_order.yaml. At least one is needed."""

    text: Text | None = Field(default=None, description="Paragraphs. Separate paragraphs with a blank line.")
    points: list[Text] = Field(default_factory=list, description="Bullet points.")
    steps: list[Text] = Field(default_factory=list, description="Numbered steps, in the order to do them.")

    @model_validator(mode="after")
    def _not_empty(self) -> "Body":
        if not any(getattr(self, name) for name in type(self).model_fields if name != "heading"):
            allowed = ", ".join(f"'{name}'" for name in type(self).model_fields if name != "heading")
            raise ValueError(f"this needs at least one of {allowed}")
        return self


class SubSection(Body):
    """Part of a section, with its own heading, printed one level below the section's."""

    heading: Line


class Section(Body):
    """A section: paragraphs, bullet points, numbered steps and sub-sections, as needed."""

    subsections: list[SubSection] = Field(
        default_factory=list, description="Parts with their own headings, printed after the rest of the section."
    )


class WhoShouldNotTake(Section):
    """As in every QRD leaflet: who must not take it, and who should ask first."""

    do_not_take: list[Text] = Field(
        default_factory=list, description="Printed as a list under 'Do not take <medicine> if:'."
    )
    check_first: list[Text] = Field(
        default_factory=list,
        description="Printed as a list under 'Check with your doctor or pharmacist first if:'.",
    )


class BoxedWarning(Block):
    title: Line = Field(description="Short heading inside the box.")
    text: Text = Field(description="What the danger is, in plain words.")
    points: list[Text] = Field(default_factory=list, description="Bullet points, printed after the text.")
    action: Text = Field(description="What the patient should do about it.")
    action_points: list[Text] = Field(default_factory=list, description="Bullet points, printed after the action.")


class Warning(Block):
    title: Line
    text: Text = Field(description="What the risk is, in plain words.")
    points: list[Text] = Field(
        default_factory=list, description="Bullet points, printed after the text, e.g. symptoms to look for."
    )
    action: Text = Field(description="What to do about it.")
    action_points: list[Text] = Field(default_factory=list, description="Bullet points, printed after the action.")


class Use(Block):
    name: Line = Field(description="The condition, in plain words (medical term in brackets if useful).")
    text: Text = Field(description="A plain explanation of how the medicine helps with it.")


class Uses(Block):
    intro: Text | None = None
    items: list[Use] = Field(min_length=1)


# How often a side effect happens, in the bands of EU QRD and MHRA leaflets.
# Each is printed in words (templates/messages/: frequency_<band>).
Frequency = Literal["very_common", "common", "uncommon", "rare", "very_rare", "not_known"]


class SideEffect(Block):
    name: Line = Field(description="The side effect, in plain words.")
    frequency: Frequency | None = Field(
        default=None,
        description="How often it happens: very_common (more than 1 in 10 people), common (up to 1 in 10), "
        "uncommon (up to 1 in 100), rare (up to 1 in 1,000), very_rare (up to 1 in 10,000) or not_known.",
    )
    detail: Text | None = Field(default=None, description="Optional extra explanation.")


class SideEffectGroup(Block):
    intro: Text | None = None
    action: Text | None = Field(
        default=None,
        description="What to do if the patient gets one of these. Defaults to the standard wording "
        "from the message catalogue.",
    )
    items: list[SideEffect] = Field(min_length=1)


class Coping(Block):
    effect: Line
    advice: Text


class SideEffects(Block):
    """Grouped by what the patient should do, as the MHRA advises; each side
    effect may also say how often it happens (``frequency``)."""

    intro: Text | None = None
    common: SideEffectGroup | None = Field(
        default=None, description="Tell your doctor or pharmacist if these bother you."
    )
    serious: SideEffectGroup | None = Field(default=None, description="Get medical help now.")
    coping: list[Coping] = Field(default_factory=list, description="How to cope with common side effects.")


class ComparisonMedicine(Block):
    name: Line = Field(description="Generic name. The column whose name matches medicine.name is marked.")
    other_names: list[Line] = Field(default_factory=list, description="Brand names, shown under the name.")


class ComparisonRow(Block):
    feature: Line = Field(description="The row label, e.g. 'Risk of dependence'.")
    cells: list[Text] = Field(min_length=1, description="One cell per medicine, in column order.")


class Comparison(Block):
    caption: Line
    medicines: list[ComparisonMedicine] = Field(min_length=2, max_length=6)
    rows: list[ComparisonRow] = Field(min_length=1)
    note: Text | None = Field(default=None, description="Printed under the table.")


class Question(Block):
    question: Line
    answer: Text


class ExtraSection(Section):
    """A free-form section for local content, with its own heading."""

    heading: Line


class Source(Block):
    title: Line
    url: web_address(500) | None = None
    publication: Line | None = Field(default=None, description="Publisher, journal or book, with year.")

    @model_validator(mode="after")
    def _where(self) -> "Source":
        if self.url is None and self.publication is None:
            raise ValueError("a source needs a 'url' or a 'publication'")
        return self


class Review(Block):
    status: Literal["example", "draft", "approved"] = Field(
        description="'approved' only when a named pharmacist has reviewed the content. "
        "Example and draft leaflets print a notice on every page."
    )
    last_reviewed: dt.date = Field(description="Date of the last review, as YYYY-MM-DD.")
    reviewed_by: Line | None = Field(default=None, description="Who reviewed it. Required when approved.")
    sources: list[Source] = Field(default_factory=list)


# A line or two of the counter sheet.
SheetLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Sheet(Block):
    """The counter sheet (``leaflet build --edition sheet``): the must-knows
    and a box the pharmacist fills in, made from the rest of the leaflet.
    Each key here chooses or shortens a part of it; without this block the
    sheet prints every key fact and every serious side effect."""

    key_facts: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None, min_length=1, description="Which key facts to print, by number: 1 is the first."
    )
    serious_side_effects: list[Annotated[int, Field(ge=1)]] | None = Field(
        default=None,
        min_length=1,
        description="Which serious side effects (get help now) to print, by number: 1 is the first.",
    )
    how_to_take: SheetLine | None = Field(
        default=None,
        description="How to take it, in one or two lines, never a dose. Without it, the first sentence of "
        "how_to_take with 'exactly as' in it, or the catalogue's 'Take it exactly as your doctor or "
        "pharmacist tells you'.",
    )
    stopping: SheetLine | None = Field(
        default=None,
        description="What to know about stopping, in one or two lines. Without it, the first sentence of "
        "stopping with 'suddenly' in it, if there is one.",
    )


# A section's fingerprint: the start of the SHA-256 of its content (content.translation).
Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12}$")]


class Translation(Block):
    """A leaflet translated from another. The file is named after its source
    and its language, beside it: clonazepam.es.yaml translates clonazepam.yaml."""

    translated_by: Line = Field(description="Who translated it.")
    reviewed_by: Line | None = Field(
        default=None,
        description="The pharmacist who checked the translation. Until one is named, every edition says "
        "the translation is not yet checked.",
    )
    sections: dict[Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")], Fingerprint] = Field(
        default_factory=dict,
        description="Each section of the source as it stood when translated, by its fingerprint. "
        "leaflet check names the sections that have changed since, and gives their new fingerprints.",
    )


class Leaflet(Block):
    """A patient leaflet about one medicine."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="Patient leaflet",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    id: Slug = Field(
        description="Lower-case letters, digits and hyphens. Names the output file."
    )
    language: LanguageTag = Field(
        description="BCP 47 language tag, e.g. en-GB."
    )
    title: Line = Field(description="The leaflet title, printed at the top of page 1.")
    short_title: ShortLine | None = Field(
        default=None,
        description="A shorter title for the running header of every page, which must fit on one line "
        "at every print size. Without it, the title is used.",
    )
    medicine: Medicine
    key_facts: list[Line] = Field(
        default_factory=list, min_length=3, max_length=6, description="3 to 6 short points, printed first."
    )
    boxed_warning: BoxedWarning | None = None
    warnings: list[Warning] = Field(default_factory=list)
    uses: Uses | None = None
    how_it_works: Section | None = None
    who_should_not_take: WhoShouldNotTake | None = Field(
        default=None, description="Who should not take it, or should check with a doctor first."
    )
    how_to_take: Section | None = None
    missed_dose: Section | None = None
    too_much: Section | None = Field(default=None, description="If you take too much.")
    other_medicines: Section | None = Field(
        default=None, description="Taking it with other medicines, food or alcohol."
    )
    pregnancy: Section | None = Field(default=None, description="Pregnancy and breastfeeding.")
    driving: Section | None = Field(default=None, description="Driving and using machines.")
    side_effects: SideEffects | None = None
    stopping: Section | None = Field(default=None, description="Stopping the medicine safely.")
    storage: Section | None = None
    comparison: Comparison | None = None
    questions: list[Question] = Field(default_factory=list, description="Common questions.")
    extra_sections: list[ExtraSection] = Field(
        default_factory=list, description="Local content, printed before 'More information'."
    )
    more_information: Section | None = Field(default=None, description="Where to get help and ask questions.")
    review: Review
    sheet: Sheet | None = Field(default=None, description="What the counter sheet prints, where it differs.")
    translation: Translation | None = Field(
        default=None, description="For a translated leaflet: who translated and checked it, and from which version."
    )
