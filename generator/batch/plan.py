"""Plan a batch: every leaflet with every brand, paper and size, and which
outputs must be built.

The plan is made in the main process from file hashes alone (see
``manifest``): outputs whose inputs have not changed are skipped without
parsing or rendering anything. Every leaflet that needs building is checked
here, once however many outputs it has, as ``leaflet check`` checks it:
validity, wording and review. A leaflet with an error (or, when strict, a
warning) gets no output; two that would write the same file are refused
before any render.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.batch.build import UNPAGED, Format, Result
from generator.batch.manifest import Manifest, file_digest, folder_digest, tool_digest
from generator.brand.load import Brand
from generator.content.model import Leaflet
from generator.content.translation import source_file
from generator.problems import Finding, Problem
from generator.render.geometry import Options
from generator.resources import VERSION
from generator.wording.check import check_leaflet
from generator.wording.settings import Settings


@dataclass(frozen=True)
class Variant:
    """One brand, paper, size and edition."""

    brand: Brand
    paper: str
    size: str
    edition: str = "full"

    def options(self) -> Options:
        return Options(paper=self.paper, size=self.size, edition=self.edition, brand=self.brand)


@dataclass
class Job:
    source: Path
    variant: Variant
    identity: str
    key: str
    leaflet: Leaflet | None = None
    target: Path | None = None
    warnings: list[Finding] = field(default_factory=list)
    fmt: Format = "pdf"


@dataclass
class Checked:
    """One leaflet file, checked for a build: the leaflet when it has no errors."""

    leaflet: Leaflet | None
    errors: list[Problem]
    warnings: list[Finding]

    def failed(self, strict: bool = False) -> bool:
        return self.leaflet is None or bool(strict and self.warnings)

    def refused(self, path: Path) -> Result:
        return Result(path, problems=self.errors, warnings=self.warnings, status="failed")


def check_for_build(path: Path, settings: Settings, today: dt.date | None = None) -> Checked:
    """``leaflet check`` on one file (validity, wording, review), and the leaflet to build if it has no errors."""
    checked = check_leaflet(path, settings, today)
    errors = [f.problem for f in checked.findings if f.severity == "error"]
    warnings = [f for f in checked.findings if f.severity != "error"]
    return Checked(None if errors else checked.leaflet, errors, warnings)


def settings_digest(settings: Settings) -> str:
    """The settings as they apply: every threshold and the whole jargon list.

    Not the settings file's bytes, so a comment in leaflet.toml, or another
    tool's table in pyproject.toml, rebuilds nothing, while a change to a
    jargon list that leaflet.toml names rebuilds what it checks.
    """
    data = [settings.config.model_dump(mode="json"), [dataclasses.asdict(t) for t in settings.terms]]
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def remember(warnings: list[Finding], source: Path) -> list[dict]:
    """Warnings as the manifest keeps them. The leaflet's own file is not named,
    so a rerun that spells its path differently prints the path it was given."""
    return [
        {
            "severity": f.severity, "code": f.code, "line": f.problem.line, "path": list(f.problem.path),
            "message": f.problem.message, "suggestion": f.suggestion,
            **({} if f.problem.file == source else {"file": str(f.problem.file)}),
        }
        for f in warnings
    ]


def recall(entries: list[dict], source: Path) -> list[Finding] | None:
    """Warnings from the manifest (see ``remember``); None if they cannot be read."""
    try:
        return [
            Finding(
                e["severity"], e["code"],
                Problem(Path(e["file"]) if "file" in e else source, e["line"], tuple(e["path"]), e["message"]),
                e["suggestion"],
            )
            for e in entries
        ]
    except (KeyError, TypeError, ValueError):
        return None


def longest_first(jobs: Sequence[Job]) -> list[Job]:
    """Jobs to hand out by ``pop()``, longest first (file size is a fair
    guess), so the last jobs are short ones and no worker waits idle at the
    end while one finishes."""
    return sorted(jobs, key=lambda job: _size(job.source))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass
class Plan:
    out_dir: Path
    manifest: Manifest
    todo: list[Job] = field(default_factory=list)
    # Decided without rendering: unchanged outputs and refused jobs.
    done: list[Result] = field(default_factory=list)
    # Workers started while planning, for the run: a process pool
    # (workers.start) or a cluster connection (cluster.Connecting).
    pool: Any = None

    @property
    def total(self) -> int:
        return len(self.todo) + len(self.done)


def output_name(leaflet: Leaflet, edition: str, fmt: Format, *, with_language: bool = True) -> str:
    """``<id>.pdf`` for the full leaflet, ``<id>.sheet.pdf`` for the counter
    sheet; a translation adds its language, as its file name does
    (``clonazepam.es.pdf``, ``clonazepam.es.sheet.pdf``), unless a language
    folder already says it."""
    parts = [leaflet.id]
    if leaflet.translation and with_language:
        parts.append(leaflet.language)
    if edition != "full":
        parts.append(edition)
    return ".".join([*parts, fmt])


def output_path(out_dir: Path, leaflet: Leaflet, variant: Variant, fmt: Format, single: bool) -> Path:
    """``out/<id>.pdf`` for one combination of brand, paper and size;
    ``out/<brand>/<paper>/<size>/<language>/<id>.pdf`` for a matrix, where
    each language has its folder (``out/<brand>/<language>/<id>.txt`` for a
    format without print size or paper). Editions sit side by side."""
    if single:
        return out_dir / output_name(leaflet, variant.edition, fmt)
    shape = () if fmt in UNPAGED else (variant.paper, variant.size)
    folder = out_dir.joinpath(variant.brand.id, *shape, leaflet.language)
    return folder / output_name(leaflet, variant.edition, fmt, with_language=False)


def plan(
    files: Sequence[Path],
    variants: Sequence[Variant],
    formats: Sequence[Format],
    out_dir: Path,
    manifest: Manifest,
    force: bool = False,
    *,
    settings: Settings,
    strict: bool = False,
    today: dt.date | None = None,
    matrix: bool | None = None,
    on_many: Callable[[], None] = lambda: None,
) -> Plan:
    """Decide what to build, checking each leaflet that needs building once.
    ``matrix`` None: the matrix layout only for several brands, papers or sizes.
    ``on_many`` is called once, as a second output is found to build: a run
    worth starting worker processes for (one output is built in this one)."""
    result = Plan(out_dir, manifest)
    # One brand, paper and size writes straight into out_dir, whatever the editions.
    single = len({(v.brand.folder, v.paper, v.size) for v in variants}) == 1 if matrix is None else not matrix
    # A format without print size or paper is built once for all of them.
    once: dict[tuple, Variant] = {}
    for variant in variants:
        once.setdefault((variant.brand.folder, variant.edition), variant)
    unpaged = list(once.values())
    tool = tool_digest(VERSION)
    checks = settings_digest(settings)
    claimed: dict[Path, Path] = {}
    checked: dict[Path, Checked] = {}

    for path in files:
        try:
            content = file_digest(path)
            # A translation is checked against its source: it goes stale when that changes.
            original = source_file(path)
            if original is not None and original.is_file():
                content += file_digest(original)
        except OSError:
            content = "unreadable"  # the check reports why
        for fmt, variant in [(fmt, v) for fmt in formats for v in (unpaged if fmt in UNPAGED else variants)]:
            brand = variant.brand
            shape = [variant.paper, variant.size, variant.edition, fmt]
            identity = "|".join([str(path.resolve()), str(brand.folder.resolve()), *shape, "single" if single else "matrix"])
            key = "|".join([tool, content, checks, *(folder_digest(f.resolve()) for f in brand.folders), *shape])
            if not force:
                existing = manifest.up_to_date(identity, key)
                warnings = recall(manifest.warnings(identity), path) if existing is not None else None
                # Strict: an output built with warnings is checked again, and fails.
                if existing is not None and warnings is not None and not (strict and warnings):
                    claimed[existing] = path
                    size = existing.stat().st_size
                    result.done.append(Result(path, output=existing, size=size, status="unchanged", warnings=warnings))
                    continue
            first_check = path not in checked
            if first_check:
                checked[path] = check_for_build(path, settings, today)
            outcome = checked[path]
            if outcome.failed(strict):
                if first_check:  # a failed leaflet is reported once, not once per variant
                    result.done.append(outcome.refused(path))
                continue
            leaflet = outcome.leaflet
            target = output_path(out_dir, leaflet, variant, fmt, single)
            if target in claimed:
                # Never let one leaflet silently overwrite another's output.
                message = f"id '{leaflet.id}' is also used by {claimed[target]}, and both would write {target}; ids must be unique"
                problems = [Problem(path, None, ("id",), message)]
                result.done.append(Result(path, problems=problems, status="failed", warnings=outcome.warnings))
                continue
            claimed[target] = path
            result.todo.append(Job(path, variant, identity, key, leaflet, target, outcome.warnings, fmt))
            if len(result.todo) == 2:
                on_many()
    return result
