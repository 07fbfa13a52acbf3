"""Large-print, plain-language, accessible leaflets about medicines, from YAML.

This module is the public API; the ``leaflet`` command is a thin layer over
it. A leaflet flows one way through the subpackages::

    content (load, validate) -> render (HTML, PDF) -> verify -> batch (write)

``brand`` and ``wording`` serve those stages. Nothing here raises for a bad
leaflet: ``load`` raises ``LeafletError`` with every problem found, and the
build functions return each problem in their ``Result``. The build
functions check each leaflet as ``check`` does first: a leaflet with an
error (or, with ``strict=True``, a warning) is not built, and its warnings
are in its ``Result``. They raise ``LeafletError`` only for a bad settings
file.
"""

from __future__ import annotations

import datetime as dt
import errno
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from generator.batch import workers
from generator.batch.address import parse_address as cluster_address
from generator.batch.build import FORMATS, Format, Result, build_output, measure_sheet
from generator.batch.manifest import Manifest
from generator.batch.plan import Plan, Variant, check_for_build, output_name, plan
from generator.batch.write import remove_leftovers, write_atomic
from generator.brand.load import Brand, available_brands, default_brand, load_brand
from generator.content.load import DEFAULT_DIR, find_leaflets, load_leaflet, select_languages
from generator.content.model import Leaflet
from generator.content.starter import starter, starter_file
from generator.problems import ClusterError, Finding, LeafletError, Problem
from generator.render.geometry import EDITIONS, PAPERS, SIZES, Options
from generator.resources import VERSION
from generator.wording.check import LeafletCheck, check_leaflet
from generator.wording.settings import Settings
from generator.wording.settings import load as load_settings

__version__ = VERSION
__all__ = [
    "DEFAULT_DIR", "EDITIONS", "FORMATS", "PAPERS", "SIZES", "VERSION", "Brand", "ClusterError", "Finding", "Format", "Leaflet", "LeafletCheck",
    "LeafletError", "Options", "Plan", "Problem", "Result", "Settings", "available_brands", "build", "cluster_address",
    "build_many", "check", "default_jobs", "find_leaflets", "load", "load_brand", "load_settings",
    "new", "plan_build", "run_plan", "select_languages",
]

default_jobs = workers.default_jobs


def load(path: Path) -> Leaflet:
    """Read, validate and check one leaflet file. Raises ``LeafletError`` with every problem."""
    return load_leaflet(Path(path))


def check(
    path: Path, settings: Settings | None = None, today: dt.date | None = None, *, sheets: Sequence[Options] = ()
) -> LeafletCheck:
    """What ``leaflet check`` finds in one file: validity, wording and review, without rendering.

    ``settings`` defaults to the project settings found from the current
    folder. For each of ``sheets`` (options with ``edition="sheet"``), the
    counter sheet is also laid out in memory, as a build would, and a sheet
    over its page budget is a warning.
    """
    path = Path(path)
    checked = check_leaflet(path, _settings(settings), today)
    if checked.leaflet is not None:
        for options in sheets:
            checked.findings += [Finding("warning", "counter-sheet", p) for p in measure_sheet(path, checked.leaflet, options)]
        checked.findings.sort(key=lambda f: f.sort_key)
    return checked


def _settings(settings: Settings | None) -> Settings:
    return load_settings(Path.cwd()) if settings is None else settings


def build(
    path: Path,
    out_dir: Path = Path("out"),
    options: Options = Options(),
    fmt: Format | Sequence[Format] = "pdf",
    *,
    settings: Settings | None = None,
    strict: bool = False,
    today: dt.date | None = None,
) -> Result:
    """Check one leaflet as ``check`` does, then build it into ``out_dir/<id>.<fmt>``
    (``<id>.sheet.<fmt>`` for the counter sheet): render, verify, write.

    A leaflet with an error, or with ``strict`` a warning, is not built.
    ``settings`` defaults to the project settings found from the current
    folder (a bad settings file raises ``LeafletError``).
    """
    path = Path(path)
    checked = check_for_build(path, _settings(settings), today)
    if checked.failed(strict):
        return checked.refused(path)
    target = Path(out_dir) / output_name(checked.leaflet, options.edition, fmt)
    result = build_output(path, checked.leaflet, options, fmt, target)
    result.warnings = checked.warnings
    return result


