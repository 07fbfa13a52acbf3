"""The plain text edition (--format txt): every sample leaflet, in every
language, read back from the files the command writes."""

from __future__ import annotations

import re

import pytest
from conftest import LEAFLETS, ROOT, brand_with_template, run_leaflet

from generator import load
from generator.content.catalogue import catalogue
from generator.content.model import paragraphs
from generator.verify.text import squeeze


@pytest.fixture(scope="module")
def texts(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("txt")
    result = run_leaflet("build", *LEAFLETS, "--format", "txt", "--brand", "riverside-pharmacy", "--out", out, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    return {path.name: (out / f"{path.stem}.txt").read_text("utf-8") for path in LEAFLETS}


@pytest.mark.parametrize("path", LEAFLETS, ids=lambda p: p.stem)
def test_the_text_says_what_the_leaflet_must_in_reading_order(texts, path):
    leaflet = load(path)
    text = texts[path.name]
    t = catalogue(leaflet.language)
    assert text.startswith("Riverside Community Pharmacy")
    assert f"\n# {leaflet.title}\n" in text
    order = [squeeze(fact) for fact in leaflet.key_facts]
    if leaflet.boxed_warning:
        box = leaflet.boxed_warning
        assert f"\n## {t('boxed_warning')}\n" in text
        order[:0] = [squeeze(p) for p in (box.title, *paragraphs(box.text), *paragraphs(box.action))]
    squeezed = squeeze(text)
    positions = [squeezed.find(part) for part in order]
    assert -1 not in positions and positions == sorted(positions), "boxed warning, then the key facts, in order"
    for warning in leaflet.warnings:
        assert f"\n### {t('warning_word')}: {warning.title}\n" in text
    assert "01632 960 418" in text and "https://riverside-pharmacy.example/medicines" in text


def test_the_text_has_no_layout_characters(texts):
    for name, text in texts.items():
        assert not re.search("[\f\t\u2500-\u257f\u2066-\u2069]", text), name
        assert "\n\n\n" not in text and text.endswith("\n") and not text.startswith("\n")


def test_the_comparison_table_reads_feature_by_feature(texts):
    leaflet = load(ROOT / "leaflets" / "clonazepam.yaml")
    text = texts["clonazepam.yaml"]
    for row in leaflet.comparison.rows:
        feature = text.index(f"\n{row.feature}:\n")
        for cell in row.cells:
            assert text.index(cell, feature) < feature + 1000, (row.feature, cell)


def test_arabic_text_is_arabic_and_in_logical_order(texts):
    leaflet = load(ROOT / "leaflets" / "clonazepam.ar.yaml")
    text = texts["clonazepam.ar.yaml"]
    assert paragraphs(leaflet.boxed_warning.text)[0] in text
    assert catalogue("ar")("translation_unchecked") in text


def test_a_template_that_drops_a_required_section_fails_the_text_build(tmp_path):
    template = '{% extends "!base/leaflet.html.j2" %}{% block key_facts %}{% endblock %}'
    brand_with_template(tmp_path / "brand", template)
    result = run_leaflet("build", ROOT / "leaflets" / "baclofen.yaml", "--format", "txt", "--brand", tmp_path / "brand", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert "the built text edition has no 'Key facts' heading" in result.stderr
    assert not (tmp_path / "out" / "baclofen.txt").exists()


@pytest.fixture(scope="module")
def braille(tmp_path_factory) -> dict[str, tuple[bytes, bytes]]:
    out = tmp_path_factory.mktemp("braille")
    result = run_leaflet("build", *LEAFLETS, "--format", "brf,pef", "--out", out, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    return {path.name: ((out / f"{path.stem}.brf").read_bytes(), (out / f"{path.stem}.pef").read_bytes()) for path in LEAFLETS}


@pytest.mark.parametrize("path", LEAFLETS, ids=lambda p: p.stem)
def test_every_sample_builds_in_braille_within_the_page(braille, path):
    brf, pef = braille[path.name]
    pages = brf.decode("ascii").split("\f")
    assert len(pages) > 2
    for page in pages:
        lines = page.removesuffix("\r\n").split("\r\n")
        assert len(lines) <= 25 and all(len(line) <= 40 for line in lines)
    assert b'xmlns="http://www.daisy.org/ns/2008/pef"' in pef and f"<dc:language>{load(path).language}<".encode() in pef


def test_the_audio_edition_has_a_chapter_per_section_and_its_transcript(tmp_path):
    from generator.render.audio import chapters

    result = run_leaflet("build", ROOT / "leaflets" / "baclofen.yaml", "--format", "mp3", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    spoken = chapters((tmp_path / "baclofen.mp3").read_bytes())
    transcript = (tmp_path / "baclofen.txt").read_text("utf-8")
    headings = [line.lstrip("# ") for line in transcript.splitlines() if re.match(r"#{1,2} ", line)]
    assert [chapter.title for chapter in spoken][1:] == headings  # the first chapter is the brand's line, before the title
    assert spoken[0].start_ms == 0 and all(a.end_ms <= b.start_ms for a, b in zip(spoken, spoken[1:]))
