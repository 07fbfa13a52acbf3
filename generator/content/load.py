"""The content stage for one leaflet: read, validate and apply the rules.

``load_leaflet`` is what every command runs first. It raises
``LeafletError`` with every problem in the file, so a pharmacist can fix
them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.content.model import Leaflet
from generator.content.rules import consistency, missing_sections
from generator.content.sheet import sheet_problems
from generator.content.source import read_yaml
from generator.content.validate import validate
from generator.problems import LeafletError

# Where leaflets are looked for when no path is given.
DEFAULT_DIR = Path("leaflets")
SUFFIXES = (".yaml", ".yml")


def find_leaflets(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders give every ``*.yaml`` / ``*.yml`` inside them, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


def load_leaflet(path: Path) -> Leaflet:
    """Load, validate and check one leaflet. Raises ``LeafletError`` with every problem."""
    source = read_yaml(path)
    leaflet, problems = validate(source, Leaflet)
    if isinstance(source.data, dict):
        problems += missing_sections(source)
    if leaflet is not None:
        problems += consistency(leaflet, source) + sheet_problems(leaflet, source)
    if problems:
        raise LeafletError(sorted(set(problems), key=lambda p: (p.line or 0, str(p))))
    return leaflet