def plan_build(
    paths: Iterable[Path] = (DEFAULT_DIR,),
    out_dir: Path = Path("out"),
    *,
    brands: Sequence[str | Path | Brand | None] = (None,),
    papers: Sequence[str] = ("a4",),
    sizes: Sequence[str] = ("large",),
    editions: Sequence[str] = ("full",),
    fmt: Format | Sequence[Format] = "pdf",
    force: bool = False,
    settings: Settings | None = None,
    strict: bool = False,
    today: dt.date | None = None,
    matrix: bool | None = None,
    jobs: int | None = None,
    cluster: str | None = None,
) -> Plan:
    """Decide what a batch must build, without rendering anything.

    Every leaflet is built in every format (``fmt``, one or several) for
    every brand (a name, a folder, a loaded ``Brand``, or None: the neutral brand), paper,
    size and edition ("full", or "sheet" for the counter sheet).
    ``plan.done`` holds what is already decided: outputs unchanged since the
    last run, and failures (a leaflet that fails its check, a broken brand,
    two leaflets with one id). ``run_plan`` builds the rest.
    Each leaflet to build is checked once, as ``check`` does, with
    ``settings`` (default: the project settings found from the current
    folder; a bad settings file raises ``LeafletError``). With ``strict``,
    warnings fail a leaflet too. ``matrix`` True writes even one
    combination to ``<brand>/<paper>/<size>/<language>/``, as the web page
    does, so that it shares its outputs with matrix builds. ``jobs`` above
    1 starts that many worker processes as soon as two outputs need
    building, so they warm up during the plan; ``run_plan`` then uses them.
    ``cluster`` (as for ``run_plan``) connects to the cluster then instead.
    """
    settings = _settings(settings)
    out_dir = Path(out_dir)
    files = find_leaflets([Path(p) for p in paths])
    refused: list[Result] = []
    variants: list[Variant] = []
    for ref in brands:
        try:
            brand = ref if isinstance(ref, Brand) else load_brand(ref) if ref else default_brand()
        except LeafletError as exc:
            refused.append(Result(exc.problems[0].file, problems=exc.problems, status="failed"))
            continue
        variants += [Variant(brand, paper, size, edition) for paper in papers for size in sizes for edition in editions]
    remove_leftovers(out_dir)
    manifest = Manifest(out_dir)
    formats = (fmt,) if isinstance(fmt, str) else tuple(fmt)
    if "mp3" in formats and "txt" not in formats:
        formats += ("txt",)  # the audio edition always comes with its transcript
    started = []

    def start_workers() -> None:
        if cluster is not None:
            from generator.batch.cluster import Connecting  # Dask is loaded only for a cluster

            started.append(Connecting(cluster, pdf="pdf" in formats))
        elif jobs and jobs > 1:
            started.append(workers.start(jobs, formats))

    result = plan(
        files, variants, formats, out_dir, manifest, force,
        settings=settings, strict=strict, today=today, matrix=matrix, on_many=start_workers,
    )
    result.done[:0] = refused
    result.pool = started[0] if started else None
    return result


def run_plan(
    plan: Plan, jobs: int | None = None, *, cluster: str | None = None, say: Callable[[str], None] = lambda _: None
) -> Iterator[Result]:
    """Build a plan's outputs on ``jobs`` worker processes (default: one per CPU),
    yielding each result as it finishes. Only whole files are ever written.

    ``cluster`` sends the jobs to the Dask scheduler at that address
    instead, or to a new local cluster of N worker processes for
    ``"local:N"``; ``say`` is told where they run. It raises
    ``ClusterError`` if the cluster cannot be reached or runs another
    version of the tool. A plan with nothing to build never connects."""
    if cluster is None:
        yield from workers.run(plan, jobs or default_jobs())
        return
    from generator.batch import cluster as dask_backend  # Dask is loaded only for a cluster

    started, plan.pool = plan.pool, None
    if started is not None and not isinstance(started, dask_backend.Connecting):  # workers for a local run
        started.shutdown(wait=False, cancel_futures=True)
        started = None
    yield from dask_backend.run(plan, cluster, say, started)


def build_many(
    paths: Iterable[Path] = (DEFAULT_DIR,), out_dir: Path = Path("out"), *, jobs: int | None = None, cluster: str | None = None, **matrix
) -> list[Result]:
    """``plan_build`` (which takes the other options) then ``run_plan``: every result, decided and built."""
    jobs = jobs or default_jobs()
    planned = plan_build(paths, out_dir, jobs=jobs, cluster=cluster, **matrix)
    return [*planned.done, *run_plan(planned, jobs, cluster=cluster)]


# `leaflet new`: a starter file for a new leaflet.


def new(leaflet_id: str, path: Path | None = None, *, force: bool = False, today: dt.date | None = None) -> Path:
    """Write the starter for a new leaflet and return where it went.

    It goes to ``leaflets/<id>.yaml``, or to ``path`` (a file, or a folder to
    put ``<id>.yaml`` in). Every part of a leaflet is in it, in printed order,
    switched off as comments with a note on what belongs there; it is a
    ``draft`` reviewed ``today``. The file is written whole or not at all.

    Raises ``ValueError`` for a bad id or file name, ``FileExistsError`` when
    the file is already there (unless ``force``), and ``OSError`` when it
    cannot be written.
    """
    target = starter_file(leaflet_id, None if path is None else Path(path))
    text = starter(leaflet_id, today or dt.date.today(), target)
    if target.parent.exists() and not target.parent.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(target.parent))
    write_atomic(target, text.encode("utf-8"), overwrite=force)
    return target
