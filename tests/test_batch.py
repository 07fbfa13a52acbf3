"""Batch builds: matrices, incremental reruns, failures, interruptions,
reproducible bytes, and the check every build makes first."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from conftest import FIXTURES, LEAFLET_CMD, LEAFLETS, ROOT, run_leaflet

import generator
from generator.wording.settings import defaults

# Batch mechanics need a few leaflets, not every sample: two in English and
# a translation, which goes to a folder of its own language.
SAMPLES = [*LEAFLETS[:2], next(path for path in LEAFLETS if path.name == "clonazepam.ar.yaml")]
MATRIX = ["--size", "large,standard", "--paper", "a4", "--paper", "letter"]
OUTPUTS = 4 * len(SAMPLES)  # MATRIX: 2 sizes x 2 papers for each
# One warning: too few of its sentences speak to the reader as "you".
MINIMAL = FIXTURES / "valid-minimal" / "minimal.yaml"
# An error (a sentence of 45 words, line 17) between two warnings (lines 12 and 24).
PLANTED = FIXTURES / "plain-planted" / "leaflet.yaml"


def reviewed_today(leaflet: Path, to: Path) -> Path:
    """A copy of a leaflet reviewed today, so that no review falls due as the years pass."""
    text = leaflet.read_text("utf-8").replace("last_reviewed: 2026-11-01", f"last_reviewed: {dt.date.today()}")
    to.write_text(text, "utf-8")
    return to


@pytest.fixture
def sources(tmp_path) -> Path:
    """A private copy of the sample leaflets, safe to change."""
    folder = tmp_path / "leaflets"
    folder.mkdir()
    for leaflet in SAMPLES:
        reviewed_today(leaflet, folder / leaflet.name)
    return folder


def findings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("error:", "warning:"))]


def build(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess, dict]:
    result = run_leaflet("build", "leaflets", "--out", "out", "--report", "report.json", *args, cwd=cwd)
    report = json.loads((cwd / "report.json").read_text("utf-8")) if (cwd / "report.json").exists() else {}
    return result, report


def valid_pdfs(folder: Path) -> list[Path]:
    pdfs = sorted(folder.rglob("*.pdf"))
    for pdf in pdfs:
        with pikepdf.open(pdf) as document:  # raises on a truncated or broken file
            assert len(document.pages) > 0
    return pdfs


def test_matrix_goes_to_documented_places_and_reruns_only_what_changed(sources):
    root = sources.parent
    result, report = build(*MATRIX, cwd=root)
    assert result.returncode == 0, result.stderr
    samples = [generator.load(path) for path in SAMPLES]
    expected = {
        Path("out") / "default" / paper / size / sample.language / f"{sample.id}.pdf"
        for sample in samples for paper in ("a4", "letter") for size in ("large", "standard")
    }
    assert {p.relative_to(root) for p in valid_pdfs(root / "out")} == expected
    assert (report["built"], report["unchanged"], report["failed"], report["warnings"]) == (OUTPUTS, 0, 0, 0)
    assert f"{OUTPUTS} built, 0 unchanged, 0 failed, 0 warnings" in result.stdout and findings(result.stderr) == []

    result, report = build(*MATRIX, cwd=root)
    assert result.returncode == 0
    assert (report["built"], report["unchanged"]) == (0, OUTPUTS)
    assert f"0 built, {OUTPUTS} unchanged, 0 failed, 0 warnings" in result.stdout

    touched = sources / SAMPLES[0].name
    touched.write_text(touched.read_text("utf-8") + "\n# edited\n", "utf-8")
    result, report = build(*MATRIX, cwd=root)
    rebuilt = [o["output"] for o in report["outputs"] if o["status"] == "built"]
    assert len(rebuilt) == 4 and all(Path(o).name == f"{SAMPLES[0].stem}.pdf" for o in rebuilt)

    result, report = build(*MATRIX, "--force", cwd=root)
    assert report["built"] == OUTPUTS


def test_a_brand_or_template_change_rebuilds_its_outputs(sources, tmp_path):
    root = sources.parent
    brand = root / "brands" / "mine"
    shutil.copytree(Path(__file__).parent.parent / "brands" / "riverside-pharmacy", brand)
    args = ["--brand", "mine", "--brand", "default"]
    assert build(*args, cwd=root)[1]["built"] == 2 * len(SAMPLES)
    (brand / "brand.yaml").write_text((brand / "brand.yaml").read_text("utf-8").replace("01632 960 418", "01632 960 419"), "utf-8")
    _, report = build(*args, cwd=root)
    rebuilt = {Path(o["output"]).parts[1] for o in report["outputs"] if o["status"] == "built"}
    assert (report["built"], rebuilt) == (len(SAMPLES), {"mine"})


def test_one_broken_leaflet_does_not_stop_the_others(sources):
    root = sources.parent
    shutil.copy(FIXTURES / "bad-misspelt-key" / "leaflet.yaml", sources / "broken.yaml")
    result, report = build(*MATRIX, cwd=root)
    assert result.returncode == 1
    assert report["built"] == OUTPUTS and report["failed"] == 1
    failed = [o for o in report["outputs"] if o["status"] == "failed"]
    assert failed[0]["source"].endswith("broken.yaml")
    assert failed[0]["problems"][0]["line"] and failed[0]["problems"][0]["message"]
    assert "broken.yaml" in result.stderr and f"{OUTPUTS} built, 0 unchanged, 1 failed" in result.stdout


def test_two_leaflets_that_would_write_the_same_file_are_refused(sources):
    root = sources.parent
    shutil.copy(sources / SAMPLES[0].name, sources / "copy.yaml")
    result, report = build(cwd=root)
    assert result.returncode == 1
    failed = [o for o in report["outputs"] if o["status"] == "failed"]
    assert len(failed) == 1 and "is also used by" in failed[0]["problems"][0]["message"]


def test_same_inputs_give_identical_bytes(sources, tmp_path):
    root = sources.parent
    first = run_leaflet("build", "leaflets", "--out", "one", "--jobs", "1", cwd=root)
    second = run_leaflet("build", "leaflets", "--out", "two", "--jobs", "2", cwd=root)
    assert first.returncode == second.returncode == 0
    for pdf in (root / "one").glob("*.pdf"):
        assert pdf.read_bytes() == (root / "two" / pdf.name).read_bytes(), f"{pdf.name} differs between builds"


def test_progress_off_a_terminal_is_plain_lines(sources):
    result, _ = build(cwd=sources.parent)
    output = result.stdout + result.stderr
    assert "\x1b[" not in output and "\r" not in output
    assert [line for line in result.stdout.splitlines() if line.startswith("[")] == [
        line for line in result.stdout.splitlines() if line.startswith("[") and " wrote " in line
    ]


def test_a_rerun_with_nothing_changed_never_loads_the_pdf_engine(sources):
    root = sources.parent
    assert build(cwd=root)[0].returncode == 0
    # Nor reads a leaflet: the plan's only ways to check or load one fail loudly.
    code = (
        "import sys; import generator.batch.plan as plan\n"
        "def parsed(path, *args): raise SystemExit(f'parsed {path}')\n"
        "plan.check_leaflet = plan.load_leaflet = parsed\n"
        "from generator.cli import main; sys.argv[0] = 'leaflet'; main()"
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, "build", "leaflets", "--out", "out"],
        cwd=root, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert f"{len(SAMPLES)} unchanged" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert not imported & {"weasyprint", "pikepdf", "pypdfium2", "distributed", "dask"}


def test_a_killed_run_leaves_only_whole_pdfs_and_the_rerun_finishes(sources):
    root = sources.parent
    process = subprocess.Popen(
        [str(LEAFLET_CMD), "build", "leaflets", "--out", "out", *MATRIX, "--jobs", "2"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((root / "out").rglob("*.pdf"))) < 3:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the whole run, workers too, at once
    process.wait()
    before = valid_pdfs(root / "out")
    assert 0 < len(before) < OUTPUTS
    result, report = build(*MATRIX, cwd=root)
    assert result.returncode == 0, result.stderr
    assert len(valid_pdfs(root / "out")) == OUTPUTS
    assert report["built"] + report["unchanged"] == OUTPUTS and report["unchanged"] > 0
    assert not list((root / "out").rglob("*.part")), "temporary files of the killed run are cleaned up"


# --- Every build checks first, as `leaflet check` does ----------------------------


def test_a_leaflet_that_fails_its_check_gets_no_pdf_and_the_others_are_built(sources):
    root = sources.parent
    reviewed_today(PLANTED, sources / "planted.yaml")
    result, report = build(cwd=root)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert not list((root / "out").rglob("planted.*"))
    assert len(valid_pdfs(root / "out")) == len(SAMPLES)
    # Every finding, as `leaflet check` prints it, and in its order.
    check = run_leaflet("check", "leaflets/planted.yaml", cwd=root)
    assert check.returncode == 1
    assert findings(result.stderr) == findings(check.stderr) == [
        line.replace("leaflet.yaml", "leaflets/planted.yaml")
        for line in (PLANTED.parent / "expected.txt").read_text("utf-8").splitlines()
        if line.startswith(("error:", "warning:"))
    ]
    assert "failed  leaflets/planted.yaml" in result.stderr
    assert "error: leaflets/planted.yaml:17: warnings[0].text: sentence of 45 words" in result.stderr
    assert f"{len(SAMPLES)} built, 0 unchanged, 1 failed, 2 warnings" in result.stdout
    (failed,) = [o for o in report["outputs"] if o["status"] == "failed"]
    assert (failed["source"], failed["output"]) == ("leaflets/planted.yaml", None)
    assert [(p["line"], p["path"]) for p in failed["problems"]] == [(17, "warnings[0].text")]
    assert [(w["line"], w["path"], w["code"]) for w in failed["warnings"]] == [
        (12, "key_facts[1]", "capitals"), (24, "uses.items[0].text", "jargon"),
    ]
    assert report["warnings"] == 2

    # Fixed, it builds.
    fixed = sources / "planted.yaml"
    short = re.sub(r"This is a long one.*?very long\.", "This one is short.", fixed.read_text("utf-8"), flags=re.S)
    fixed.write_text(short, "utf-8")
    result, report = build(cwd=root)
    assert result.returncode == 0, result.stderr
    assert (report["built"], report["unchanged"], report["warnings"]) == (1, len(SAMPLES), 2)
    assert root / "out" / "planted.pdf" in valid_pdfs(root / "out")


def test_warnings_do_not_stop_a_build_and_count_once_per_leaflet(sources):
    root = sources.parent
    reviewed_today(MINIMAL, sources / "minimal.yaml")
    check = run_leaflet("check", "leaflets/minimal.yaml", cwd=root)
    (warning,) = findings(check.stderr)
    assert warning.startswith("warning: leaflets/minimal.yaml:1: only 27% of sentences speak to the reader as 'you'")
    outputs = 2 * (len(SAMPLES) + 1)

    for run in ("first", "rerun"):
        result, report = build("--paper", "a4,letter", cwd=root)
        assert result.returncode == 0, result.stderr
        assert findings(result.stderr) == [warning], run  # once, not once per paper
        built, unchanged = (outputs, 0) if run == "first" else (0, outputs)
        assert f"{built} built, {unchanged} unchanged, 0 failed, 1 warning\n" in result.stdout, run
        assert (report["built"], report["unchanged"], report["warnings"]) == (built, unchanged, 1)
        for output in report["outputs"]:
            expected = [warning.removeprefix("warning: ")] if output["source"] == "leaflets/minimal.yaml" else []
            assert [w["text"] for w in output["warnings"]] == expected, run
    assert len(valid_pdfs(root / "out")) == outputs

    # --strict fails on warnings too: the outputs built with a warning are
    # checked again and fail, once; the others stay unchanged.
    result, report = build("--paper", "a4,letter", "--strict", cwd=root)
    assert result.returncode == 1
    assert findings(result.stderr) == [warning] and "failed  leaflets/minimal.yaml" in result.stderr
    assert f"0 built, {outputs - 2} unchanged, 1 failed, 1 warning" in result.stdout

    fresh = run_leaflet("build", "leaflets/minimal.yaml", "--out", "strict", "--strict", cwd=root)
    assert fresh.returncode == 1 and findings(fresh.stderr) == [warning]
    assert not (root / "strict").exists() or not list((root / "strict").iterdir())


def test_a_settings_change_rechecks_and_rebuilds(sources):
    root = sources.parent
    reviewed_today(MINIMAL, sources / "minimal.yaml")
    everything = len(SAMPLES) + 1
    result, report = build(cwd=root)
    assert (result.returncode, report["built"], report["warnings"]) == (0, everything, 1)

    settings = root / "leaflet.toml"
    settings.write_text("[style]\nyou_percent_warning = 25\n", "utf-8")
    result, report = build(cwd=root)
    assert result.returncode == 0, result.stderr
    assert (report["built"], report["unchanged"], report["warnings"]) == (everything, 0, 0)
    assert findings(result.stderr) == []

    settings.write_text("# Our house rules\n[style]\nyou_percent_warning = 25  # of sentences\n", "utf-8")
    assert build(cwd=root)[1]["unchanged"] == everything  # the same settings, written differently

    settings.write_text("[readability]\nsentence_warning = 5\nsentence_error = 9\n", "utf-8")
    result, report = build(cwd=root)
    check = run_leaflet("check", "leaflets", cwd=root)
    assert result.returncode == check.returncode == 1
    # The sentence checks apply in every language, so every leaflet fails them.
    assert (report["failed"], report["built"]) == (everything, 0)
    assert sorted(findings(result.stderr)) == sorted(findings(check.stderr))

    settings.write_text("[style]\nyou_percent_warning = 'many'\n", "utf-8")
    result = run_leaflet("build", "leaflets", "--out", "elsewhere", cwd=root)
    check = run_leaflet("check", "leaflets", cwd=root)
    assert result.returncode == check.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr == check.stderr
    assert result.stderr.startswith(f"error: {settings}:2: style.you_percent_warning: ")
    assert not (root / "elsewhere").exists()


def test_each_leaflet_is_checked_once_however_many_outputs(sources, tmp_path, monkeypatch):
    import generator.batch.plan as plan

    checked = []
    real = plan.check_leaflet
    monkeypatch.setattr(plan, "check_leaflet", lambda path, *args: checked.append(path.name) or real(path, *args))
    planned = generator.plan_build(
        [sources], tmp_path / "out", papers=["a4", "letter"], sizes=["large", "standard"],
        brands=[None, ROOT / "brands" / "riverside-pharmacy"], settings=defaults(), today=dt.date.today(),
    )
    assert sorted(checked) == sorted(p.name for p in SAMPLES)
    assert len(planned.todo) == 8 * len(SAMPLES) and planned.done == []
    # The sample leaflets pass `leaflet check --strict`: no warnings to build with.
    assert all(job.warnings == [] for job in planned.todo)


def test_warnings_recorded_in_the_manifest_come_back_whole_or_the_output_is_rebuilt(tmp_path):
    leaflet = reviewed_today(MINIMAL, tmp_path / "minimal.yaml")
    out = tmp_path / "out"
    first = generator.build_many([leaflet], out, jobs=1, settings=defaults())
    assert [(r.status, len(r.warnings)) for r in first] == [("built", 1)]
    again = generator.build_many([leaflet], out, jobs=1, settings=defaults())
    assert [(r.status, r.warnings) for r in again] == [("unchanged", first[0].warnings)]

    manifest = out / ".leaflet-manifest.json"
    data = json.loads(manifest.read_text("utf-8"))
    for entry in data["outputs"].values():
        entry["warnings"] = [{"severity": "warning"}]  # cut short
    manifest.write_text(json.dumps(data), "utf-8")
    third = generator.build_many([leaflet], out, jobs=1, settings=defaults())
    assert [(r.status, r.warnings) for r in third] == [("built", first[0].warnings)]


def test_language_chooses_leaflets_by_their_language_tag():
    names = lambda files: sorted(path.name for path in files)  # noqa: E731
    assert names(generator.select_languages(LEAFLETS, ["es", "AR"])) == ["clonazepam.ar.yaml", "clonazepam.es.yaml"]
    english = [path.name for path in LEAFLETS if "." not in path.stem]
    assert names(generator.select_languages(LEAFLETS, ["en"])) == sorted(english)  # en matches en-GB
    assert generator.select_languages(LEAFLETS, []) == LEAFLETS
    with pytest.raises(ValueError, match="no leaflet is in en-US"):
        generator.select_languages(LEAFLETS, ["en-US"])


def test_a_language_no_leaflet_is_in_is_a_usage_error(tmp_path):
    result = run_leaflet("build", "--language", "es,fr", "--out", tmp_path / "out", cwd=ROOT)
    assert result.returncode == 2
    assert "no leaflet is in fr; the leaflets given are in ar, en-GB, es" in result.stderr
    assert not (tmp_path / "out").exists()
