"""Run a planned batch on a Dask cluster (``leaflet build --cluster``).

Only where a job runs changes: the plan, the manifest and the results are
the local backend's. Workers need the installed tool and nothing else:
each job carries its checked leaflet, and each brand's files travel once
per worker as bytes, shared by their hash. Workers send the finished
bytes back, and this process writes every output and the manifest, so
there is one writer, as in a local build.

Dask is imported only with this module, so a build without ``--cluster``
never loads it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import dask
from distributed import Client, LocalCluster, as_completed, get_worker
from distributed.diagnostics.plugin import WorkerPlugin
from distributed.scheduler import KilledWorker

from generator.batch.address import parse_address
from generator.batch.build import Format, Result, make_output, write_output
from generator.batch.manifest import tool_digest, tree_files
from generator.batch.plan import Plan, longest_first
from generator.batch.workers import settle
from generator.brand.load import Brand
from generator.content.model import Leaflet
from generator.problems import ClusterError, LeafletError, Problem
from generator.render.geometry import Options
from generator.resources import VERSION

# Jobs waiting on the cluster per worker thread: enough that no worker
# idles between jobs, few enough that results are consumed as they come
# and the client never holds a whole chain's batch at once.
QUEUED_PER_THREAD = 3
CONNECT_TIMEOUT = "20s"
# How often a job lost with its workers (its result, or its brand) is sent again.
RESENDS = 3
# Milliseconds between a worker's own checks while it renders (see LeafletWorker).
SLOWER_CHECKS = {"tick": 1000, "monitor": 5000, "memory_monitor": 1000}
LOCAL_SETTINGS = {
    "distributed.admin.tick.interval": f"{SLOWER_CHECKS['tick']}ms",
    "distributed.admin.system-monitor.interval": f"{SLOWER_CHECKS['monitor']}ms",
    "distributed.worker.memory.monitor-interval": f"{SLOWER_CHECKS['memory_monitor']}ms",
    "distributed.worker.profile.enabled": False,
    # A worker grows by about 18 MiB over 500 renders: on a long run its
    # nanny replaces it every hour or so, at staggered times, as docs/scaling.md
    # asks of the workers of other clusters.
    "distributed.worker.lifetime.duration": "1 hour",
    "distributed.worker.lifetime.stagger": "5 minutes",
    "distributed.worker.lifetime.restart": True,
}


def tool_identity() -> str:
    """This install's version and the digest of its code, templates and styles:
    two installs that agree on it make the same bytes."""
    return f"{VERSION} ({tool_digest(VERSION)[:12]})"


@dataclass(frozen=True)
class BrandFiles:
    """A loaded brand and the bytes of every file in its folders, so a worker
    with no shared disk can render with it."""

    brand: Brand
    files: tuple[tuple[int, str, bytes], ...]  # (index in brand.folders, path inside it, bytes)
    digest: str


def pack_brand(brand: Brand) -> BrandFiles:
    files = tuple(
        (index, file.relative_to(folder).as_posix(), file.read_bytes())
        for index, folder in enumerate(brand.folders)
        for file in sorted(tree_files(folder))
    )
    sha = hashlib.sha256()
    for index, name, data in files:
        sha.update(f"{index}\0{name}\0".encode() + hashlib.sha256(data).digest())
    return BrandFiles(brand, files, sha.hexdigest())


@dataclass
class Made:
    """What a worker sends back for one job: the output's bytes, or why there are none."""

    data: bytes = b""
    pages: int = 0
    problems: list[Problem] = field(default_factory=list)


def run(plan: Plan, address: str, say: Callable[[str], None] = lambda _: None, connecting: Connecting | None = None) -> Iterator[Result]:
    """Build the plan's jobs on the Dask cluster at ``address`` (or a new
    LocalCluster for ``local:N``), yielding each result as it is written.
    ``connecting``: the connection made while planning, if there is one.

    Raises ``ClusterError`` before building anything when the cluster
    cannot be reached or its workers run another version of the tool, and
    when the scheduler goes away mid-run: what was written by then stays
    written and recorded, so a rerun builds only the rest."""
    if not plan.todo:  # a rerun with nothing to build never touches the cluster
        return
    if connecting is not None:
        connection = connecting.result()
    else:
        connection = connect(address, pdf=any(job.fmt == "pdf" for job in plan.todo))
    try:
        threads = connection.threads
        say(f"Building on the Dask cluster at {connection.client.scheduler.address}: {len(threads)} workers, {sum(threads.values())} threads")
        yield from _run(connection.client, plan, max(2, sum(threads.values()) * QUEUED_PER_THREAD), address)
    finally:
        plan.manifest.save()
        connection.close()


