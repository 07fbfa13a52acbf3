"""Bad input gets one clear message naming the file, line and key, exit 1, and no output.

The fixture folders, each with its expected messages, are run by
test_fixtures.py; these are the cases that need more than a file."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, LEAFLETS, run_leaflet

from generator import build, load, load_settings
from generator.content.screen import MAX_DEPTH, describe
from generator.content.source import MAX_BYTES, read_yaml
from generator.problems import LeafletError
from generator.render.geometry import Options
from generator.verify.layout import overflows
from generator.verify.text import PdfText, TextBox


def assert_clean_failure(result, out_dir):
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    leftovers = list(out_dir.iterdir()) if out_dir.exists() else []
    assert leftovers == [], f"output left behind: {leftovers}"


def test_missing_file(tmp_path):
    out = tmp_path / "out"
    result = run_leaflet("build", tmp_path / "nope.yaml", "--out", out)
    assert_clean_failure(result, out)
    assert f"{tmp_path / 'nope.yaml'}: file not found" in result.stderr


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


# --- Hostile YAML: files that try to hang, crash or mislead the reader ---------------

MINIMAL = FIXTURES / "valid-minimal" / "minimal.yaml"


def problems_of(file) -> list[str]:
    with pytest.raises(LeafletError) as error:
        read_yaml(file)
    return [str(problem) for problem in error.value.problems]


@pytest.mark.parametrize(
    "nesting, line",
    [("[" * 200_000 + "]" * 200_000, 2), ("".join("  " * depth + "-\n" for depth in range(60)), 2 + MAX_DEPTH - 1)],
    ids=["flow", "block"],
)
def test_deep_nesting_is_refused_before_it_is_composed(nesting, line, tmp_path):
    """libyaml's composer recurses in C: this file used to kill Python with a segfault.

    Newer libyaml refuses deep flow nesting itself, with its own words and
    no key; the project's own message must still name the file, line and key,
    whichever PyYAML is installed."""
    file = tmp_path / "deep.yaml"
    file.write_text("title:\n  " + nesting.replace("\n", "\n  ") + "\n", "utf-8")
    started = time.perf_counter()
    problems = problems_of(file)
    assert time.perf_counter() - started < 2
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{file}:{line}: title"), problems
    assert f"nested more than {MAX_DEPTH} levels deep" in problems[0], problems


def test_oversized_file_is_refused_before_parsing(tmp_path):
    file = tmp_path / "big.yaml"
    # Deeply nested, so a parser that read it first would report that instead.
    file.write_text("[" * (MAX_BYTES + 1), "utf-8")
    assert problems_of(file) == [f"{file}: file is too large ({MAX_BYTES + 1:,} bytes; the limit is {MAX_BYTES:,})"]


def test_a_device_or_pipe_is_not_read_forever(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)  # opening it for reading would wait for a writer that never comes
    assert problems_of(fifo) == [f"{fifo}: is not a regular file"]
    assert problems_of(Path("/dev/zero")) == ["/dev/zero: is not a regular file"]


@pytest.mark.parametrize("text", ["\ufeff\ufeff", "\ufeff\ufeff\n# only a comment\n"])
def test_files_with_no_document_are_empty(text, tmp_path):
    """Found by fuzzing: a second byte-order mark was an AttributeError."""
    file = tmp_path / "empty.yaml"
    file.write_text(text, "utf-8")
    assert problems_of(file) == [f"{file}: the file is empty"]


def test_bom_crlf_and_tabs_inside_text_are_accepted(tmp_path):
    text = MINIMAL.read_text("utf-8").replace("Do not take it.", '"Do not\\ttake it."').replace("Ask your pharmacist.", "Ask\tyour pharmacist.")
    file = tmp_path / "windows.yaml"
    file.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    leaflet = load(file)
    assert leaflet.key_facts[2] == "Do not\ttake it."
    assert leaflet.more_information.text == "Ask\tyour pharmacist."
    assert read_yaml(file).lines[("title",)] == 4


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"])
def test_control_and_bidi_characters_are_refused_with_their_place(char, tmp_path):
    file = tmp_path / "hidden.yaml"
    file.write_text(MINIMAL.read_text("utf-8").replace("Do not take it.", f"Do not {char}take it."), "utf-8")
    assert problems_of(file) == [f"{file}:11: key_facts[2]: " + describe(char)]
    escaped = tmp_path / "escaped.yaml"
    escaped.write_text(MINIMAL.read_text("utf-8").replace("- Do not take it.", f'- "Do not \\u{ord(char):04x}take it."'), "utf-8")
    assert problems_of(escaped) == [f"{escaped}:11: key_facts[2]: " + describe(char, escaped=True)]


def test_messages_never_carry_a_control_character_to_the_terminal(tmp_path):
    file = tmp_path / "terminal.yaml"
    file.write_text('"\\e[2Jkey": x\ntitle: "\\e]0;pwned\\a"\n', "utf-8")
    result = run_leaflet("check", file)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr, result.stderr


@pytest.mark.parametrize(
    "brand_yaml, line, expected",
    [
        ("name: !!python/name:os.system\n", 1, "the YAML tag '!!python/name:os.system' is not allowed"),
        ("x: &a [a, a, a, a, a, a, a, a, a, a]\n" + "".join(
            f"{n}: &{n} [{', '.join(['*' + p] * 10)}]\n" for p, n in zip("abcde", "bcdef")), 4, "aliases (*name) repeat more than"),
        ("name: Clinic \u202eName\n", 1, "name: the bidirectional control character U+202E"),
    ],
    ids=["python-tag", "billion-laughs", "bidi-override"],
)
def test_brand_yaml_is_read_the_same_way(brand_yaml, line, expected, tmp_path):
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "brand.yaml").write_text(brand_yaml, "utf-8")
    out = tmp_path / "out"
    result = run_leaflet("build", "--brand", brand, "--out", out, MINIMAL)
    assert_clean_failure(result, out)
    assert f"{brand / 'brand.yaml'}:{line}:" in result.stderr and expected in result.stderr, result.stderr


# --- Layout: long words wrap, and what still does not fit is an error ----------------

WORD = "Supercalifragilistic" * 10  # 200 letters, no place to break
# These leaflets read badly on purpose. A build checks the wording first, so
# the layout tests relax the reading level, in leaflet.toml as a project would.
LAYOUT_ONLY = """[readability]
grade_warning = 1000
grade_error = 1000
section_grade_warning = 1000
sentence_warning = 100000
sentence_error = 100000
"""


def leaflet_with(tmp_path, change) -> Path:
    data = yaml.safe_load(MINIMAL.read_text("utf-8"))
    change(data)
    file = tmp_path / f"{data['id']}.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    (tmp_path / "leaflet.toml").write_text(LAYOUT_ONLY, "utf-8")
    return file


def comparison(medicines: int, cell: str) -> dict:
    names = ["Testamol"] + [f"Other{n}" for n in range(1, medicines)]
    return {
        "caption": "Testamol and other medicines",
        "medicines": [{"name": name} for name in names],
        "rows": [{"feature": "How it works", "cells": [cell] + ["It works."] * (medicines - 1)}],
    }


def long_words(data: dict) -> None:
    data["title"] = WORD[:46]  # wider than the page at 24 pt: page 1 must wrap it
    data["short_title"] = "Testamol"  # the running header never wraps, so a long title needs one
    data["key_facts"][0] = WORD
    data["warnings"][0]["title"] = WORD
    data["key_facts"][1] = "See https://www.example.org/medicines/testamol/" + "side-effects/" * 12 + "?page=1"
    data["extra_sections"] = [{"heading": WORD, "text": WORD}]
    data["comparison"] = comparison(4, WORD)  # four medicines: printed as stacked tables


@pytest.mark.parametrize("size, paper", [("large", "a4"), ("extra-large", "letter")])
def test_long_words_and_web_addresses_wrap(size, paper, tmp_path):
    file = leaflet_with(tmp_path, long_words)
    result = build(file, tmp_path / "out", Options(paper=paper, size=size), settings=load_settings(tmp_path))
    assert result.ok, "\n".join(map(str, result.problems))


@pytest.mark.parametrize(
    "change, expected",
    [
        # The full table sizes its columns by their longest words, so a word
        # wider than the page pushes the table past the margin.
        (lambda d: d.update(comparison=comparison(2, WORD)),
         "under the heading 'How Testamol compares with other medicines': 'Supercalifragilistic"),
        (lambda d: d.update(title=" ".join(["Testamol tablets for headaches"] * 9)),
         "in the page header: 'Testamol tablets for headaches"),
        # A row taller than a page: WeasyPrint prints it without the column headings.
        (lambda d: d.update(comparison=comparison(2, " ".join(["Testamol works on the brain."] * 130))),
         "without its column headings"),
    ],
    ids=["table-wider-than-the-page", "title-taller-than-the-header", "row-taller-than-a-page"],
)
def test_what_still_does_not_fit_is_an_error(change, expected, tmp_path):
    file = leaflet_with(tmp_path, change)
    out = tmp_path / "out"
    result = run_leaflet("build", file, "--out", out, "--size", "standard", cwd=tmp_path)
    assert_clean_failure(result, out)
    errors = [line for line in result.stderr.splitlines() if line.startswith(f"error: {file}: the built PDF")]
    assert any(expected in error for error in errors), result.stderr


def box(left, bottom, right, top, mcid=0, page=0):
    return TextBox(page, mcid, left, bottom, right, top, "text")


@pytest.mark.parametrize(
    "where, found",
    [
        (box(57, 400, 538, 420), None),  # exactly the text column of A4
        (box(57, 400, 560, 420), "runs 8 mm past the right edge of the text"),
        (box(40, 400, 300, 420), "starts 6 mm left of the text"),
        (box(57, 830, 300, 850), "runs off the top of the page"),
        (box(57, 5, 300, 20), "runs off the bottom of the page"),
        (box(57, 60, 300, 80), "runs into the page footer"),
        (box(57, 60, 300, 80, mcid=-1), None),  # the footer itself
    ],
)
def test_overflow_geometry(where, found):
    footer = box(57, 50, 400, 70, mcid=-1)
    text = PdfText([(595.3, 841.9)], [footer, where])
    assert [w for b, w in overflows(text, 56.7) if b is where] == ([found] if found else [])
