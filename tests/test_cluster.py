"""Batch builds on a Dask cluster (``leaflet build --cluster``), on real
clusters of worker processes: a LocalCluster, and a scheduler and worker
started as separate commands, as a site would run them."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import LEAFLETS, ROOT, run_leaflet
from distributed import Client, LocalCluster

import generator
from generator.batch.cluster import tool_identity
from generator.batch.manifest import MANIFEST

SAMPLES = [LEAFLETS[0], next(path for path in LEAFLETS if path.name == "clonazepam.ar.yaml")]
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture(scope="module")
def cluster():
    """A client of a two-worker LocalCluster, shared by this module's tests."""
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR) as local,
        Client(local) as client,
    ):
        yield client


def pdfs(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.suffix in (".pdf", ".txt")}


def test_a_matrix_on_the_cluster_is_the_local_build_byte_for_byte(matrix, cluster, tmp_path):
    sizes, papers = ["standard", "large"], ["a4", "letter"]
    results = generator.build_many(SAMPLES, tmp_path, sizes=sizes, papers=papers, cluster=cluster.scheduler.address)
    assert [r.status for r in results] == ["built"] * 8, [str(p) for r in results for p in r.problems]
    for path in SAMPLES:
        for size in sizes:
            for paper in papers:
                leaflet, local = matrix[(path.name, size, paper)]
                built = tmp_path / "default" / paper / size / leaflet.language / f"{leaflet.id}.pdf"
                assert built.read_bytes() == local.read_bytes(), built


def test_leaflet_build_cluster_local_sends_a_brand_with_templates_and_styles(tmp_path):
    # riverside-clinic extends riverside-pharmacy and brings its own
    # templates and CSS: the workers get those files as bytes, not from a
    # shared disk, and print the same.
    args = ["build", str(ROOT / "leaflets" / "clonazepam.es.yaml"), "--brand", "riverside-clinic", "--format", "pdf,txt"]
    local = run_leaflet(*args, "--out", "local", "--jobs", "1", cwd=tmp_path)
    remote = run_leaflet(*args, "--out", "remote", "--cluster", "local:2", cwd=tmp_path)
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert "Building on the Dask cluster at tcp://127.0.0.1:" in remote.stderr
    assert "2 workers" in remote.stderr
    assert re.search(r"^\[2/2\] wrote remote/", remote.stdout, re.M), remote.stdout
    assert remote.stdout.splitlines()[-1] == "2 built, 0 unchanged, 0 failed, 0 warnings"
    assert pdfs(tmp_path / "remote") == pdfs(tmp_path / "local")
    assert len(pdfs(tmp_path / "remote")) == 2


def test_workers_killed_mid_run_have_their_jobs_built_again(cluster, tmp_path):
    # Both workers die after the first output: their jobs, and the brand
    # they held, are lost with them and must be sent again to the workers
    # their nannies start.
    plan = generator.plan_build(SAMPLES, tmp_path, sizes=["standard"], papers=["a4", "letter"])
    pids = cluster.run(os.getpid)
    results = []
    for result in generator.run_plan(plan, cluster=cluster.scheduler.address):
        results.append(result)
        if len(results) == 1:
            assert any(cluster.processing().values())  # mid-run
            for pid in pids.values():
                os.kill(pid, signal.SIGKILL)
    assert [r.status for r in results] == ["built"] * 4, [str(p) for r in results for p in r.problems]
    outputs = [r.output for r in results]
    assert len(set(outputs)) == 4  # each written once
    assert all(path.read_bytes().startswith(b"%PDF-") for path in outputs)
    recorded = json.loads((tmp_path / MANIFEST).read_text("utf-8"))["outputs"]
    assert len(recorded) == 4
    cluster.wait_for_workers(2, timeout=60)  # the nanny starts a new one for the next test


def test_workers_on_another_version_are_refused(cluster, tmp_path):
    # The workers' install is made to report another version; the check is the real one.
    def pretend() -> None:
        import generator.batch.cluster as module

        module.real_identity, module.tool_identity = module.tool_identity, lambda: "0.0.1 (0123456789ab)"

    def restore() -> None:
        import generator.batch.cluster as module

        module.tool_identity = vars(module).pop("real_identity")

    cluster.run(pretend)
    try:
        result = run_leaflet("build", str(SAMPLES[0]), "--out", "out", "--cluster", cluster.scheduler.address, cwd=tmp_path)
    finally:
        cluster.run(restore)
    assert result.returncode == 2
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(f"error: --cluster: the workers at {cluster.scheduler.address} run leaflet-generator 0.0.1 (0123456789ab), ")
    assert f"and this client runs {tool_identity()}" in message
    assert not list((tmp_path / "out").rglob("*.pdf"))