@dataclass
class Connection:
    """A client of a cluster whose workers run this tool and are set up for it."""

    client: Client
    cluster: LocalCluster | None  # started for local:N
    threads: dict[str, int]

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class Connecting:
    """``connect``, in a thread of its own: started while the plan is made,
    the workers start and warm up meanwhile."""

    def __init__(self, address: str, pdf: bool):
        self._made: Connection | ClusterError | None = None
        self._thread = threading.Thread(target=self._connect, args=(address, pdf), name="leaflet-cluster", daemon=True)
        self._thread.start()

    def _connect(self, address: str, pdf: bool) -> None:
        try:
            self._made = connect(address, pdf)
        except ClusterError as exc:
            self._made = exc

    def result(self) -> Connection:
        """The connection, once made. Raises ``ClusterError`` if it could not be."""
        self._thread.join()
        if isinstance(self._made, ClusterError):
            raise self._made
        return self._made

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Not needed after all (as ``Executor.shutdown``): close the connection once made."""
        try:
            self.result().close()
        except ClusterError:
            pass


def connect(address: str, pdf: bool) -> Connection:
    """Reach the scheduler at ``address`` (or start a LocalCluster for
    ``local:N``), check that every worker runs this tool, and set them up
    (``LeafletWorker``). Raises ``ClusterError`` saying what failed."""
    where = parse_address(address)
    # The client logs a lost scheduler with a traceback, from its own thread
    # and until it has given up, after this run has said so plainly with a
    # ClusterError: its log is left quiet for the rest of the process.
    logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    cluster = None
    try:
        if isinstance(where, int):
            # This machine's own nannies and scheduler share its cores with
            # the workers: they too check less often (see SLOWER_CHECKS).
            dask.config.set(LOCAL_SETTINGS)
            cluster = LocalCluster(
                n_workers=where, threads_per_worker=1, processes=True, silence_logs=logging.ERROR,
                dashboard_address=":0",  # any free port: two local clusters never clash
            )
            client = Client(cluster)
        else:
            client = Client(where, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError, RuntimeError) as exc:  # RuntimeError: a local worker failed to start
        if cluster is not None:
            cluster.close()
        what = "start a local Dask cluster" if isinstance(where, int) else f"reach the Dask scheduler at {address}"
        raise ClusterError(f"cannot {what}: {exc}") from None
    connection = Connection(client, cluster, {})
    try:
        connection.threads = _check_workers(client, address)
        client.register_plugin(LeafletWorker(pdf=pdf), name="leaflet-worker")
    except BaseException:
        connection.close()
        raise
    return connection


def _check_workers(client: Client, address: str) -> dict[str, int]:
    """The workers' threads, once every worker is known to run this tool."""
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        identities = client.run(tool_identity)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"the Dask scheduler at {address} has no workers: {exc}") from None
    ours = tool_identity()
    others = sorted({identity for identity in identities.values() if identity != ours})
    if others:
        raise ClusterError(
            f"the workers at {address} run leaflet-generator {', '.join(others)}, and this client runs {ours}; "
            "install the same version on every machine"
        )
    return client.nthreads()


def _run(client: Client, plan: Plan, window: int, address: str) -> Iterator[Result]:
    brands: dict[Path, object] = {}  # each brand scattered once, its future shared by every job
    queue = longest_first(plan.todo)
    resent: dict[int, int] = {}  # by id(job)
    pending: dict = {}
    finished = as_completed()
    ours = tool_identity()

    def lost(unfinished: int) -> ClusterError:
        return ClusterError(
            f"the Dask scheduler at {address} went away with {unfinished} of {len(plan.todo)} outputs not built; "
            "those built are kept, and running the build again finishes the rest"
        )

    def submit() -> None:
        while queue and len(pending) < window:
            job = queue[-1]
            brand = job.variant.brand
            try:
                if brand.folder not in brands:
                    # On every worker: a scattered brand cannot be made again
                    # by the cluster, so one copy would die with its worker.
                    brands[brand.folder] = client.scatter(pack_brand(brand), hash=True, broadcast=True)
                future = client.submit(
                    render_job, ours, job.source, job.leaflet, brands[brand.folder],
                    job.variant.paper, job.variant.size, job.variant.edition, job.fmt,
                    pure=False, key=f"leaflet-{job.fmt}-{job.leaflet.id}-{os.urandom(6).hex()}",
                )
            except Exception:
                if client.status != "running":
                    raise lost(len(pending) + len(queue)) from None
                raise
            pending[future] = queue.pop()
            finished.add(future)

    submit()
    for future in finished:
        job = pending.pop(future)
        try:
            made = future.result()
        except KilledWorker as exc:  # the job killed each worker that tried it
            made = Made(problems=[Problem(job.source, None, (), f"the build process stopped on the cluster: {exc}")])
        except Exception as exc:  # cancelled, or lost
            if client.status != "running":  # the client has lost its scheduler: nothing more will come back
                raise lost(1 + len(pending) + len(queue)) from None
            # Its result, or its brand, died with the workers that held them: send both again.
            brands.pop(job.variant.brand.folder, None)
            resent[id(job)] = resent.get(id(job), 0) + 1
            if resent[id(job)] <= RESENDS:
                queue.append(job)
                submit()
                continue
            made = Made(problems=[Problem(job.source, None, (), f"the build was lost on the cluster {RESENDS + 1} times: {exc}")])
        future.release()
        result = write_output(job.source, job.target, made.data, made.pages) if not made.problems else (
            Result(job.source, target=job.target, problems=made.problems, status="failed")
        )
        settle(job, result, plan.manifest)
        yield result
        submit()


