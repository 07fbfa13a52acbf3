"""Plan a batch: every leaflet with every brand, paper and size, and which
outputs must be built.

The plan is made in the main process from file hashes alone (see
``manifest``): outputs whose inputs have not changed are skipped without
parsing or rendering anything. Every leaflet that needs building is checked
here, so two that would write the same file are refused before any render.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.batch.build import Format, Result
from generator.batch.manifest import Manifest, file_digest, folder_digest, tool_digest
from generator.brand.load import Brand
from generator.content.load import load_leaflet
from generator.content.model import Leaflet
from generator.problems import LeafletError, Problem
from generator.resources import VERSION


@dataclass(frozen=True)
class Variant:
    """One brand, paper and size."""

    brand: Brand
    paper: str
    size: str


@dataclass
class Job:
    source: Path
    variant: Variant
    identity: str
    key: str
    leaflet: Leaflet | None = None
    target: Path | None = None


@dataclass
class Plan:
    out_dir: Path
    manifest: Manifest
    fmt: Format = "pdf"
    todo: list[Job] = field(default_factory=list)
    # Decided without rendering: unchanged outputs and refused jobs.
    done: list[Result] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.todo) + len(self.done)


def output_path(out_dir: Path, leaflet_id: str, variant: Variant, fmt: Format, single: bool) -> Path:
    """``out/<id>.pdf`` for one combination; ``out/<brand>/<paper>/<size>/<id>.pdf`` for a matrix."""
    if single:
        return out_dir / f"{leaflet_id}.{fmt}"
    return out_dir / variant.brand.id / variant.paper / variant.size / f"{leaflet_id}.{fmt}"


def plan(
    files: Sequence[Path],
    variants: Sequence[Variant],
    fmt: Format,
    out_dir: Path,
    manifest: Manifest,
    force: bool = False,
) -> Plan:
    """Decide what to build."""
    result = Plan(out_dir, manifest, fmt)
    single = len(variants) == 1
    tool = tool_digest(VERSION)
    claimed: dict[Path, Path] = {}
    checked: dict[Path, Leaflet | LeafletError] = {}

    def leaflet_of(path: Path) -> Leaflet | LeafletError:
        if path not in checked:
            try:
                checked[path] = load_leaflet(path)
            except LeafletError as exc:
                checked[path] = exc
        return checked[path]

    for path in files:
        try:
            content = file_digest(path)
        except OSError:
            content = "unreadable"  # load_leaflet reports why
        for variant in variants:
            brand = variant.brand
            identity = "|".join([str(path.resolve()), str(brand.folder.resolve()), variant.paper, variant.size, fmt, "single" if single else "matrix"])
            key = "|".join([tool, content, *(folder_digest(f.resolve()) for f in brand.folders), variant.paper, variant.size, fmt])
            if not force:
                existing = manifest.up_to_date(identity, key)
                if existing is not None:
                    claimed[existing] = path
                    result.done.append(Result(path, output=existing, size=existing.stat().st_size, status="unchanged"))
                    continue
            first_check = path not in checked
            leaflet = leaflet_of(path)
            if isinstance(leaflet, LeafletError):
                if first_check:  # a broken leaflet is reported once, not once per variant
                    result.done.append(Result(path, problems=leaflet.problems, status="failed"))
                continue
            target = output_path(out_dir, leaflet.id, variant, fmt, single)
            if target in claimed:
                # Never let one leaflet silently overwrite another's output.
                message = f"id '{leaflet.id}' is also used by {claimed[target]}, and both would write {target}; ids must be unique"
                result.done.append(Result(path, problems=[Problem(path, None, ("id",), message)], status="failed"))
                continue
            claimed[target] = path
            result.todo.append(Job(path, variant, identity, key, leaflet, target))
    return result


