"""Plain-language checks in each leaflet language: English, Spanish and Arabic
(docs/plain-language.md, "Other languages").

Small leaflets are written to real files and checked by the real `leaflet
check`, or by ``generator.check`` where the test needs the scores in-process.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import textstat
from conftest import ROOT, findings, run_leaflet

from generator import check, load
from generator.content.model import sentence_ends, sentences
from generator.content.source import read_yaml
from generator.wording import jargon, readability
from generator.wording.languages import LANGUAGES
from generator.wording.plain_language import check_wording
from generator.wording.settings import Jargon, defaults
from generator.wording.settings import load as load_settings
from generator.wording.style_rules import quote

# severity: file:line: key.path: message (a finding about the whole leaflet has no key path)

# One leaflet, in the words of each language. {fact} is on line 9 and
# {warning} on line 16; every other text is plain and short.
TEMPLATE = """\
id: testamol
language: {language}
title: {title}
medicine:
  name: Testamol
  drug_class: {drug_class}
key_facts:
  - {fact_1}
  - {fact}
  - {fact_2}
warnings:
  - title: {warning_title}
    text: >-
      {warning_intro}
    action: >-
      {warning}
uses:
  items:
    - name: {use}
      text: {use_text}
side_effects:
  common:
    items:
      - name: {common}
  serious:
    items:
      - name: {serious}
stopping:
  text: {stopping}
more_information:
  text: {more}
review:
  status: example
  last_reviewed: {today}
  sources:
    - title: The leaflet generator's test suite
      publication: Leaflet generator project, 2026
