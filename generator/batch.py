"""Batch builds: every leaflet with every brand, paper and size.

The plan is made in the main process from file hashes alone (see
``manifest``): outputs whose inputs have not changed are skipped without
parsing or rendering anything. The rest are rendered on warm worker
processes, each keeping its PDF renderer (fonts, parsed CSS) and Jinja
environments for many leaflets, and recycled after ``RENDERS_PER_WORKER``
so memory cannot creep.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .brand import Brand, load_brand
from .build import Format, Result, build, check_file
from .html import Options
from .manifest import Manifest, file_digest, folder_digest, tool_digest
from .model import Leaflet
from .problems import LeafletError, Problem

RENDERS_PER_WORKER = 100


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
    version: str,
    force: bool = False,
) -> Plan:
    """Decide what to build. Every leaflet that needs building is checked here,
    so two jobs that would write the same file are refused before any render."""
    result = Plan()
    single = len(variants) == 1
    tool = tool_digest(version)
    claimed: dict[Path, Path] = {}
    checked: dict[Path, Leaflet | LeafletError] = {}

    def leaflet_of(path: Path) -> Leaflet | LeafletError:
        if path not in checked:
            try:
                checked[path] = check_file(path)
            except LeafletError as exc:
                checked[path] = exc
        return checked[path]

    for path in files:
        try:
            content = file_digest(path)
        except OSError:
            content = "unreadable"  # check_file reports why
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


def run(plan: Plan, fmt: Format, jobs: int, manifest: Manifest) -> Iterator[Result]:
    """Build the plan's jobs, yielding each result as it finishes, and keep the manifest current."""
    todo = plan.todo
    try:
        if jobs <= 1 or len(todo) <= 1:
            # In this process the brand is already loaded: no need to load it again.
            results = (
                (job, build(job.source, job.leaflet, Options(paper=job.variant.paper, size=job.variant.size, brand=job.variant.brand), fmt, job.target))
                for job in todo
            )
        else:
            results = _in_parallel(todo, jobs, fmt)
        for job, result in results:
            if result.ok:
                manifest.record(job.identity, job.key, job.target)
            else:
                manifest.forget(job.identity)
            yield result
    finally:
        manifest.save()


def _in_parallel(todo: list[Job], jobs: int, fmt: Format) -> Iterator[tuple[Job, Result]]:
    # forkserver: workers start from a clean, small process rather than a copy
    # of this one; for PDFs the server preloads the engine so each new worker
    # is warm. HTML needs no PDF engine at all.
    context = multiprocessing.get_context("forkserver")
    engine = ["weasyprint", "pikepdf", "pypdfium2"] if fmt == "pdf" else []
    context.set_forkserver_preload(["generator.batch", *engine])
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(todo)),
        mp_context=context,
        max_tasks_per_child=RENDERS_PER_WORKER,
        initializer=_warm_up if fmt == "pdf" else None,
    ) as pool:
        # Keep only a few tasks queued per worker, so an interrupted run
        # stops soon and the queue never holds every leaflet at once.
        pending: dict = {}
        # Longest first (file size is a fair guess), so the last jobs are
        # short ones and no core waits idle at the end while one finishes.
        # Workers get the brand's folder and load it once each (see _brand).
        work = [(job.source, job.leaflet, str(job.variant.brand.folder), job.variant.paper, job.variant.size, fmt, job.target) for job in todo]
        queue = sorted(zip(todo, work), key=lambda item: _size(item[0].source))
        try:
            while queue or pending:
                while queue and len(pending) < jobs * 2:
                    job, args = queue.pop()
                    pending[pool.submit(_work, *args)] = job
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    job = pending.pop(future)
                    try:
                        yield job, future.result()
                    except Exception as exc:  # a worker died (out of memory, killed)
                        yield job, Result(job.source, problems=[Problem(job.source, None, (), f"the build process stopped: {exc}")], status="failed")
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _warm_up() -> None:
    from .build import renderer

    renderer()


@cache
def _brand(folder: str) -> Brand:
    return load_brand(Path(folder))


def _work(source: Path, leaflet: Leaflet, brand: str, paper: str, size: str, fmt: Format, target: Path) -> Result:
    """One output; runs in a worker process (or in this one with --jobs 1)."""
    return build(source, leaflet, Options(paper=paper, size=size, brand=_brand(brand)), fmt, target)


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
