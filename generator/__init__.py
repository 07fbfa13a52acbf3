"""Large-print, plain-language, accessible leaflets about medicines, from YAML.

This module is the public API; the ``leaflet`` command is a thin layer over
it. A leaflet flows one way through the subpackages::

    content (load, validate) -> render (HTML, PDF) -> verify -> batch (write)

``brand`` and ``wording`` serve those stages. Nothing here raises for a bad
leaflet: ``load`` raises ``LeafletError`` with every problem found, and the
build functions return each problem in their ``Result``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from generator.batch import workers
from generator.batch.build import Format, Result, build_output
from generator.batch.manifest import Manifest
from generator.batch.plan import Plan, Variant, plan
from generator.batch.write import remove_leftovers
from generator.brand.load import Brand, available_brands, default_brand, load_brand
from generator.content.load import DEFAULT_DIR, find_leaflets, load_leaflet
from generator.content.model import Leaflet
from generator.problems import Finding, LeafletError, Problem
from generator.render.geometry import PAPERS, SIZES, Options
from generator.resources import VERSION
from generator.wording.check import LeafletCheck, check_leaflet
from generator.wording.settings import Settings
from generator.wording.settings import load as load_settings

__version__ = VERSION
__all__ = [
    "DEFAULT_DIR", "PAPERS", "SIZES", "VERSION", "Brand", "Finding", "Format", "Leaflet", "LeafletCheck",
    "LeafletError", "Options", "Plan", "Problem", "Result", "Settings", "available_brands", "build",
    "build_many", "check", "default_jobs", "find_leaflets", "load", "load_brand", "load_settings",
    "plan_build", "run_plan",
]

default_jobs = workers.default_jobs


def load(path: Path) -> Leaflet:
    """Read, validate and check one leaflet file. Raises ``LeafletError`` with every problem."""
    return load_leaflet(Path(path))


def check(path: Path, settings: Settings | None = None, today: dt.date | None = None) -> LeafletCheck:
    """What ``leaflet check`` finds in one file: validity, wording and review, without rendering.

    ``settings`` defaults to the project settings found from the current folder.
    """
    return check_leaflet(Path(path), settings or load_settings(Path.cwd()), today)


def build(path: Path, out_dir: Path = Path("out"), options: Options = Options(), fmt: Format = "pdf") -> Result:
    """Build one leaflet into ``out_dir/<id>.<fmt>``: load, render, verify, write."""
    path = Path(path)
    try:
        leaflet = load_leaflet(path)
    except LeafletError as exc:
        return Result(path, problems=exc.problems, status="failed")
    return build_output(path, leaflet, options, fmt, Path(out_dir) / f"{leaflet.id}.{fmt}")


def plan_build(
    paths: Iterable[Path] = (DEFAULT_DIR,),
    out_dir: Path = Path("out"),
    *,
    brands: Sequence[str | Path | None] = (None,),
    papers: Sequence[str] = ("a4",),
    sizes: Sequence[str] = ("large",),
    fmt: Format = "pdf",
    force: bool = False,
) -> Plan:
    """Decide what a batch must build, without rendering anything.

    Every leaflet is built for every brand (None: the neutral brand), paper
    and size. ``plan.done`` holds what is already decided: outputs unchanged
    since the last run, and failures (a broken leaflet or brand, two
    leaflets with one id). ``run_plan`` builds the rest.
    """
    out_dir = Path(out_dir)
    files = find_leaflets([Path(p) for p in paths])
    refused: list[Result] = []
    variants: list[Variant] = []
    for ref in brands:
        try:
            brand = load_brand(ref) if ref else default_brand()
        except LeafletError as exc:
            refused.append(Result(exc.problems[0].file, problems=exc.problems, status="failed"))
            continue
        variants += [Variant(brand, paper, size) for paper in papers for size in sizes]
    remove_leftovers(out_dir)
    result = plan(files, variants, fmt, out_dir, Manifest(out_dir), force)
    result.done[:0] = refused
    return result


def run_plan(plan: Plan, jobs: int | None = None) -> Iterator[Result]:
    """Build a plan's outputs on ``jobs`` worker processes (default: one per CPU),
    yielding each result as it finishes. Only whole files are ever written."""
    yield from workers.run(plan, jobs or default_jobs())


def build_many(paths: Iterable[Path] = (DEFAULT_DIR,), out_dir: Path = Path("out"), *, jobs: int | None = None, **matrix) -> list[Result]:
    """``plan_build`` then ``run_plan``: every result, decided and built."""
    planned = plan_build(paths, out_dir, **matrix)
    return [*planned.done, *run_plan(planned, jobs)]
