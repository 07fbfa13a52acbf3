"""Translated leaflets: the Spanish clonazepam leaflet builds and reads back
in Spanish, says its translation is unchecked, and `leaflet check` knows
when its English source has changed since each translation was made (the
Arabic leaflet's reading back is in test_right_to_left.py)."""

from __future__ import annotations

import shutil

import pikepdf
import pytest
from conftest import ROOT, run_leaflet

from generator import load
from generator.content.catalogue import catalogue
from generator.content.model import paragraphs
from generator.content.translation import sections, source_file
from generator.verify.text import read_text, squeeze

SOURCE = ROOT / "leaflets" / "clonazepam.yaml"
SPANISH = ROOT / "leaflets" / "clonazepam.es.yaml"
ARABIC = ROOT / "leaflets" / "clonazepam.ar.yaml"


def test_a_translation_is_named_after_its_source():
    assert source_file(SPANISH) == SOURCE
    assert source_file(SOURCE) is None


def test_the_sample_translation_matches_its_source():
    """Every section of the English leaflet is translated, and recorded as it stands."""
    spanish = load(SPANISH)
    assert spanish.translation.sections == sections(load(SOURCE))
    assert set(sections(spanish)) >= set(sections(load(SOURCE)))


def test_the_spanish_leaflet_prints_in_spanish(built):
    leaflet, pdf = built[SPANISH.name]
    assert pdf.name == "clonazepam.es.pdf"
    t = catalogue(leaflet.language)
    text = read_text(pdf.read_bytes())
    # Tagged text in reading order: the boxed warning, then the key facts.
    whole = squeeze("".join(text.tagged_pages()))
    box = [squeeze(p) for p in (leaflet.boxed_warning.title, *paragraphs(leaflet.boxed_warning.text))]
    facts = [squeeze(fact) for fact in leaflet.key_facts]
    for part in (squeeze(t("boxed_warning")), *box, squeeze(t("key_facts")), *facts):
        assert part in whole, part
    assert whole.index(box[-1]) < whole.index(facts[0]), "the boxed warning is read before the key facts"
    assert whole.count(squeeze(t("translation_unchecked"))) == 2, "the notice is printed early and at the end"
    assert squeeze(t("last_reviewed", date="noviembre de 2026")) in squeeze(" ".join(b.text for b in text.boxes))
    with pikepdf.open(pdf) as document:
        assert str(document.Root.Lang) == "es"


@pytest.fixture
def pair(tmp_path):
    """The English leaflet and its Spanish translation, copied side by side (and the Arabic one)."""
    for sample in (SOURCE, SPANISH, ARABIC):
        shutil.copy(sample, tmp_path / sample.name)
    return tmp_path / SOURCE.name, tmp_path / SPANISH.name


def test_a_changed_source_section_is_named_as_stale_in_every_translation(pair):
    source, spanish = pair
    arabic = source.with_name(ARABIC.name)
    assert run_leaflet("check", spanish, arabic, "--strict").returncode == 0
    text = source.read_text("utf-8")
    source.write_text(text.replace("Clonazepam can ease stiff,", "Clonazepam can relax stiff,"), "utf-8")
    now = sections(load(source))["key_facts"]
    result = run_leaflet("check", spanish, arabic)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2, result.stderr
    for translation, warning in zip((spanish, arabic), sorted(warnings, key=lambda w: ARABIC.name in w)):
        assert f"{translation}:" in warning and "translation.sections.key_facts:" in warning
        assert f"section key_facts has changed in {source.name} since it was translated" in warning
        assert f"set translation.sections.key_facts to {now}" in warning
    assert run_leaflet("check", spanish, "--strict").returncode == 1
    # Recording the new fingerprint, once the translation is updated, clears it.
    spanish.write_text(spanish.read_text("utf-8").replace("key_facts: e653bf72843b", f"key_facts: {now}"), "utf-8")
    assert run_leaflet("check", spanish, "--strict").returncode == 0


def test_an_untranslated_section_is_an_error(pair, tmp_path):
    _, spanish = pair
    text = spanish.read_text("utf-8")
    start = text.index("\ndriving:\n")
    end = text.index("\nside_effects:\n")
    spanish.write_text(text[:start] + text[end:], "utf-8")
    result = run_leaflet("check", spanish)
    assert result.returncode == 1
    assert "driving: section driving of clonazepam.yaml is not translated" in result.stderr
    out = tmp_path / "out"
    assert run_leaflet("build", spanish, "--out", out).returncode == 1
    assert not out.exists() or not list(out.rglob("*.pdf"))


def test_a_translation_without_its_source_is_an_error(tmp_path):
    lone = tmp_path / SPANISH.name
    shutil.copy(SPANISH, lone)
    result = run_leaflet("check", lone)
    assert result.returncode == 1
    assert "translation: a translation needs its source leaflet: clonazepam.yaml, beside it" in result.stderr


def test_a_changed_source_rebuilds_its_translation(pair, tmp_path):
    source, spanish = pair
    out = tmp_path / "out"
    assert "1 built" in run_leaflet("build", spanish, "--out", out).stdout
    assert "0 built, 1 unchanged" in run_leaflet("build", spanish, "--out", out).stdout
    source.write_text(source.read_text("utf-8").replace("Clonazepam can ease stiff,", "Clonazepam can relax stiff,"), "utf-8")
    rerun = run_leaflet("build", spanish, "--out", out)
    assert "1 built, 0 unchanged" in rerun.stdout and "has changed in clonazepam.yaml" in rerun.stderr
