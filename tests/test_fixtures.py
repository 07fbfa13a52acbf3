"""Every fixture folder under tests/fixtures/ carries its input and, in
expected.txt, what `leaflet check` must report for it and its exit code.

The findings are compared through the library API, exactly and in order. An
invalid leaflet must also be refused by `load` with the same errors. `build`
checks as `leaflet check` does: a fixture that fails the check gets no
output and the same errors, and one that passes is built, with the same
warnings. A few cases go through the real `leaflet` command as well, as a
user would run it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURES, run_leaflet

import generator
from generator.wording.settings import defaults

# Review dates are judged against a fixed day, so the fixtures never age.
TODAY = dt.date(2026, 12, 1)


@dataclass(frozen=True)
class Case:
    folder: Path
    file: Path
    exit: int
    findings: list[str]

    @property
    def errors(self) -> list[str]:
        return [line for line in self.findings if line.startswith("error:")]

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.findings if line.startswith("warning:")]

    def shown(self, text: str) -> str:
        """A finding as written in expected.txt: the file named from its folder."""
        return text.replace(f"{self.folder}/", "")


def read_case(folder: Path) -> Case:
    lines = [line for line in (folder / "expected.txt").read_text("utf-8").splitlines() if not line.startswith("#")]
    exit_line, *findings = lines
    assert exit_line.startswith("exit: "), f"{folder}/expected.txt: the first line must be 'exit: N'"
    (file,) = folder.glob("*.yaml")
    return Case(folder, file, int(exit_line.removeprefix("exit: ")), findings)


CASES = [read_case(folder) for folder in sorted(FIXTURES.iterdir()) if folder.is_dir()]
INVALID = [case for case in CASES if case.folder.name.startswith(("bad-", "hostile-"))]
FAILING = [case for case in CASES if case.exit == 1]
PASSING = [case for case in CASES if case.exit == 0]
# Through the real command too: a wrong key, broken YAML, a hostile tag, and
# wording errors among warnings.
SMOKE = ["bad-misspelt-key", "bad-malformed-yaml", "hostile-python-tag", "plain-planted"]


def test_every_fixture_folder_has_its_expected_results():
    missing = [p.name for p in FIXTURES.iterdir() if p.is_dir() and not (p / "expected.txt").is_file()]
    assert not missing


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.folder.name)
def test_check_reports_exactly_the_expected_findings(case):
    result = generator.check(case.file, defaults(), TODAY)
    assert [case.shown(f"{f.severity}: {f.problem}") for f in result.findings] == case.findings
    assert int(result.failed()) == case.exit


@pytest.mark.parametrize("case", INVALID, ids=lambda c: c.folder.name)
def test_an_invalid_leaflet_is_refused_by_load(case):
    assert case.exit == 1 and case.errors
    with pytest.raises(generator.LeafletError) as refused:
        generator.load(case.file)
    assert [case.shown(f"error: {p}") for p in refused.value.problems] == case.errors


@pytest.mark.parametrize("case", FAILING, ids=lambda c: c.folder.name)
def test_build_refuses_what_check_fails_with_the_same_findings(case, tmp_path):
    assert case.errors
    out = tmp_path / "out"
    result = generator.build(case.file, out, settings=defaults(), today=TODAY)
    assert result.status == "failed" and not result.ok and result.output is None
    assert [case.shown(f"error: {p}") for p in result.problems] == case.errors
    assert [case.shown(str(w)) for w in result.warnings] == case.warnings
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("case", PASSING, ids=lambda c: c.folder.name)
def test_build_builds_what_check_passes_with_the_same_warnings(case, tmp_path):
    assert not case.errors
    out = tmp_path / "out"
    result = generator.build(case.file, out, settings=defaults(), today=TODAY)
    assert result.status == "built", [str(p) for p in result.problems]
    assert [case.shown(str(w)) for w in result.warnings] == case.warnings
    assert sorted(out.iterdir()) == [result.output] and result.output.read_bytes().startswith(b"%PDF-")

    strict = generator.build(case.file, tmp_path / "strict", settings=defaults(), strict=True, today=TODAY)
    assert strict.ok == (not case.warnings)  # --strict: a warning fails the leaflet, as in `leaflet check --strict`
    assert (tmp_path / "strict").exists() == strict.ok


@pytest.mark.parametrize("command", ["check", "build"])
@pytest.mark.parametrize("name", SMOKE)
def test_the_command_prints_the_same_and_writes_nothing(name, command, tmp_path):
    case = read_case(FIXTURES / name)
    out = tmp_path / "out"
    result = run_leaflet(*([command, case.file] + (["--out", out] if command == "build" else [])))
    assert result.returncode == case.exit, result.stderr
    assert "Traceback" not in result.stderr
    printed = [case.shown(line) for line in result.stderr.splitlines() if line.startswith(("error:", "warning:"))]
    assert printed == case.findings
    assert not out.exists() or not any(out.iterdir())
