"""Run a planned batch on warm worker processes.

Each worker keeps its PDF renderer (fonts, parsed CSS) and Jinja
environments for many leaflets, and is recycled after
``RENDERS_PER_WORKER`` so memory cannot creep.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import cache
from pathlib import Path

from generator.batch.build import Format, Result, build_output
from generator.batch.manifest import Manifest
from generator.batch.plan import Job, Plan, remember
from generator.brand.load import Brand, load_brand
from generator.content.model import Leaflet
from generator.problems import Problem
from generator.render.geometry import Options

RENDERS_PER_WORKER = 100


def run(plan: Plan, jobs: int) -> Iterator[Result]:
    """Build the plan's jobs, yielding each result as it finishes, and keep the manifest current."""
    todo, manifest = plan.todo, plan.manifest
    try:
        if jobs <= 1 or len(todo) <= 1:
            # In this process the brand is already loaded: no need to load it again.
            results = (
                (job, build_output(job.source, job.leaflet, job.variant.options(), job.fmt, job.target))
                for job in todo
            )
        else:
            results = _in_parallel(todo, jobs)
        for job, result in results:
            settle(job, result, manifest)
            yield result
    finally:
        manifest.save()


def settle(job: Job, result: Result, manifest: Manifest) -> None:
    """Give a finished job's result its leaflet's warnings, and record it in the manifest."""
    result.warnings = job.warnings  # found by the check in the plan, not by the worker
    if result.ok:
        manifest.record(job.identity, job.key, job.target, remember(job.warnings, job.source))
    else:
        manifest.forget(job.identity)


def _in_parallel(todo: list[Job], jobs: int) -> Iterator[tuple[Job, Result]]:
    with worker_pool(min(jobs, len(todo)), "pdf" if any(job.fmt == "pdf" for job in todo) else "html") as pool:
        # Keep only a few tasks queued per worker, so an interrupted run
        # stops soon and the queue never holds every leaflet at once.
        pending: dict = {}
        # Longest first (file size is a fair guess), so the last jobs are
        # short ones and no core waits idle at the end while one finishes.
        # Workers get the brand's folder and load it once each (see _brand).
        work = [job_arguments(job) for job in todo]
        queue = sorted(zip(todo, work), key=lambda item: _size(item[0].source))
        try:
            while queue or pending:
                while queue and len(pending) < jobs * 2:
                    job, args = queue.pop()
                    pending[pool.submit(build_job, *args)] = job
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


def worker_pool(workers: int, fmt: Format = "pdf") -> ProcessPoolExecutor:
    """Warm worker processes for ``submit(build_job, ...)``, each recycled after ``RENDERS_PER_WORKER``."""
    # forkserver: workers start from a clean, small process rather than a copy
    # of this one; for PDFs the server preloads the engine so each new worker
    # is warm. HTML needs no PDF engine at all.
    context = multiprocessing.get_context("forkserver")
    engine = ["weasyprint", "pikepdf", "pypdfium2"] if fmt == "pdf" else []
    context.set_forkserver_preload(["generator.batch.workers", *engine])
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        max_tasks_per_child=RENDERS_PER_WORKER,
        initializer=_warm_up if fmt == "pdf" else None,
    )


def job_arguments(job: Job) -> tuple:
    """What ``build_job`` needs for one job: the brand goes by its folder, loaded once per worker."""
    return (job.source, job.leaflet, str(job.variant.brand.folder), job.variant.paper, job.variant.size, job.variant.edition, job.fmt, job.target)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _warm_up() -> None:
    from generator.render.pdf import renderer

    renderer()


@cache
def _brand(folder: str) -> Brand:
    return load_brand(Path(folder))


def build_job(source: Path, leaflet: Leaflet, brand: str, paper: str, size: str, edition: str, fmt: Format, target: Path) -> Result:
    """One output; runs in a worker process."""
    return build_output(source, leaflet, Options(paper=paper, size=size, edition=edition, brand=_brand(brand)), fmt, target)


def default_jobs() -> int:
    """The CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
