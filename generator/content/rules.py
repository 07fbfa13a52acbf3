"""Content checks that need no rendering: required sections and consistency.

The list of required sections is data (``required_sections.yaml``); the same
list drives the check of the built PDF in ``verify``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from generator.content.catalogue import catalogue
from generator.content.model import Leaflet
from generator.content.source import Source
from generator.problems import KeyPath, Problem


@dataclass(frozen=True)
class RequiredSection:
    path: str
    heading: str
    why: str
    min_items: int = 1
    when: str | None = None
    print: str | None = None

    @property
    def keys(self) -> KeyPath:
        return tuple(self.path.split("."))


@cache
def required_sections() -> tuple[RequiredSection, ...]:
    text = files(__package__).joinpath("required_sections.yaml").read_text("utf-8")
    return tuple(RequiredSection(**entry) for entry in yaml.safe_load(text))


def lookup(leaflet: Leaflet | dict, dotted: str) -> Any:
    """``lookup(leaflet, "side_effects.common")`` -> the value, or None if absent.

    Works on a ``Leaflet`` and on the raw YAML data, so missing sections are
    reported even when the rest of the file does not validate.
    """
    value: Any = leaflet
    for key in dotted.split("."):
        value = value.get(key) if isinstance(value, dict) else getattr(value, key, None)
        if value is None:
            return None
    return value


def applies(section: RequiredSection, leaflet: Leaflet | dict) -> bool:
    return section.when is None or lookup(leaflet, section.when) is True


def missing_sections(source: Source) -> list[Problem]:
    """Required sections absent from the YAML, whether or not it validates."""
    leaflet = source.data
    problems = []
    for section in required_sections():
        if not applies(section, leaflet):
            continue
        value = lookup(leaflet, section.path)
        if value is None or (isinstance(value, (list, tuple)) and len(value) < section.min_items):
            need = f" with at least {section.min_items} item(s)" if isinstance(value, (list, tuple)) else ""
            because = f" (because {section.when} is true)" if section.when else ""
            problems.append(
                source.problem(section.keys, f"required section is missing{need}{because}: {section.why}")
            )
    return problems


def consistency(leaflet: Leaflet, source: Source) -> list[Problem]:
    """Rules that tie one part of a valid leaflet to another."""
    problems = []
    review = leaflet.review
    if review.status == "approved" and not review.reviewed_by:
        problems.append(
            source.problem(("review", "status"), "an approved leaflet must say who approved it in review.reviewed_by")
        )
    if leaflet.boxed_warning and not leaflet.medicine.has_boxed_warning:
        problems.append(
            source.problem(
                ("boxed_warning",),
                "a boxed warning is given but medicine.has_boxed_warning is false; set it to true if the medicine has one",
            )
        )
    if leaflet.comparison:
        table = leaflet.comparison
        names = [m.name.casefold() for m in table.medicines]
        if names.count(leaflet.medicine.name.casefold()) != 1:
            problems.append(
                source.problem(
                    ("comparison", "medicines"),
                    f"exactly one column must be this leaflet's medicine ('{leaflet.medicine.name}'), "
                    f"found {names.count(leaflet.medicine.name.casefold())}",
                )
            )
        for index, row in enumerate(table.rows):
            if len(row.cells) != len(table.medicines):
                problems.append(
                    source.problem(
                        ("comparison", "rows", index, "cells"),
                        f"expected {len(table.medicines)} cells (one per medicine), found {len(row.cells)}",
                    )
                )
    try:
        catalogue(leaflet.language)
    except LookupError as exc:
        problems.append(source.problem(("language",), str(exc)))
    return problems