def test_an_unchanged_rerun_touches_no_worker(cluster, tmp_path):
    address = cluster.scheduler.address
    first = run_leaflet("build", str(SAMPLES[0]), "--out", "out", "--format", "txt", "--cluster", address, cwd=tmp_path)
    assert first.returncode == 0, first.stderr

    def transitions(dask_scheduler) -> int:
        return dask_scheduler.transition_counter

    before = cluster.run_on_scheduler(transitions)
    again = run_leaflet("build", str(SAMPLES[0]), "--out", "out", "--format", "txt", "--cluster", address, cwd=tmp_path)
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1] == "0 built, 1 unchanged, 0 failed, 0 warnings"
    assert cluster.run_on_scheduler(transitions) == before
    # Not even a connection: a scheduler that is not there is never asked.
    gone = run_leaflet("build", str(SAMPLES[0]), "--out", "out", "--format", "txt", "--cluster", "tcp://127.0.0.1:9", cwd=tmp_path)
    assert gone.returncode == 0, gone.stderr


@contextmanager
def dask_commands(folder: Path, *worker_options: str):
    """A scheduler and workers started as the ``dask scheduler`` and ``dask
    worker`` commands, as a site runs them: (the scheduler's process, its
    address, the workers' log), all stopped at the end."""
    file, log = folder / "scheduler.json", folder / "workers.log"
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--scheduler-file", str(file), "--port", "0", "--no-dashboard"], stderr=subprocess.DEVNULL
    )
    workers = None
    try:
        for _ in range(300):
            if file.exists() and file.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(file.read_text("utf-8"))["address"]
        with open(log, "wb") as output:
            workers = subprocess.Popen(
                [str(DASK), "worker", "--scheduler-file", str(file), "--nthreads", "1", "--no-dashboard", *worker_options],
                stderr=output,
                start_new_session=True,
            )
        yield scheduler, address, log
    finally:
        if workers is not None:
            stop_group(workers)
        scheduler.kill()
        scheduler.wait()


def stop_group(process: subprocess.Popen, grace: float = 10) -> None:
    """Stop a command and every process it started. A ``dask worker`` asked to
    stop while it is replacing a worker waits for the new one to reach a
    scheduler that may be gone (up to Dask's 30 s connect timeout), so after a
    grace period the whole process group is killed."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def test_when_the_scheduler_goes_away_what_was_built_is_kept_and_a_rerun_finishes(cluster, tmp_path):
    with dask_commands(tmp_path) as (scheduler, address, _):
        plan = generator.plan_build(SAMPLES, tmp_path / "out", sizes=["standard", "large"], fmt="txt", editions=["full", "sheet"])
        results = []
        with pytest.raises(generator.ClusterError, match=rf"the Dask scheduler at {re.escape(address)} went away with \d of 4 outputs not built"):
            for result in generator.run_plan(plan, cluster=address):
                results.append(result)
                scheduler.kill()
        assert len(results) == 1 and results[0].ok
    kept = results[0].output
    assert kept.read_bytes()
    rerun = generator.plan_build(SAMPLES, tmp_path / "out", sizes=["standard", "large"], fmt="txt", editions=["full", "sheet"])
    assert [r.output for r in rerun.done] == [kept]
    assert [r.status for r in generator.run_plan(rerun, cluster=cluster.scheduler.address)] == ["built"] * 3


def test_workers_replaced_at_the_end_of_their_lifetime_finish_the_run(matrix, tmp_path):
    # docs/scaling.md asks long-running workers to be replaced every hour
    # (--lifetime ... --lifetime-restart). Here it is a few seconds, and the
    # run waits after its first output until a worker has been replaced:
    # the jobs it held, and the results not yet fetched, go elsewhere, and
    # the new worker is set up again before it takes a job. (The lifetime
    # must leave a new worker time to warm up and render one leaflet.)
    lifetime = ["--nworkers", "2", "--lifetime", "15s", "--lifetime-stagger", "3s", "--lifetime-restart"]
    with dask_commands(tmp_path, *lifetime) as (_, address, log):

        def replaced() -> int:
            return log.read_text("utf-8").count("worker-lifetime-reached")

        sizes, papers = ["standard", "large"], ["a4", "letter"]
        plan = generator.plan_build(SAMPLES, tmp_path / "out", sizes=sizes, papers=papers)
        results = []
        for result in generator.run_plan(plan, cluster=address):
            results.append(result)
            if len(results) == 1:
                before = replaced()
                for _ in range(600):
                    if replaced() > before:
                        break
                    time.sleep(0.1)
                assert replaced() > before, log.read_text("utf-8")[-3000:]
    assert [r.status for r in results] == ["built"] * 8, [str(p) for r in results for p in r.problems]
    for path in SAMPLES:
        for size in sizes:
            for paper in papers:
                leaflet, local = matrix[(path.name, size, paper)]
                built = tmp_path / "out" / "default" / paper / size / leaflet.language / f"{leaflet.id}.pdf"
                assert built.read_bytes() == local.read_bytes(), built