# On the workers.


class LeafletWorker(WorkerPlugin):
    """A worker plugin, set up on every worker, present and to come."""

    def __init__(self, pdf: bool):
        self.pdf = pdf

    def setup(self, worker) -> None:
        # A render holds the GIL; each wake-up of the worker's own thread
        # takes it away. Its statistical profiler walks the render's deep
        # stack every 10 ms, and its event-loop tick and monitors run every
        # 20-500 ms. Leaflet jobs are not profiled, and the rest look less
        # often (still several times within each render).
        for name, callback in worker.periodic_callbacks.items():
            if name in ("profile", "profile-cycle"):
                callback.stop()
            elif name in SLOWER_CHECKS:
                callback.callback_time = SLOWER_CHECKS[name]
        if self.pdf:  # the PDF renderer (fonts, parsed stylesheets), made now rather than in the first job
            from generator.render.pdf import renderer

            with _RENDERING:
                renderer()


# One render at a time in each worker process, whatever its thread count:
# the renderer's caches are not made to be shared between threads.
_RENDERING = threading.Lock()


def render_job(
    expected: str, source: Path, leaflet: Leaflet, brand_files: BrandFiles, paper: str, size: str, edition: str, fmt: Format
) -> Made:
    """One output, made on a worker and sent back as bytes."""
    if tool_identity() != expected:  # a worker that joined after the check
        return Made(problems=[Problem(source, None, (), f"a worker runs leaflet-generator {tool_identity()}, not {expected}")])
    brand = _unpack(brand_files)
    with _RENDERING:
        try:
            data, pages = make_output(source, leaflet, Options(paper=paper, size=size, edition=edition, brand=brand), fmt)
        except LeafletError as exc:
            return Made(problems=exc.problems)
    return Made(data, pages)


_unpacked: dict[str, Brand] = {}


def _unpack(packed: BrandFiles) -> Brand:
    """The brand with its folders on this worker's disk, written once per brand."""
    if packed.digest in _unpacked:
        return _unpacked[packed.digest]
    # In the worker's own scratch folder, which Dask removes when it stops:
    # a shared temporary folder would let another user of the machine put
    # templates there first.
    home = Path(get_worker().local_directory) / "leaflet-brands" / packed.digest
    brand = packed.brand
    folders = [home / str(index) / folder.name for index, folder in enumerate(brand.folders)]
    if not home.is_dir():
        # Written aside and renamed into place, whole.
        home.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=home.parent))
        for index, name, data in packed.files:
            file = staging.joinpath(str(index), brand.folders[index].name, name)
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(data)
        for index, folder in enumerate(brand.folders):  # an empty folder still exists
            staging.joinpath(str(index), folder.name).mkdir(parents=True, exist_ok=True)
        try:
            staging.rename(home)
        except OSError:  # another worker got there first, with the same bytes
            shutil.rmtree(staging, ignore_errors=True)

    def moved(path: Path) -> Path:
        for old, new in zip(brand.folders, folders):
            if path == old or old in path.parents:
                return new / path.relative_to(old)
        return path

    local = replace(
        brand,
        folder=moved(brand.folder),
        folders=tuple(folders),
        template_dirs=tuple(moved(p) for p in brand.template_dirs),
        stylesheets=tuple(moved(p) for p in brand.stylesheets),
    )
    _unpacked[packed.digest] = local
    return local
