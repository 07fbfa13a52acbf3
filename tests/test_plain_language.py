"""Plain-language checks and content governance in `leaflet check` (docs/plain-language.md)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
import textstat
from conftest import FINDING, FIXTURES, LEAFLETS, findings, run_leaflet

from generator import check, load
from generator.content.model import sentences
from generator.content.source import read_yaml
from generator.wording import jargon, readability
from generator.wording import style_rules as style
from generator.wording.plain_language import check_wording, pieces
from generator.wording.settings import Config, Readability, Settings, Style, defaults

# severity: file:line: key.path: message (a finding about the whole leaflet has no key path)


def fresh(name: str, folder: Path) -> Path:
    """A copy of a fixture, reviewed today, so that it never falls overdue."""
    shutil.copytree(FIXTURES / name, folder / name)
    file = folder / name / "leaflet.yaml"
    text = re.sub(r"last_reviewed: \S+", f"last_reviewed: {dt.date.today()}", file.read_text("utf-8"))
    file.write_text(text, "utf-8")
    return file




def as_json(result) -> dict:
    return json.loads(result.stdout)


# --- The planted problems ----------------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("planted")
    file = fresh("plain-planted", folder)
    return file, run_leaflet("check", file, cwd=folder), run_leaflet("check", file, "--format", "json", cwd=folder)


def test_planted_problems_give_exactly_those_findings(planted):
    file, result, _ = planted
    assert result.returncode == 1, result.stderr  # the 45-word sentence is an error
    assert "Traceback" not in result.stderr
    assert findings(result) == [
        ("warning", 12, "key_facts[1]", (
            "block of capitals 'DO NOT TAKE IT WITH DRINK': capitals are hard to read; write it in lower case "
            "(the leaflet uses bold for emphasis)"
        )),
        ("error", 17, "warnings[0].text", (
            "sentence of 45 words (more than 30): 'This is a long one, so if you read it all the w...'; "
            "split it into sentences of 20 words or fewer"
        )),
        ("warning", 24, "uses.items[0].text", (
            "'ataxia' is a medical word: write 'poor coordination, unsteady on your feet' instead, or explain it "
            "where it is first used, for example 'ataxia (poor coordination, unsteady on your feet)'"
        )),
    ]
    for line in result.stderr.splitlines():
        if FINDING.match(line):
            assert f" {file}:" in line


def test_json_gives_the_same_findings_with_suggestions(planted):
    file, text, result = planted
    assert result.returncode == 1
    report = as_json(result)
    (leaflet,) = report["leaflets"]
    assert leaflet["ok"] is False and leaflet["file"] == str(file)
    got = [(f["severity"], f["line"], f["path"], f["message"]) for f in leaflet["findings"]]
    assert got == findings(text)
    suggestions = {f["code"]: f["suggestion"] for f in leaflet["findings"]}
    assert suggestions == {
        "capitals": "Do not take it with drink",
        "sentence-length": None,
        "jargon": "poor coordination, unsteady on your feet",
    }
    assert report["summary"] == {
        "checked": 1, "failed": 1, "errors": 1, "warnings": 2, "strict": False, "settings": None,
    }
    sections = {s["section"]: s for s in leaflet["sections"]}
    assert sections["warnings"]["longest_sentence_words"] == 45
    assert leaflet["scores"]["flesch_kincaid_grade"] <= 6


def test_text_output_has_a_score_table_per_section(planted):
    _, result, _ = planted
    header, *rows = [line for line in result.stdout.splitlines() if line.startswith("  ")]
    assert header.split() == ["Section", "Sentences", "Words", "Average", "Longest", "Grade", "SMOG", "Ease", "You"]
    names = [row.split()[0] for row in rows]
    assert names[:3] == ["key_facts", "uses", "warnings"]  # printed order, not file order
    assert rows[-1].startswith("  whole leaflet")
    assert "1 checked, 1 failed, 2 warnings" in result.stdout


# --- Jargon ------------------------------------------------------------------


def test_explained_terms_are_not_flagged(tmp_path):
    file = fresh("plain-explained", tmp_path)
    result = run_leaflet("check", file, "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert findings(result) == []


@pytest.mark.parametrize(
    "text, is_explained",
    [
        ("It can ease spasticity (stiff, tight muscles).", True),
        ("It eases stiff, tight muscles (spasticity).", True),
        ('Doctors call poor coordination "ataxia".', True),
        ("These breaks are called vertebral compression fractures.", True),
        ("You may get withdrawal symptoms. These are problems that happen when you stop.", True),
        ("Spasticity means stiff, tight muscles.", True),
        ("It can cause ataxia.", False),
        ("You may get withdrawal symptoms. This is why you must not stop.", False),
        ("Call 999 if you have a seizure.", False),
    ],
)
def test_what_counts_as_explained(text, is_explained):
    (use,) = jargon.find(jargon.builtin_terms(), text)
    assert jargon.explained(text, use) is is_explained


def test_a_term_explained_later_says_where():
    leaflet = load(FIXTURES / "plain-explained" / "leaflet.yaml")
    # uses is printed before warnings, where the fixture explains 'ataxia'.
    moved = leaflet.model_copy(update={"uses": leaflet.uses.model_copy(update={"intro": "It can cause ataxia."})})
    source = read_yaml(FIXTURES / "plain-explained" / "leaflet.yaml")
    (finding,) = [f for f in check_wording(moved, source, defaults()).findings if f.code == "jargon"]
    assert finding.problem.path == ("uses", "intro")
    assert "It is explained on line 16, but the leaflet prints this part first" in finding.problem.message


def test_longer_terms_hide_the_shorter_ones_inside_them():
    text = "Do not mix it with CNS depressants."
    assert [u.term.term for u in jargon.find(jargon.builtin_terms(), text)] == ["CNS depressant"]


@pytest.mark.parametrize("language", ["en", "es", "ar"])
def test_the_search_by_first_letter_finds_what_the_whole_pattern_finds(language):
    """``find`` tries at each place only the words that start with its
    letter; it must find what the one pattern of every word finds: the same
    words, in the same places, longest first, in every case."""
    import random

    from generator.wording.languages import LANGUAGES

    matcher = jargon.matcher(jargon.builtin_terms(language), LANGUAGES[language].phrasing)
    words = [word for term in jargon.builtin_terms(language) for word in (term.term, *term.forms)]
    texts = [text for file in LEAFLETS for text in _strings(read_yaml(file).data)]
    rng = random.Random(7)
    for _ in range(400):
        forms = [rng.choice([w, w.upper(), w.title(), "-" + w, w + "s", "x" + w, w + "-y", w.replace(" ", "\n ")])
                 for w in rng.sample(words, 3)]
        texts.append(rng.choice([" ", ", ", ". ", "(", " y ", " و"]).join(forms))
    texts += ["ſedative effects", "the \u212aidney", "SEDATIVES AND CNS DEPRESSANTS"]
    for text in texts:
        found = [(m.lastgroup, m.span()) for m in matcher.finditer(text)]
        assert found == [(m.lastgroup, m.span()) for m in matcher.pattern.finditer(text)], text


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [text for value in values for text in _strings(value)]


def test_the_jargon_list_has_the_guide_swaps_and_40_more():
    terms = {t.term: t.plain for t in jargon.builtin_terms()}
    guide = ["ataxia", "lethargy", "respiratory depression", "spasticity", "CNS depressant", "abrupt cessation"]
    assert all(term in terms for term in guide)
    assert len(terms) >= len(guide) + 40
    assert all(plain.strip() for plain in terms.values())


# --- Readability -------------------------------------------------------------


def test_scores_equal_textstat_on_plain_prose():
    prose = (
        "Within a few weeks, your body can get used to clonazepam. It may then work less well. "
        "You can also start to feel that you need it. Your doctor should check with you often."
    )
    scores = readability.score(sentences(prose))
    assert scores.sentences == 4
    assert scores.grade == pytest.approx(textstat.flesch_kincaid_grade(prose))
    assert scores.reading_ease == pytest.approx(textstat.flesch_reading_ease(prose))
    assert scores.smog == pytest.approx(textstat.smog_index(prose))


def test_bullet_points_are_sentences_of_their_own():
    bullets = ["Headache", "Dry mouth", "Feeling sick", "Trouble sleeping"]
    scores = readability.score(bullets)
    assert (scores.sentences, scores.longest) == (4, 2)
    # textstat alone would read them as one run-on sentence of 7 words.
    assert textstat.sentence_count(" ".join(bullets)) == 1


def test_sentences_split_on_full_stops_not_on_web_addresses():
    text = "See www.nhs.uk/medicines for more. Call 111.\n\nA new paragraph without a full stop"
    assert sentences(text) == [
        "See www.nhs.uk/medicines for more.", "Call 111.", "A new paragraph without a full stop",
    ]


def test_headings_are_checked_for_words_but_not_scored(tmp_path):
    file = fresh("plain-explained", tmp_path)
    heading = "Testamol for " + "it is " * 20 + "ATAXIA"
    file.write_text(file.read_text("utf-8").replace("title: Testamol for stiff muscles", f"title: {heading}"), "utf-8")
    result = run_leaflet("check", file, "--format", "json", cwd=tmp_path)
    codes = [f["code"] for f in as_json(result)["leaflets"][0]["findings"]]
    assert sorted(codes) == ["capitals", "jargon"]  # a 43-word heading is not a long sentence
    leaflet = load(file)
    assert next(pieces(leaflet)).heading


def wording_codes(settings: Settings, **update) -> list[str]:
    file = FIXTURES / "plain-explained" / "leaflet.yaml"
    leaflet = load(file).model_copy(update=update)
    return [f.code for f in check_wording(leaflet, read_yaml(file), settings).findings]


def test_optional_thresholds_and_the_share_of_you():
    assert wording_codes(defaults()) == []
    strict = Config(
        readability=Readability(smog_warning=1, reading_ease_warning=100), style=Style(you_percent_warning=90)
    )
    assert sorted(wording_codes(Settings(strict, defaults().terms))) == ["reading-ease", "smog", "you"]


def test_other_languages_are_not_scored():
    wording = check_wording(
        load(FIXTURES / "plain-planted" / "leaflet.yaml").model_copy(update={"language": "cy"}),
        read_yaml(FIXTURES / "plain-planted" / "leaflet.yaml"), defaults(),
    )
    assert (wording.findings, wording.sections) == ([], [])
    assert "only available in English" in wording.skipped


# --- Style -------------------------------------------------------------------


def test_style_problems(tmp_path):
    file = fresh("plain-style", tmp_path)
    result = run_leaflet("check", file, "--format", "json", cwd=tmp_path)
    got = {(f["line"], f["code"], f["suggestion"]) for f in as_json(result)["leaflets"][0]["findings"]}
    assert got == {
        (12, "italics", None),  # *never*
        (17, "italics", None),  # <u>3 days</u>
        (17, "numbers", "1 in 4"),  # 25%
        (18, "numbers", None),  # twice every 6 hours
        (22, "numbers", "3 in 4"),  # 3/4
        (27, "numbers", "3 days"),  # 72 hours
        (27, "numbers", None),  # 1.5 weeks
        (30, "capitals", "Warning"),
    }
    assert result.returncode == 1  # italics are errors: the markup would be printed


@pytest.mark.parametrize(
    "text",
    ["1 in 4 people", "NHS 111", "Call 999", "A&E", "Take it 2 times a day", "MAOI medicines", "**bold**",
     "over 14 days", "GABA-B receptors", "a file_name_here", "It is 24/7"],
)
def test_style_leaves_plain_text_alone(text):
    assert style.check(text) == []


@pytest.mark.parametrize(
    "percent, plain", [(25, "1 in 4"), (10, "1 in 10"), (30, "about 1 in 3"), (70, "7 in 10"), (0.1, "1 in 1,000")]
)
def test_percentages_become_one_in_n(percent, plain):
    (issue,) = style.numbers(f"About {percent}% of people")
    assert issue.suggestion == plain


# --- Governance --------------------------------------------------------------


def test_overdue_review_is_a_warning(tmp_path):
    file = FIXTURES / "plain-overdue-review" / "leaflet.yaml"
    result = run_leaflet("check", file, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (finding,) = findings(result)
    assert finding[:3] == ("warning", 39, "review.last_reviewed")
    assert "last reviewed on 2019-05-01, more than 3 years ago" in finding[3]
    assert run_leaflet("check", file, "--strict", cwd=tmp_path).returncode == 1


# --- Settings ----------------------------------------------------------------


def test_settings_file_changes_the_outcome(tmp_path):
    file = fresh("plain-planted", tmp_path)
    (tmp_path / "clinic-jargon.yaml").write_text("- term: made-up medicine\n  plain: pretend medicine\n", "utf-8")
    (tmp_path / "leaflet.toml").write_text(
        "[readability]\nsentence_warning = 50\nsentence_error = 60\n\n"
        "[jargon]\nextra = [\"clinic-jargon.yaml\"]\nignore = [\"ataxia\"]\n",
        "utf-8",
    )
    result = run_leaflet("check", file, "--format", "json", cwd=tmp_path)
    report = as_json(result)
    assert result.returncode == 0, result.stdout
    assert report["summary"]["settings"] == str(tmp_path / "leaflet.toml")
    codes = [(f["line"], f["code"]) for f in report["leaflets"][0]["findings"]]
    assert codes == [(11, "jargon"), (12, "capitals")]  # the clinic's term; no ataxia; no long sentence


def test_stricter_thresholds_fail_a_clean_leaflet(tmp_path):
    file = fresh("plain-explained", tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = \"clinic\"\n\n[tool.leaflet.readability]\ngrade_warning = 0.5\ngrade_error = 1\n", "utf-8"
    )
    folder = tmp_path / "deeper" / "still"
    folder.mkdir(parents=True)
    result = run_leaflet("check", file, cwd=folder)  # found in a parent folder
    assert result.returncode == 1
    ((severity, line, _, message),) = findings(result)
    assert (severity, line) == ("error", 1)
    assert re.match(r"the leaflet reads at grade \d+\.\d \(Flesch-Kincaid; more than 1\)", message)


def test_leaflet_toml_wins_over_pyproject_in_the_same_folder(tmp_path):
    file = fresh("plain-explained", tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.leaflet.readability]\ngrade_error = 1\n", "utf-8")
    (tmp_path / "leaflet.toml").write_text("[review]\nmax_age_years = 5\n", "utf-8")
    result = run_leaflet("check", file, "--strict", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "settings, expected",
    [
        ("[readability]\ngrade_error = \"high\"\n",
         "leaflet.toml:2: readability.grade_error: expected a number, found 'high'"),
        ("[readability]\ngrade_eror = 9\n",
         "leaflet.toml:2: readability.grade_eror: unknown key 'grade_eror' (did you mean 'grade_error'?)"),
        ("\n[review]\nmax_age_years = 0\n", "leaflet.toml:3: review.max_age_years: must be at least 1, found the number 0"),
        ("[readability\n", "leaflet.toml:1: invalid TOML"),
        ("[jargon]\nextra = [\"nope.yaml\"]\n", "leaflet.toml:2: jargon.extra[0]: jargon list not found"),
        ("[jargon]\nignore = [\"ataxa\"]\n",
         "leaflet.toml:2: jargon.ignore[0]: 'ataxa' is not in the jargon list (did you mean 'ataxia'?)"),
    ],
)
def test_bad_settings_are_a_clean_error(settings, expected, tmp_path):
    (tmp_path / "leaflet.toml").write_text(settings, "utf-8")
    result = run_leaflet("check", LEAFLETS[0], cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"error: {tmp_path / expected}" in result.stderr


def test_a_bad_jargon_list_names_its_file_line_and_key(tmp_path):
    (tmp_path / "clinic.yaml").write_text("- term: foo\n  plan: bar\n", "utf-8")
    (tmp_path / "leaflet.toml").write_text("[jargon]\nextra = [\"clinic.yaml\"]\n", "utf-8")
    result = run_leaflet("check", LEAFLETS[0], cwd=tmp_path)
    assert result.returncode == 2
    assert f"error: {tmp_path / 'clinic.yaml'}:2: [0].plan: unknown key 'plan'" in result.stderr
    assert f"error: {tmp_path / 'clinic.yaml'}:1: [0].plain: 'plain' is missing" in result.stderr


# --- The sample leaflets -----------------------------------------------------


def test_every_sample_leaflet_passes_strict(tmp_path):
    result = run_leaflet("check", *LEAFLETS, "--strict", "--format", "json", cwd=tmp_path)
    report = as_json(result)
    assert result.returncode == 0, [f["message"] for leaflet in report["leaflets"] for f in leaflet["findings"]]
    for leaflet in report["leaflets"]:
        assert leaflet["findings"] == []
        if leaflet["language"] != "en":  # the other languages' formulas: tests/test_wording_languages.py
            continue
        assert leaflet["scores"]["flesch_kincaid_grade"] <= 6, leaflet["file"]
        assert leaflet["scores"]["longest_sentence_words"] <= 20, leaflet["file"]


def test_a_term_explained_later_on_the_same_line_says_so(tmp_path):
    """Not "explained on line 9, but ..." when the word itself is on line 9."""
    text = (FIXTURES / "plain-explained" / "leaflet.yaml").read_text("utf-8")
    facts = re.search(r"^key_facts:\n(  - .*\n)+", text, re.M)[0]
    one_line = "key_facts: [It can cause ataxia., Ataxia means being unsteady on your feet., You can stop it.]\n"
    file = tmp_path / "leaflet.yaml"
    file.write_text(text.replace(facts, one_line), "utf-8")
    line = text[: text.index(facts)].count("\n") + 1
    (finding,) = [f for f in check(file, defaults()).findings if f.code == "jargon"]
    assert (finding.problem.line, finding.problem.path) == (line, ("key_facts", 0))
    assert "It is explained later on the same line, but the leaflet prints this use first" in finding.problem.message
