"""Fuzzing: made-up YAML, leaflets and brands end in a valid PDF or a clean error.

Never a traceback, a hang or a partial file. Hypothesis makes the input:
random bytes, YAML-like text, broken copies of a real leaflet, alias and
nesting bombs, and whole leaflets and brands whose text comes from many
scripts, with emoji, empty strings, long words and long lists.

Two profiles, chosen with LEAFLET_FUZZ:
- ``fast`` (the default, in ``make test``): a few hundred YAML cases and a
  handful of builds, derandomized so that ``make test`` is repeatable;
- ``long`` (``make fuzz``): thousands of YAML cases and hundreds of builds,
  with new random input each run. Failures are kept in ``.hypothesis/``
  and tried first next time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import re
import signal
import tempfile
import time
from pathlib import Path

import yaml
from conftest import FIXTURES
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leaflet_factory import full_leaflet

from generator import build, check, load
from generator.brand.load import load_brand
from generator.content.model import Leaflet
from generator.content.source import read_yaml
from generator.content.validate import validate
from generator.problems import LeafletError, Problem
from generator.render.geometry import PAPERS, SIZES, Options
from generator.wording.settings import Config, Readability, defaults

PROFILE = os.environ.get("LEAFLET_FUZZ", "fast")
if PROFILE not in ("fast", "long"):
    raise ValueError(f"LEAFLET_FUZZ must be 'fast' or 'long', not {PROFILE!r}")
LONG = PROFILE == "long"


def profile(examples: int, long_examples: int):
    return settings(
        max_examples=long_examples if LONG else examples,
        derandomize=not LONG,
        deadline=None,  # a build takes a second or more; hangs are caught by time_limit
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


@contextlib.contextmanager
def time_limit(seconds: int):
    """Fail, rather than wait for ever, if one case hangs."""

    def expired(*_):
        raise TimeoutError(f"no result after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_clean(problems: list[Problem], file: Path) -> None:
    """Each problem names its file, and says something printable."""
    assert problems, "an error with no problems in it"
    for problem in problems:
        assert isinstance(problem, Problem)
        assert Path(problem.file).name in (file.name, "brand.yaml", "leaflet.html.j2"), problem
        assert problem.message.strip(), problem
        assert not CONTROL.search(str(problem)), f"a control character reaches the terminal: {problem!r}"


def read_cleanly(file: Path) -> None:
    """read_yaml and validate give data or problems, and nothing else, quickly."""
    started = time.perf_counter()
    with time_limit(20):
        try:
            source = read_yaml(file)
        except LeafletError as error:
            assert_clean(error.problems, file)
        else:
            _, problems = validate(source, Leaflet)
            if problems:
                assert_clean(problems, file)
    assert time.perf_counter() - started < 5


# --- YAML ------------------------------------------------------------------------

YAML_PIECES = list(":-[]{}&*!|>'\"#%@`,?\\ \n\t") + [
    "a", "b", "key", "1", "2026-02-30", "0x", "é", "🙂", "\u202e", "\x07", "\ufeff", "\r\n",
    "&a ", "*a", "!!python/object:os.system ", "!!binary ", "<<: ", "---\n", "...\n", "\\x1b", "\\u202e",
]


@profile(300, 20_000)
@given(st.binary(max_size=3000))
def test_any_bytes(data):
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "leaflet.yaml"
        file.write_bytes(data)
        read_cleanly(file)


@profile(300, 20_000)
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=200).map("".join))
def test_yaml_like_text(text):
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "leaflet.yaml"
        file.write_text(text, "utf-8")
        read_cleanly(file)


MINIMAL = (FIXTURES / "valid-minimal" / "minimal.yaml").read_text("utf-8")


@profile(200, 20_000)
@given(st.lists(st.tuples(st.integers(0, len(MINIMAL)), st.integers(0, 20), st.sampled_from(YAML_PIECES + ["  ", "\n  - ", "title: "])), max_size=8))
def test_broken_copies_of_a_real_leaflet(edits):
    """Cut, splice and insert at random places in a valid leaflet."""
    text = MINIMAL
    for at, cut, piece in edits:
        at = min(at, len(text))
        text = text[:at] + piece + text[at + cut:]
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "leaflet.yaml"
        file.write_text(text, "utf-8")
        read_cleanly(file)
        with time_limit(20):
            try:
                load(file)
            except LeafletError as error:
                assert_clean(error.problems, file)


@profile(100, 5_000)
@given(depth=st.integers(1, 12), width=st.integers(1, 40), nesting=st.integers(0, 400), flow=st.booleans())
def test_alias_and_nesting_bombs(depth, width, nesting, flow):
    """Aliases that multiply, and nesting in flow or block style: refused or
    read in moments, never expanded or recursed into."""
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for level in range(1, depth):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    if flow:
        lines.append("deep: " + "[" * nesting + "]" * nesting)
    else:
        lines.append("deep:" + "".join("\n" + "  " * (n + 1) + "-" for n in range(nesting)) + " x")
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "bomb.yaml"
        file.write_text("\n".join(lines) + "\n", "utf-8")
        read_cleanly(file)


# --- Whole leaflets and brands ----------------------------------------------------

# Letters, marks, numbers, punctuation and symbols from every script, emoji
# and spaces; surrogates cannot be written as UTF-8.
ANY_TEXT = st.characters(categories=["L", "M", "N", "P", "S", "Zs"])
SCRIPTS = st.sampled_from(
    ["Medicine", "Médicament", "Лекарство", "Φάρμακο", "دواء", "תרופה", "दवा", "ওষুধ", "药物", "薬", "약", "ยา", "ᎤᏍᏗ",
     "💊🩺", "👩🏽‍⚕️", "🏳️‍🌈", "e\u0301", "ﷺ", "𝔐𝔢𝔡", "Ⅻ", "½", "x²"]
)


TEXTS = st.one_of(
    st.lists(st.text(ANY_TEXT, min_size=1, max_size=12), min_size=1, max_size=40 if LONG else 8).map(" ".join),
    st.lists(SCRIPTS, min_size=1, max_size=20).map(" ".join),
    st.text(ANY_TEXT, min_size=1, max_size=300),
    st.text(st.characters(categories=["L", "N"]), min_size=60, max_size=250),  # one long word
    st.lists(st.text("abcdefghij-", min_size=1, max_size=30), max_size=12).map(lambda p: "https://example.org/" + "/".join(p)),
    st.sampled_from(["", " \n\t ", "0", "- item", "key: value", "#", "'", '"']),
)


# Sections a leaflet may leave out (docs/content-format.md, section 5).
OPTIONAL = ["boxed_warning", "how_it_works", "who_should_not_take", "how_to_take", "missed_dose", "too_much",
            "other_medicines", "pregnancy", "driving", "storage", "comparison", "questions", "extra_sections"]


@st.composite
def leaflets(draw) -> dict:
    """A leaflet with every key, its text picked from a small pool that hypothesis
    makes (and shrinks); which text goes where, and list lengths, come from a seed,
    because drawing each of several hundred fields would exhaust hypothesis's buffer.

    Most leaflets are valid, so that they reach the PDF engine; the rest have
    blank text, lists too short or too long, sections missing and wrong types."""
    pool = draw(st.lists(TEXTS, min_size=1, max_size=12))
    rng = random.Random(draw(st.integers(0, 2**32)))
    chaos = rng.random() < 0.3
    longest = 20 if LONG else 3

    def text(path: tuple, limit: int) -> str:
        if path == ("title",):
            limit = 40  # longer titles do not fit the running header at 24 pt
        value = rng.choice(pool)[:limit]
        return value if chaos or value.strip() else "Text"

    big_lists = 1  # one list too long is enough: several, nested, make a file of many MB

    def count(path: tuple, low: int, high: int) -> int:
        nonlocal big_lists
        if not chaos:
            return rng.randint(low, min(high, longest))
        choice = rng.choice([0, low, high if high < 100 else 200, rng.randint(low, min(high, longest))])
        if choice > longest:
            if not big_lists:
                return min(high, longest)
            big_lists -= 1
        return choice

    data = full_leaflet(text, count)
    removable = sorted(data) if chaos else OPTIONAL
    for key in rng.sample(removable, rng.randint(0, 6)):
        if key not in ("id", "language", "review", "title", "medicine"):
            del data[key]
    if not chaos or rng.random() < 0.5:
        data["medicine"]["has_boxed_warning"] = "boxed_warning" in data
    if not chaos and "comparison" in data:
        own = data["medicine"]["name"].casefold()
        for number, medicine in enumerate(data["comparison"]["medicines"][1:], start=1):
            if medicine["name"].casefold() == own:
                medicine["name"] = f"Other medicine {number}"
    if chaos and rng.random() < 0.3:  # a wrong type somewhere
        data[rng.choice(sorted(data))] = rng.choice([42, True, None, [], {}, "text", [1, 2]])
    return data


@st.composite
def brands(draw) -> dict | None:
    if not draw(st.booleans()):
        return None
    pool = draw(st.lists(TEXTS, min_size=1, max_size=4))
    rng = random.Random(draw(st.integers(0, 2**32)))
    text = lambda limit: rng.choice(pool)[:limit]  # noqa: E731
    return {
        "name": text(60),
        "logo": {"file": "logo.svg", "alt": text(300)},
        "colours": {"primary": "#0b6e4f", "accent": "#000000"},
        "contact": {"phone": text(300), "address": text(4000), "opening_hours": text(4000)},
        "footer": text(4000),
    }


LOGO = (FIXTURES.parent.parent / "brands" / "riverside-pharmacy" / "logo.svg").read_text("utf-8")
# A build checks the wording first, and random text reads at no grade a
# patient could manage. So that most made-up leaflets still reach the PDF
# engine, the reading level and sentence length do not stop them here.
LAYOUT_ONLY = dataclasses.replace(
    defaults(),
    config=Config(readability=Readability(
        grade_warning=1e6, grade_error=1e6, section_grade_warning=1e6, sentence_warning=10**6, sentence_error=10**6,
    )),
)
# Once a leaflet passes its checks, only these may stop its build: content
# too big for the page. Anything else (a missing heading, broken tagging)
# would be the tool's fault...
LAYOUT_LIMITS = (
    "text outside the page's text area",
    "without its column headings",
    # A title and boxed warning of long unbreakable words that cannot start
    # on page 1 together: the build refuses rather than move the warning.
    "does not show the boxed warning on page 1",
    # Long unbreakable words that wrap the running header, strand a heading
    # or leave a table row alone: the layout guard refuses the page breaks.
    "breaks its pages badly",
)
# ...except for text with characters the leaflet font (Atkinson Hyperlegible
# Next) lacks. They print as empty boxes when no font has them, and when the
# font lacks only a precomposed letter (such as ķ), WeasyPrint's text layer
# maps the base letter's glyph to the accented one everywhere ("šarning" for
# "warning"). The read-back checks then rightly find the text missing.
READ_BACK = ("does not print", "heading for required section", "reading order")
FONT_CHARS = frozenset().union(
    *(TTFont(font).getBestCmap() for font in (FIXTURES.parent.parent / "styles" / "fonts").glob("*.woff2"))
)


def in_leaflet_font(value) -> bool:
    """Whether every character of every text in ``value`` is in the leaflet font."""
    if isinstance(value, dict):
        return all(in_leaflet_font(v) for v in value.values())
    if isinstance(value, list):
        return all(in_leaflet_font(v) for v in value)
    return not isinstance(value, str) or all(char.isspace() or ord(char) in FONT_CHARS for char in value)


@profile(10, 150)
@given(leaflets(), brands(), st.sampled_from(sorted(SIZES)), st.sampled_from(sorted(PAPERS)))
def test_any_leaflet_builds_or_fails_cleanly(data, brand, size, paper):
    with tempfile.TemporaryDirectory() as folder, time_limit(300):
        folder = Path(folder)
        file = folder / "leaflet.yaml"
        file.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        options = Options(size=size, paper=paper)
        if brand is not None:
            (folder / "brand").mkdir()
            (folder / "brand" / "logo.svg").write_text(LOGO, "utf-8")
            (folder / "brand" / "brand.yaml").write_text(yaml.safe_dump(brand, allow_unicode=True), "utf-8")
            try:
                options = Options(size=size, paper=paper, brand=load_brand(folder / "brand"))
            except LeafletError as error:
                assert_clean(error.problems, folder / "brand" / "brand.yaml")
                return
        try:
            leaflet = load(file)
        except LeafletError as error:
            assert_clean(error.problems, file)
            return
        out = folder / "out"
        result = build(file, out, options, settings=LAYOUT_ONLY)
        written = sorted(p.name for p in out.iterdir()) if out.exists() else []
        errors = [] if result.ok else [f.problem for f in check(file, LAYOUT_ONLY).findings if f.severity == "error"]
        if errors:  # refused before rendering, with what `leaflet check` reports
            assert (result.problems, written) == (errors, [])
            assert_clean(result.problems, file)
            return
        if result.ok:
            assert written == [f"{leaflet.id}.pdf"]
            assert result.output.read_bytes().startswith(b"%PDF-")
        else:
            assert written == [], f"a failed build left {written}"
            assert_clean(result.problems, file)
            allowed = LAYOUT_LIMITS + (() if in_leaflet_font([data, brand]) else READ_BACK)
            unexpected = [str(p) for p in result.problems if not any(limit in p.message for limit in allowed)]
            assert unexpected == [], unexpected

