"""Shared fixtures: the sample leaflets are built once per test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import Builder, check_file
from generator.html import Options

ROOT = Path(__file__).resolve().parent.parent
LEAFLETS = sorted((ROOT / "leaflets").glob("*.yaml"))
FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEAFLET_CMD = Path(sys.executable).with_name("leaflet")


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/* from the current output"
    )


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def builder(tmp_path_factory) -> Builder:
    """One builder (and so one warm PDF renderer) for the whole session."""
    return Builder(tmp_path_factory.mktemp("out"), Options())


@pytest.fixture(scope="session")
def built(builder):
    """Every sample leaflet, built to PDF: {file name: (leaflet, pdf path)}."""
    results = {}
    for path in LEAFLETS:
        leaflet = check_file(path)
        result = builder.build(path, leaflet)
        assert result.ok, "\n".join(map(str, result.problems))
        results[path.name] = (leaflet, result.output)
    return results


def run_leaflet(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``leaflet`` command, as a user would."""
    return subprocess.run(
        [str(LEAFLET_CMD), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=120
    )
