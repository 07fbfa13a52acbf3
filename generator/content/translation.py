"""Translated leaflets: which leaflet each one translates, and whether it
still matches it.

A translation is a leaflet file of its own, named after its source and its
language and kept beside it: ``clonazepam.es.yaml`` translates
``clonazepam.yaml``. Its ``translation.sections`` record a fingerprint of
each section of the source as it stood when translated. When the source
changes, ``leaflet check`` names the sections that changed, so a patient
never gets a translation of an older leaflet without anyone knowing.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from generator.content.load import load_leaflet
from generator.content.model import Leaflet
from generator.content.source import Source
from generator.problems import Finding, LeafletError

# clonazepam.es.yaml, clonazepam.pt-BR.yaml: a source name, then a language tag.
_NAME = re.compile(r"^(?P<source>.+)\.(?P<language>[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{1,8})*)$")
# Not sections a translator translates: the leaflet's own identity, its
# review (dates and sources, checked on each leaflet), and this record.
UNTRANSLATED = ("id", "language", "review", "translation")


def source_file(path: Path) -> Path | None:
    """The leaflet that ``path`` translates, by its name, or None if its name names none."""
    match = _NAME.match(path.stem)
    return path.with_name(match["source"] + path.suffix) if match else None


def fingerprint(data) -> str:
    """A section's content (as JSON data), in 12 hex digits: any change to its words changes it."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def sections(leaflet: Leaflet) -> dict[str, str]:
    """Each section the leaflet gives, by its fingerprint."""
    data = leaflet.model_dump(mode="json", exclude=set(UNTRANSLATED))
    return {name: fingerprint(value) for name, value in data.items() if value not in (None, [], "")}


def check_translation(leaflet: Leaflet, path: Path, source: Source) -> list[Finding]:
    """For a translated leaflet: its source must exist and be valid, every
    section of the source must be translated (an error), and a section that
    changed in the source since it was translated is a warning."""
    if leaflet.translation is None:
        return []
    where = ("translation",)
    original = source_file(path)
    if original is None or not original.is_file():
        expected = f"{original.name}, beside it" if original else "a name such as clonazepam.es.yaml"
        return [Finding("error", "translation-source", source.problem(where, f"a translation needs its source leaflet: {expected}"))]
    try:
        current = sections(load_leaflet(original))
    except LeafletError as exc:
        return [Finding("error", "translation-source", source.problem(where, f"its source {original.name} is not valid: {exc.problems[0]}"))]
    given = sections(leaflet)
    recorded = leaflet.translation.sections
    findings = []
    for name, now in current.items():
        if name not in given:
            findings.append(Finding("error", "translation-missing", source.problem(
                (name,), f"section {name} of {original.name} is not translated; translate it (it is never printed in English)"
            )))
        elif name not in recorded:
            findings.append(Finding("warning", "translation-stale", source.problem(
                where + ("sections",), f"no fingerprint for section {name}: once it matches {original.name}, "
                f"set translation.sections.{name} to {now}"
            )))
        elif recorded[name] != now:
            findings.append(Finding("warning", "translation-stale", source.problem(
                where + ("sections", name), f"section {name} has changed in {original.name} since it was translated: "
                f"update the translation, then set translation.sections.{name} to {now}"
            )))
    return findings
