"""What the counter web page can find: every leaflet of a project folder,
grouped by medicine, with its translations, and a forgiving search.

Staff type what the patient says: a generic name, a brand name, a
condition, or the first few letters of any of them ("klon" finds Klonopin
and clonazepam). Case and accents never matter, in any language.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from generator.content.load import find_leaflets, load_leaflet
from generator.content.model import Leaflet
from generator.content.translation import source_file
from generator.problems import LeafletError, Problem


@dataclass
class Edition:
    """One leaflet file: a medicine in one language. ``leaflet`` is None when
    the file has errors, which ``problems`` gives, for staff to see."""

    file: Path
    leaflet: Leaflet | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def language(self) -> str | None:
        return self.leaflet.language if self.leaflet else None


@dataclass
class Medicine:
    """A leaflet and its translations, under the id they share."""

    id: str
    editions: list[Edition] = field(default_factory=list)  # the source first

    @property
    def main(self) -> Leaflet | None:
        return next((edition.leaflet for edition in self.editions if edition.leaflet), None)

    @property
    def languages(self) -> list[str]:
        return [edition.language for edition in self.editions if edition.language]

    def edition(self, language: str | None) -> Edition | None:
        """The edition in ``language`` (the first, the source, when None)."""
        for edition in self.editions:
            if language is None or edition.language == language:
                return edition
        return None

    def words(self) -> str:
        """Everything a search may match, folded."""
        found = [self.id]
        for edition in self.editions:
            leaflet = edition.leaflet
            if leaflet is None:
                found.append(edition.file.stem)
                continue
            found += [leaflet.title, leaflet.short_title or "", leaflet.medicine.name, *leaflet.medicine.other_names]
            if leaflet.uses:
                found += [use.name for use in leaflet.uses.items]
        return fold(" ".join(found))


def fold(text: str) -> str:
    """Lower case, without accents or vowel marks: "Clonazépam" and "clonazepam" match."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


class Index:
    """The leaflets of one folder. Read again whenever a file is added,
    removed or changed, so an edited leaflet shows without a restart."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.medicines: dict[str, Medicine] = {}
        self._seen: tuple = ()
        self._lock = threading.Lock()  # requests come on several threads
        self.refresh()

    def refresh(self) -> None:
        with self._lock:
            files = find_leaflets([self.folder]) if self.folder.is_dir() else []
            seen = tuple((str(path), stamp(path)) for path in files)
            if seen != self._seen:
                self._load(files)
                self._seen = seen

    def _load(self, files: list[Path]) -> None:
        medicines: dict[str, Medicine] = {}
        # Sources before translations, so each medicine's first edition is its source.
        for file in sorted(files, key=lambda path: (source_file(path) is not None and source_file(path).is_file(), path.name)):
            try:
                edition = Edition(file, load_leaflet(file))
            except LeafletError as exc:
                edition = Edition(file, None, exc.problems)
            original = source_file(file)
            key = edition.leaflet.id if edition.leaflet else (original.stem if original and original.is_file() else file.stem)
            medicines.setdefault(key, Medicine(key)).editions.append(edition)
        self.medicines = dict(sorted(medicines.items()))

    def find(self, medicine_id: str) -> Medicine | None:
        self.refresh()
        return self.medicines.get(medicine_id)

    def search(self, query: str) -> list[Medicine]:
        """Medicines whose words hold every word of ``query``; those whose
        name or brand name starts with the query first. An empty query finds all."""
        self.refresh()
        terms = fold(query).split()
        found = [m for m in self.medicines.values() if all(term in m.words() for term in terms)]

        def rank(medicine: Medicine) -> tuple:
            leaflet = medicine.main
            names = [fold(n) for n in ([leaflet.medicine.name, *leaflet.medicine.other_names] if leaflet else [medicine.id])]
            starts = any(name.startswith(terms[0]) for name in names) if terms else False
            return (not starts, medicine.id)

        return sorted(found, key=rank)


def stamp(path: Path) -> tuple[int, int]:
    """When a file last changed, and its size: a cheap sign that it did."""
    try:
        info = path.stat()
    except OSError:
        return (0, 0)
    return (info.st_mtime_ns, info.st_size)
