"""Outputs for the web page: served from ``out/`` when the batch manifest
says they are current, otherwise built once on warm workers, as a batch
builds them, and recorded for the next request (and the next batch).

The queue is bounded: a request that finds it full is told to try again
(``Busy``), never left waiting on a pile of work.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from generator import plan_build
from generator.batch.build import Format, Result
from generator.batch.manifest import Manifest
from generator.batch.workers import build_job, job_arguments, settle, worker_pool
from generator.brand.load import Brand
from generator.wording.settings import Settings

# How long a request waits for its build: a leaflet takes about a second.
BUILD_TIMEOUT_S = 120


class Busy(Exception):
    """The build queue is full."""


class Builder:
    def __init__(self, out_dir: Path, settings: Settings, *, workers: int = 1, queue_limit: int = 4):
        self.out_dir = out_dir.resolve()  # Flask would read a relative path from its own package folder
        self.settings = settings
        self.queue_limit = queue_limit
        self._workers = workers
        self._pool = None
        # One lock for planning and recording: the manifest has one writer at a time.
        self._lock = threading.Lock()
        self._building: dict[Path, Future] = {}

    def output(self, file: Path, brand: Brand, paper: str, size: str, edition: str, fmt: Format = "pdf") -> Result:
        """The output for one leaflet file, brand, paper, size, edition and
        format: its path in ``result.output``, or why it failed in ``result.problems``."""
        with self._lock:
            planned = plan_build(
                [file], self.out_dir, brands=[brand], papers=[paper], sizes=[size], editions=[edition],
                fmt=fmt, settings=self.settings, matrix=True,
            )
            if planned.done:
                return planned.done[0]
            job = planned.todo[0]
            future = self._building.get(job.target)
            if future is None:
                if len(self._building) >= self.queue_limit:
                    raise Busy
                future = self._submit(job)
                self._building[job.target] = future
                future.add_done_callback(lambda done, job=job: self._finished(job, done))
        return future.result(timeout=BUILD_TIMEOUT_S)

    def _submit(self, job) -> Future:
        for attempt in range(2):
            if self._pool is None:
                self._pool = worker_pool(self._workers)
            try:
                return self._pool.submit(build_job, *job_arguments(job))
            except BrokenProcessPool:
                self._discard_pool()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _discard_pool(self) -> None:
        # A worker died (killed, out of memory): the next build starts a fresh pool.
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def _finished(self, job, future: Future) -> None:
        with self._lock:
            self._building.pop(job.target, None)
            if isinstance(future.exception(), BrokenProcessPool):
                self._discard_pool()
            elif future.exception() is None:
                manifest = Manifest(self.out_dir)  # as it is now: a batch may have run meanwhile
                settle(job, future.result(), manifest)
                manifest.save()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
