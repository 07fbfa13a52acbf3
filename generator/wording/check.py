"""``leaflet check`` for one file: validity, wording and review, without rendering."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.content.load import leaflet_from
from generator.content.model import Leaflet
from generator.content.source import read_yaml
from generator.content.translation import check_translation
from generator.problems import Finding, LeafletError
from generator.wording.plain_language import Wording, check_wording
from generator.wording.review import check_review
from generator.wording.settings import Settings


@dataclass
class LeafletCheck:
    file: Path
    findings: list[Finding] = field(default_factory=list)
    wording: Wording | None = None  # None when the leaflet is not valid, so not scored
    leaflet: Leaflet | None = None  # None when it is not valid

    @property
    def id(self) -> str | None:
        return self.leaflet.id if self.leaflet else None

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        return bool(self.count("error") or (strict and self.count("warning")))


def check_leaflet(path: Path, settings: Settings, today: dt.date | None = None) -> LeafletCheck:
    """Every problem in one leaflet file. The wording is checked only once the file is valid."""
    try:
        source = read_yaml(path)  # kept for the line numbers of what the wording check finds
        leaflet = leaflet_from(source)
    except LeafletError as exc:
        return LeafletCheck(path, [Finding("error", "invalid", p) for p in exc.problems])
    wording = check_wording(leaflet, source, settings)
    findings = wording.findings + check_review(leaflet, source, settings, today or dt.date.today())
    findings += check_translation(leaflet, path, source)
    findings.sort(key=lambda f: f.sort_key)
    return LeafletCheck(path, findings, wording, leaflet)
