"""The package works when installed as a wheel, away from the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
from conftest import LEAFLETS, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    dist = tmp_path_factory.mktemp("dist")
    # --no-build-isolation: build with the locked hatchling already installed, offline.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(dist), str(ROOT)],
        check=True, capture_output=True,
    )
    (found,) = dist.glob("*.whl")
    return found


def test_wheel_carries_templates_styles_and_fonts(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "generator/_data/templates/leaflet.html.j2",
        "generator/_data/templates/messages/en.yaml",
        "generator/_data/styles/leaflet.css",
        "generator/_data/styles/fonts/OFL.txt",
        "generator/_data/styles/fonts/atkinson-hyperlegible-next-latin-400-normal.woff2",
        "generator/_data/styles/icons/warning.svg",
        "generator/content/required_sections.yaml",
        "generator/content/starter_notes.yaml",
        "generator/wording/jargon.yaml",
    ):
        assert needed in names, f"{needed} is not in the wheel"


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory):
    """The wheel installed into a folder of its own, to put first on PYTHONPATH."""
    site = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True, capture_output=True,
    )
    return site


def test_installed_wheel_builds_outside_the_repo(site, tmp_path):
    work = tmp_path / "work"
    (work / "leaflets").mkdir(parents=True)
    (work / "leaflets" / "one.yaml").write_bytes(LEAFLETS[0].read_bytes())
    # The wheel's copy must win over the checkout (which is installed in editable mode).
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = "import generator, sys; from generator.cli import main; print(generator.__file__, file=sys.stderr); main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "build"], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert str(site) in result.stderr, "the checkout was used instead of the wheel"
    assert (work / "out" / f"{LEAFLETS[0].stem}.pdf").stat().st_size > 10_000


def test_the_wheel_and_the_checkout_are_one_version_to_a_cluster(site, tmp_path):
    # A Dask worker installed from the wheel must accept a client running
    # from the checkout of the same commit, and the other way round.
    code = "import generator, sys; from generator.batch.cluster import tool_identity; print(generator.__file__, tool_identity())"
    wheel_says, checkout_says = (
        subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.split()
        for env in ({**os.environ, "PYTHONPATH": str(site)}, dict(os.environ))
    )
    assert wheel_says[0].startswith(str(site)) and not checkout_says[0].startswith(str(site))
    assert wheel_says[1:] == checkout_says[1:]