"""
FACT_LINE, WARNING_LINE = 9, 16

WORDS = {
    "es": {
        "title": "Testamol para los músculos rígidos",
        "drug_class": "Medicamento de prueba",
        "fact_1": "El Testamol es un medicamento de prueba.",
        "fact": "No es un medicamento de verdad.",
        "fact_2": "Pregunte a su farmacéutico.",
        "warning_title": "Puede darle sueño",
        "warning_intro": "Puede tener mucho sueño.",
        "warning": "No tome más de lo que le dice el médico.",
        "use": "Músculos rígidos",
        "use_text": "Puede ayudar con los músculos rígidos.",
        "common": "Sueño",
        "serious": "Respirar muy despacio",
        "stopping": "Puede dejarlo cuando quiera.",
        "more": "Pregunte a su farmacéutico.",
    },
    "ar": {
        "title": "تيستامول لتيبس العضلات",
        "drug_class": "دواء تجريبي",
        "fact_1": "تيستامول دواء تجريبي.",
        "fact": "هذا ليس دواء حقيقيا.",
        "fact_2": "اسأل الصيدلي.",
        "warning_title": "قد يسبب لك النعاس",
        "warning_intro": "قد تشعر بالنعاس.",
        "warning": "لا تأخذ أكثر مما يقول لك طبيبك.",
        "use": "تيبس العضلات",
        "use_text": "قد يساعد في تيبس العضلات.",
        "common": "النعاس",
        "serious": "تنفس بطيء جدا",
        "stopping": "يمكنك التوقف عنه متى شئت.",
        "more": "اسأل الصيدلي.",
    },
}


def leaflet(folder: Path, language: str, **changes: str) -> Path:
    """A small, valid leaflet in ``language`` ("es" or "ar"; the tag may add a
    region, "es-MX"), reviewed today, with some of its texts changed."""
    words = {**WORDS[language.split("-")[0]], **changes}
    file = folder / f"testamol-{language}.yaml"
    file.write_text(TEMPLATE.format(language=language, today=dt.date.today(), **words), "utf-8")
    return file




def as_json(result) -> dict:
    (entry,) = json.loads(result.stdout)["leaflets"]
    return entry


# --- Sentences ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("¿Qué es? Es un medicamento.", ["¿Qué es?", "Es un medicamento."]),
        # An opening ¿ or ¡, and an accented capital, start a sentence.
        ("Es un medicamento. ¿Qué es? ¡Llame al 999! Él lo sabe. Ánimo.",
         ["Es un medicamento.", "¿Qué es?", "¡Llame al 999!", "Él lo sabe.", "Ánimo."]),
        # Arabic has no capitals, and its own question mark.
        ("جملة أولى. جملة ثانية؟ جملة ثالثة.", ["جملة أولى.", "جملة ثانية؟", "جملة ثالثة."]),
        # English as before: a lower-case word after a full stop does not start a sentence.
        ("Take it, e.g. with food. See www.nhs.uk for more.", ["Take it, e.g. with food.", "See www.nhs.uk for more."]),
    ],
)
def test_sentences_split_in_each_language(text, expected):
    assert sentences(text) == expected


def test_sentence_ends_use_the_same_rule():
    text = "جملة أولى. جملة ثانية؟ جملة ثالثة."
    assert [text[:end] for end in sentence_ends(text)] == ["جملة أولى.", "جملة أولى. جملة ثانية؟"]
    assert sentence_ends("Es un medicamento. ¿Qué es?") == [len("Es un medicamento.")]


# --- Spanish: the Szigriszt-Pazos perspicuity on the INFLESZ scale -------------


@pytest.mark.parametrize(
    "word, syllables",
    # Counted by hand with the Spanish rules: two strong vowels, or an accented
    # í or ú, are two syllables; a diphthong is one; so is a final y.
    [("agua", 2), ("una", 2), ("día", 2), ("leer", 2), ("oía", 3), ("ahora", 3), ("aún", 2), ("muy", 1),
     ("hoy", 1), ("y", 1), ("ayuda", 3), ("cuidado", 3), ("guía", 2), ("que", 1), ("opioides", 3),
     ("benzodiacepina", 6), ("respiratoria", 5), ("999", 1)],
)
def test_spanish_syllables_follow_the_spelling(word, syllables):
    assert readability.spanish_syllables(word) == syllables


EASY = ["El gato come.", "Yo bebo agua."]
HARD = [
    "La administración concomitante de benzodiacepinas y analgésicos opioides puede provocar depresión "
    "respiratoria clínicamente significativa."
]


def perspicuity(syllables: int, words: int, sentences_: int) -> float:
    """Szigriszt-Pazos (1993), as published: 206.835 - 62.3 S/P - P/F."""
    return 206.835 - 62.3 * syllables / words - words / sentences_


def test_szigriszt_pazos_on_an_easy_and_a_hard_text():
    easy = readability.score(EASY, LANGUAGES["es"].count)
    hard = readability.score(HARD, LANGUAGES["es"].count)
    # Syllables counted by hand: el ga-to co-me / yo be-bo a-gua; and
    # la ad-mi-nis-tra-ción con-co-mi-tan-te de ben-zo-dia-ce-pi-nas y a-nal-gé-si-cos
    # o-pioi-des pue-de pro-vo-car de-pre-sión res-pi-ra-to-ria clí-ni-ca-men-te sig-ni-fi-ca-ti-va.
    assert (easy.sentences, easy.words, easy.syllables) == (2, 6, 10)
    assert (hard.sentences, hard.words, hard.syllables) == (1, 14, 51)
    assert easy.perspicuity == pytest.approx(perspicuity(10, 6, 2))
    assert hard.perspicuity == pytest.approx(perspicuity(51, 14, 1))
    limits = defaults().readability.limits("inflesz")
    assert easy.perspicuity >= 80 > limits.warning > limits.error > hard.perspicuity
    assert readability.inflesz_band(easy.perspicuity) == "very easy"
    assert readability.inflesz_band(hard.perspicuity) == "very difficult"
    assert readability.inflesz_band(limits.warning) == "normal"


def test_a_plain_spanish_leaflet_passes_and_shows_its_inflesz_score(tmp_path):
    file = leaflet(tmp_path, "es-MX")
    text = run_leaflet("check", file, "--strict", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert findings(text) == []
    header = next(line for line in text.stdout.splitlines() if line.strip().startswith("Section"))
    assert header.split() == ["Section", "Sentences", "Words", "Average", "Longest", "INFLESZ"]
    assert "Spanish: INFLESZ: Szigriszt-Pazos perspicuity on the INFLESZ scale" in text.stdout
    entry = as_json(run_leaflet("check", file, "--format", "json", cwd=tmp_path))
    assert entry["language"] == "es"
    assert entry["scores"]["szigriszt_pazos"] >= 55
    assert "flesch_kincaid_grade" not in entry["scores"]


def test_spanish_thresholds_come_from_their_own_settings_table(tmp_path):
    file = leaflet(tmp_path, "es")
    (tmp_path / "leaflet.toml").write_text(
        "[readability]\ngrade_error = 1\ngrade_warning = 1\n\n"  # English only: no effect here
        "[readability.es]\ninflesz_warning = 99\ninflesz_error = 98\nsection_inflesz_warning = 99\n", "utf-8"
    )
    result = run_leaflet("check", file, cwd=tmp_path)
    assert result.returncode == 1
    found = findings(result)
    (leaflet_level,) = [f for f in found if f[2] is None]
    assert leaflet_level[:2] == ("error", 1)
    assert re.fullmatch(
        r"the leaflet scores \d+ on the INFLESZ scale, '[a-z ]+' \(Szigriszt-Pazos perspicuity; less than 98\)\. "
        r"Hardest sections: .+",
        leaflet_level[3],
    ), leaflet_level[3]
    sections = [f for f in found if f[2] is not None]
    assert sections and all(f[0] == "warning" and "on the INFLESZ scale" in f[3] for f in sections)


def test_the_spanish_sample_gets_the_spanish_checks(tmp_path):
    result = run_leaflet("check", ROOT / "leaflets" / "clonazepam.es.yaml", "--format", "json", cwd=tmp_path)
    entry = as_json(result)
    assert entry["language"] == "es" and "skipped" not in entry
    assert entry["scores"]["szigriszt_pazos"] >= 55  # 'normal' or easier on the INFLESZ scale
    assert not [f for f in entry["findings"] if f["severity"] == "error"]


# --- English is untouched by the other languages -------------------------------

PROSE = (
    "Within a few weeks, your body can get used to clonazepam. It may then work less well. "
    "You can also start to feel that you need it. Your doctor should check with you often."
)


def test_english_scores_are_the_same_after_a_spanish_and_an_arabic_check(tmp_path):
    before = readability.score(sentences(PROSE))
    grade = textstat.flesch_kincaid_grade(PROSE)
    for language in ("es", "ar"):
        assert check(leaflet(tmp_path, language), defaults()).wording.sections
    after = readability.score(sentences(PROSE))
    assert after == before
    # textstat's own language setting is still English: its score is unchanged too.
    assert textstat.flesch_kincaid_grade(PROSE) == grade
    assert after.grade == pytest.approx(grade)


# --- Arabic: sentence length only ----------------------------------------------


def test_arabic_gets_sentence_length_checks_and_says_there_is_no_formula(tmp_path):
    long_one = " ".join(["كلمة"] * 24) + "."
    too_long = " ".join(["كلمة"] * 33) + "."
    file = leaflet(tmp_path, "ar", fact=long_one, warning=too_long)
    result = run_leaflet("check", file, cwd=tmp_path)
    assert result.returncode == 1  # a sentence over 30 words is an error
    assert findings(result) == [
        ("warning", FACT_LINE, "key_facts[1]",
         f"sentence of 24 words (more than 20): {quote(long_one, 50)}; split it into sentences of 20 words or fewer"),
        ("error", WARNING_LINE, "warnings[0].action",
         f"sentence of 33 words (more than 30): {quote(too_long, 50)}; split it into sentences of 20 words or fewer"),
    ]
    header = next(line for line in result.stdout.splitlines() if line.strip().startswith("Section"))
    assert header.split() == ["Section", "Sentences", "Words", "Average", "Longest"]
    assert "Arabic: No validated readability formula for Arabic is used" in result.stdout
    assert "only the length of each sentence is checked" in result.stdout
    entry = as_json(run_leaflet("check", file, "--format", "json", cwd=tmp_path))
    assert "No validated readability formula for Arabic is used" in entry["note"]
    assert set(entry["scores"]) == {"sentences", "words", "average_sentence_words", "longest_sentence_words"}
    assert entry["scores"]["longest_sentence_words"] == 33


# --- Medical words in each language ---------------------------------------------


def test_spanish_jargon_is_found_with_its_plain_words(tmp_path):
    file = leaflet(tmp_path, "es", fact="Puede causar ataxia y somnolencia.")
    entry = as_json(run_leaflet("check", file, "--format", "json", cwd=tmp_path))
    got = [(f["line"], f["path"], f["suggestion"]) for f in entry["findings"] if f["code"] == "jargon"]
    assert got == [
        (FACT_LINE, "key_facts[1]", "falta de coordinación, inestabilidad al caminar"),
        (FACT_LINE, "key_facts[1]", "sueño, ganas de dormir"),
    ]
    assert entry["findings"][0]["message"].startswith("'ataxia' is a medical word: write 'falta de coordinación")


def test_arabic_jargon_is_found_with_the_article_and_its_plain_words(tmp_path):
    file = leaflet(tmp_path, "ar", fact="قد يسبب الرنح.")
    entry = as_json(run_leaflet("check", file, "--format", "json", cwd=tmp_path))
    (finding,) = [f for f in entry["findings"] if f["code"] == "jargon"]
    assert (finding["line"], finding["path"]) == (FACT_LINE, "key_facts[1]")
    assert finding["suggestion"] == "ضعف تناسق الحركة وعدم الثبات عند المشي"
    assert finding["message"].startswith("'الرنح' is a medical word")


@pytest.mark.parametrize(
    "text, found",
    [
        ("قد يسبب الرنح.", "الرنح"),
        ("قد يسبب رنحا.", None),  # an ending other than the plural: not the term
        ("وبالرنح", "وبالرنح"),  # and, with, the
        ("للرنح", "للرنح"),  # to + the, which loses its alef
        ("الرَّنَح", "الرَّنَح"),  # with vowel marks
        ("المرنح", None),  # inside another word
        ("قد يسبب التثبيط التنفسي.", "التثبيط التنفسي"),  # the article on each word
        ("تثبيط الجهاز التنفسي", "تثبيط الجهاز التنفسي"),
        ("اختلاجات", "اختلاجات"),  # the sound plural
        ("اعراض الانسحاب", "اعراض الانسحاب"),  # hamza left off the alef
    ],
)
def test_arabic_matching(text, found):
    uses = jargon.find(jargon.builtin_terms("ar"), text, LANGUAGES["ar"].phrasing)
    assert [text[u.start : u.end] for u in uses] == ([found] if found else [])


@pytest.mark.parametrize(
    "language, text, is_explained",
    [
        ("es", "Puede aliviar la espasticidad (músculos rígidos).", True),
        ("es", "Alivia los músculos rígidos (espasticidad).", True),
        ("es", 'Los médicos llaman "ataxia" a la falta de coordinación.', True),
        ("es", "Los médicos llaman «ataxia» a la falta de coordinación.", True),
        ("es", "Esto se llama dependencia.", True),
        ("es", "Es de un grupo de medicamentos llamados benzodiacepinas.", True),
        ("es", "La somnolencia significa tener mucho sueño.", True),
        ("es", "Puede tener síntomas de abstinencia. Son problemas que aparecen al dejarlo.", True),
        ("es", "Puede causar ataxia, es decir, falta de coordinación.", True),
        ("es", "Puede causar ataxia.", False),
        ("es", "Puede tener síntomas de abstinencia. Es más probable si lo deja de repente.", False),
        ("ar", "يسمي الأطباء ضعف تناسق الحركة «الرنح».", True),
        ("ar", "قد يسبب الرنح (عدم الثبات عند المشي).", True),
        ("ar", "قد تصاب بأعراض انسحاب. وهي مشكلات تحدث عند إيقاف الدواء بسرعة.", True),
        ("ar", "يسمى هذا الرنح.", True),
        ("ar", "قد يسبب الرنح، أي عدم الثبات عند المشي.", True),
        ("ar", "قد يسبب الرنح.", False),
    ],
)
def test_what_counts_as_explained_in_spanish_and_arabic(language, text, is_explained):
    phrasing = LANGUAGES[language].phrasing
    (use,) = jargon.find(jargon.builtin_terms(language), text, phrasing)
    assert jargon.explained(text, use, phrasing) is is_explained


def test_each_language_has_its_own_jargon_list():
    for code in LANGUAGES:
        terms = jargon.builtin_terms(code)
        assert len(terms) >= 15 and {t.language for t in terms} == {code}
        assert all(t.plain.strip() for t in terms)
        Jargon().of(code)  # a settings table for it
    spanish = {t.term: t.plain for t in jargon.builtin_terms("es")}
    for term in ("ataxia", "espasticidad", "depresión respiratoria", "benzodiacepina", "somnolencia"):
        assert term in spanish
    arabic = {t.term for t in jargon.builtin_terms("ar")}
    assert {"رنح", "تثبيط تنفسي"} <= arabic


def test_jargon_settings_are_per_language(tmp_path):
    (tmp_path / "clinica.yaml").write_text("- term: electromiografía\n  plain: una prueba de los músculos\n", "utf-8")
    (tmp_path / "leaflet.toml").write_text(
        '[jargon]\nignore = ["seizure"]\n\n[jargon.es]\nextra = ["clinica.yaml"]\nignore = ["ataxia"]\n', "utf-8"
    )
    settings = load_settings(tmp_path)
    spanish = {t.term for t in settings.terms_of("es")}
    english = {t.term for t in settings.terms_of("en")}
    assert "electromiografía" in spanish and "ataxia" not in spanish
    assert "ataxia" in english and "seizure" not in english and "electromiografía" not in english
    file = leaflet(tmp_path, "es", fact="Puede causar ataxia. Le harán una electromiografía.")
    entry = as_json(run_leaflet("check", file, "--format", "json", cwd=tmp_path))
    assert [f["suggestion"] for f in entry["findings"] if f["code"] == "jargon"] == ["una prueba de los músculos"]


@pytest.mark.parametrize(
    "settings, expected",
    [
        ("[jargon.es]\nignore = [\"ataxa\"]\n",
         "leaflet.toml:2: jargon.es.ignore[0]: 'ataxa' is not in the Spanish jargon list (did you mean 'ataxia'?)"),
        ("[jargon.ar]\nextra = [\"nada.yaml\"]\n", "leaflet.toml:2: jargon.ar.extra[0]: jargon list not found"),
        ("[readability.es]\ninflesz_eror = 30\n",
         "leaflet.toml:2: readability.es.inflesz_eror: unknown key 'inflesz_eror' (did you mean 'inflesz_error'?)"),
    ],
)
def test_bad_language_settings_name_file_line_and_key(settings, expected, tmp_path):
    (tmp_path / "leaflet.toml").write_text(settings, "utf-8")
    result = run_leaflet("check", leaflet(tmp_path, "es"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"error: {tmp_path / expected}" in result.stderr


# --- Other languages -------------------------------------------------------------


def test_other_languages_are_skipped_and_named(tmp_path):
    # A leaflet in Welsh is not valid yet (no message catalogue), so its wording is checked in-process.
    file = leaflet(tmp_path, "es")
    welsh = load(file).model_copy(update={"language": "cy"})
    wording = check_wording(welsh, read_yaml(file), defaults())
    assert (wording.findings, wording.sections) == ([], [])
    assert wording.skipped == "plain-language checks are only available in English, Spanish and Arabic, not 'cy'"
