"""Shared fixtures: the sample leaflets are built once per test session."""

from __future__ import annotations

import fcntl
import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

from generator import build, load
from generator.batch.plan import output_name
from generator.brand.load import Brand, load_brand
from generator.render.geometry import PAPERS, SIZES, Options

ROOT = Path(__file__).resolve().parent.parent
# The sample leaflets, each source before the translations, so that
# LEAFLETS[0] and [1] stay the English baclofen and clonazepam.
LEAFLETS = sorted((ROOT / "leaflets").glob("*.yaml"), key=lambda path: ("." in path.stem, path.name))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEAFLET_CMD = Path(sys.executable).with_name("leaflet")


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/* from the current output"
    )


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


COMBINATIONS = list(itertools.product([p.name for p in LEAFLETS], SIZES, PAPERS))


@pytest.fixture(scope="session")
def matrix(tmp_path_factory, worker_id):
    """Every sample leaflet at every size on every paper: {(name, size, paper): (leaflet, pdf path)}.

    Built once for the whole run: the pytest-xdist workers share one folder
    and build the combinations in different orders, each under its own lock,
    so they share the work and never build one twice.
    """
    root = tmp_path_factory.getbasetemp()
    root = root if worker_id == "master" else root.parent
    combinations = list(itertools.product(SIZES, PAPERS, LEAFLETS))
    if worker_id[-1:].isdigit() and int(worker_id[-1]) % 2:
        combinations.reverse()
    built = {}
    for size, paper, path in combinations:
        out = root / "matrix" / f"{size}-{paper}"
        out.mkdir(parents=True, exist_ok=True)
        leaflet = load(path)
        pdf = out / output_name(leaflet, "full", "pdf")
        with open(pdf.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not pdf.exists():
                result = build(path, out, Options(paper=paper, size=size))
                assert result.ok, f"{path.name} {size} {paper}: " + "; ".join(map(str, result.problems))
                assert result.output == pdf
        built[(path.name, size, paper)] = (leaflet, pdf)
    return built


@pytest.fixture(scope="session")
def built(matrix):
    """Every sample leaflet at the defaults (large print, A4): {file name: (leaflet, pdf path)}."""
    return {name: matrix[(name, "large", "a4")] for name, _, _ in COMBINATIONS}


# One finding as `leaflet check` prints it: "error: file:line: key.path: message".
FINDING = re.compile(r"^(error|warning): (.+?):(\d+): (?:([\w.\[\]]+): )?(.*)$")


def findings(result) -> list[tuple[str, int, str, str]]:
    """(severity, line, key path, message) for each finding printed."""
    found = []
    for line in result.stderr.splitlines():
        match = FINDING.match(line)
        if match:
            found.append((match[1], int(match[3]), match[4], match[5]))
    return found


def run_leaflet(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``leaflet`` command, as a user would."""
    return subprocess.run(
        [str(LEAFLET_CMD), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def brand_with_template(folder: Path, template: str) -> Brand:
    """A brand in ``folder`` that extends the default one and overrides leaflet.html.j2."""
    (folder / "templates").mkdir(parents=True, exist_ok=True)
    (folder / "templates" / "leaflet.html.j2").write_text(template, "utf-8")
    (folder / "brand.yaml").write_text("extends: default\n", "utf-8")
    return load_brand(folder)


# Real printing: the CUPS queue LeafletTestPDF through the cups-pdf virtual printer.
PRINT_SETUP = ["scripts/install-print-tools.sh", "scripts/test-printer.sh"]


@pytest.fixture(scope="session")
def printed_folder(tmp_path_factory, worker_id) -> Path:
    """Sets up CUPS and the LeafletTestPDF queue; the folder where cups-pdf puts what it prints."""
    root = tmp_path_factory.getbasetemp()
    root = root if worker_id == "master" else root.parent
    # One worker installs and sets up while the others wait: two apt-gets
    # at once would fail on dpkg's lock.
    with open(root / "print-setup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for script in PRINT_SETUP:
            result = subprocess.run([script], cwd=ROOT, capture_output=True, text=True, timeout=900)
            if result.returncode != 0:
                pytest.fail(f"{script} failed ({result.returncode}):\n{result.stdout}{result.stderr}", pytrace=False)
    return Path(result.stdout.strip().splitlines()[-1])


def printed_file(folder: Path, job_id: str, mine, deadline_s: float = 30) -> Path:
    """The one PDF cups-pdf wrote into ``folder`` for the CUPS job ``job_id``,
    among the files ``mine(path)`` accepts, once CUPS has finished the job
    (only then is the file whole). Other tests may print at the same time."""
    import time

    deadline = time.monotonic() + deadline_s
    while True:
        found = [path for path in folder.glob("*.pdf") if mine(path)] if folder.is_dir() else []
        jobs = subprocess.run(["lpstat", "-o"], capture_output=True, text=True, timeout=30).stdout
        if found and not any(line.split()[:1] == [job_id] for line in jobs.splitlines()):
            assert len(found) == 1, f"{job_id}: one job, several files: {[p.name for p in found]}"
            return found[0]
        if time.monotonic() > deadline:
            pytest.fail(
                f"{job_id} not printed to {folder} within {deadline_s} s; files that could be it: "
                f"{[p.name for p in found]}\nlpstat -o:\n{jobs}"
                "(cups-pdf logs to /var/log/cups/cups-pdf*_log, CUPS to /var/log/cups/error_log)",
                pytrace=False,
            )
        time.sleep(0.2)
