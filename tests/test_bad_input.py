"""Bad input gets one clear message naming the file, line and key, exit 1, and no output."""

from __future__ import annotations

import shutil

import pytest

from conftest import FIXTURES, LEAFLETS, run_leaflet

# fixture folder -> (line, text that must be in the message)
CASES = {
    "bad-malformed-yaml": (12, "invalid YAML"),
    "bad-misspelt-key": (20, "side_efects: unknown key 'side_efects' (did you mean 'side_effects'?)"),
    "bad-wrong-type": (23, "side_effects.common.items[0].name: expected text, found a list"),
    "bad-missing-section": (1, "stopping: required section is missing"),
    "bad-empty-file": (None, "the file is empty"),
    "bad-not-utf8": (11, "not UTF-8"),
}


def assert_clean_failure(result, out_dir):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    leftovers = list(out_dir.iterdir()) if out_dir.exists() else []
    assert leftovers == [], f"output left behind: {leftovers}"


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_leaflet(case, command, tmp_path):
    line, expected = CASES[case]
    file = FIXTURES / case / "leaflet.yaml"
    out = tmp_path / "out"
    args = ["build", file, "--out", out] if command == "build" else ["check", file]
    result = run_leaflet(*args)
    assert_clean_failure(result, out)
    where = f"{file}:{line}:" if line else f"{file}:"
    messages = [m for m in result.stderr.splitlines() if m.startswith("error:")]
    assert any(where in m and expected in m for m in messages), result.stderr


def test_missing_file(tmp_path):
    out = tmp_path / "out"
    result = run_leaflet("build", tmp_path / "nope.yaml", "--out", out)
    assert_clean_failure(result, out)
    assert f"{tmp_path / 'nope.yaml'}: file not found" in result.stderr


def test_every_error_in_a_file_is_reported_together():
    file = FIXTURES / "bad-several-errors" / "leaflet.yaml"
    result = run_leaflet("check", file)
    assert result.returncode == 1
    assert f"{file}:8: medicine.colour: unknown key 'colour'" in result.stderr
    assert f"{file}:27: side_effects.serious.items[0].name: expected text, found the number 42" in result.stderr
    assert f"{file}:33: review.status: expected one of 'example', 'draft' or 'approved', found 'aproved'" in result.stderr


def test_batch_with_one_bad_leaflet_builds_the_others(tmp_path):
    folder = tmp_path / "leaflets"
    folder.mkdir()
    for sample in LEAFLETS[:2]:
        shutil.copy(sample, folder)
    shutil.copy(FIXTURES / "bad-misspelt-key" / "leaflet.yaml", folder / "broken.yaml")
    out = tmp_path / "out"
    result = run_leaflet("build", folder, "--out", out)
    assert result.returncode == 1
    assert "2 built, 0 unchanged, 1 failed" in result.stdout
    built = sorted(p.name for p in out.glob("*.pdf"))
    assert built == sorted(f"{p.stem}.pdf" for p in LEAFLETS[:2])
    assert "broken.yaml:20: side_efects" in result.stderr


def test_duplicate_ids_are_refused(tmp_path):
    first = FIXTURES / "valid-minimal" / "minimal.yaml"
    second = tmp_path / "copy.yaml"
    shutil.copy(first, second)
    out = tmp_path / "out"
    result = run_leaflet("build", first, second, "--out", out)
    assert result.returncode == 1
    assert "id 'minimal' is also used by" in result.stderr
    assert [p.name for p in out.glob("*.pdf")] == ["minimal.pdf"]


def test_bad_usage_exits_2(tmp_path):
    result = run_leaflet("build", "--paper", "a5")
    assert result.returncode == 2
    assert "a5" in result.stderr
    result = run_leaflet("build", cwd=tmp_path)  # no ./leaflets here
    assert result.returncode == 2
    assert "no ./leaflets folder" in result.stderr
