"""Run a planned batch on warm worker processes.

Each worker keeps its PDF renderer (fonts, parsed CSS) and Jinja
environments for many leaflets, and is recycled after
``RENDERS_PER_WORKER`` so memory cannot creep.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from functools import cache
from pathlib import Path

from generator.batch.build import Format, Result, build_output
from generator.batch.manifest import Manifest
from generator.batch.plan import Job, Plan, longest_first, remember
from generator.brand.load import Brand, load_brand
from generator.content.model import Leaflet
from generator.problems import Problem
from generator.render.geometry import Options

RENDERS_PER_WORKER = 100


def run(plan: Plan, jobs: int) -> Iterator[Result]:
    """Build the plan's jobs, yielding each result as it finishes, and keep the
    manifest current. Workers started while planning (``start``) are used."""
    todo, manifest = plan.todo, plan.manifest
    pool, plan.pool = plan.pool, None
    if pool is not None and not isinstance(pool, ProcessPoolExecutor):  # a cluster connection, not needed here
        pool.shutdown()
        pool = None
    try:
        if jobs <= 1 or len(todo) <= 1:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            # In this process the brand is already loaded: no need to load it again.
            results = (
                (job, build_output(job.source, job.leaflet, job.variant.options(), job.fmt, job.target))
                for job in todo
            )
        else:
            results = _in_parallel(todo, jobs, pool)
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


def _in_parallel(todo: list[Job], jobs: int, started: ProcessPoolExecutor | None) -> Iterator[tuple[Job, Result]]:
    with started or worker_pool(min(jobs, len(todo)), _engine(job.fmt for job in todo)) as pool:
        # Keep only a few tasks queued per worker, so an interrupted run
        # stops soon and the queue never holds every leaflet at once.
        pending: dict = {}
        # Workers get the brand's folder and load it once each (see _brand).
        queue = longest_first(todo)
        try:
            while queue or pending:
                while queue and len(pending) < jobs * 2:
                    job = queue.pop()
                    pending[pool.submit(build_job, *job_arguments(job))] = job
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


def start(workers: int, formats: Iterable[Format]) -> ProcessPoolExecutor:
    """``worker_pool``, with its workers already starting (the forkserver's
    imports, each worker's fonts and stylesheets), so that they warm up
    while this process plans the run."""
    pool = worker_pool(workers, _engine(formats))
    for _ in range(workers):
        pool.submit(os.getpid)
    return pool


def _engine(formats: Iterable[Format]) -> Format:
    """What the workers preload: the PDF engine only if a PDF is to be built."""
    return "pdf" if "pdf" in set(formats) else "html"


def job_arguments(job: Job) -> tuple:
    """What ``build_job`` needs for one job: the brand goes by its folder, loaded once per worker."""
    return (job.source, job.leaflet, str(job.variant.brand.folder), job.variant.paper, job.variant.size, job.variant.edition, job.fmt, job.target)


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
