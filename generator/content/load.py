"""The content stage for one leaflet: read, validate and apply the rules.

``load_leaflet`` is what every command runs first. It raises
``LeafletError`` with every problem in the file, so a pharmacist can fix
them in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.content.model import Leaflet, language_matches
from generator.content.rules import consistency, missing_sections
from generator.content.sheet import sheet_problems
from generator.content.source import Source, read_yaml
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


def file_language(path: Path) -> str | None:
    """The ``language`` a leaflet file gives, or None when it cannot be read (its check will say why)."""
    try:
        data = read_yaml(path).data
    except LeafletError:
        return None
    language = data.get("language") if isinstance(data, dict) else None
    return language if isinstance(language, str) else None


def select_languages(files: Iterable[Path], languages: Iterable[str]) -> list[Path]:
    """The files in one of ``languages`` (all files when none are given). A
    file whose language cannot be read is kept, so that its check reports
    what is wrong with it. Raises ``ValueError`` naming a language that no
    file is in, and the languages there are."""
    files, languages = list(files), list(languages)
    if not languages:
        return files
    found = {path: file_language(path) for path in files}
    tags = sorted({tag for tag in found.values() if tag})
    missing = [w for w in languages if not any(language_matches(tag, w) for tag in tags)]
    if missing:
        raise ValueError(f"no leaflet is in {', '.join(missing)}; the leaflets given are in {', '.join(tags) or 'no language'}")
    return [path for path, tag in found.items() if tag is None or any(language_matches(tag, w) for w in languages)]


def load_leaflet(path: Path) -> Leaflet:
    """Load, validate and check one leaflet. Raises ``LeafletError`` with every problem."""
    return leaflet_from(read_yaml(path))


def leaflet_from(source: Source) -> Leaflet:
    """Validate and check one leaflet file's YAML, read. Raises ``LeafletError`` with every problem."""
    leaflet, problems = validate(source, Leaflet)
    if isinstance(source.data, dict):
        problems += missing_sections(source)
    if leaflet is not None:
        problems += consistency(leaflet, source) + sheet_problems(leaflet, source)
    if problems:
        raise LeafletError(sorted(set(problems), key=lambda p: (p.line or 0, str(p))))
    return leaflet
