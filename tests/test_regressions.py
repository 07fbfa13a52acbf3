"""Removing a required section, from the YAML or from a template, must fail."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT, brand_with_template

from generator import load
from generator.brand.load import default_brand
from generator.content.rules import required_sections
from generator.problems import LeafletError
from generator.render.geometry import Options
from generator.render.html import render_html
from generator.render.pdf import render_pdf
from generator.verify.printed import verify_pdf

CLONAZEPAM = ROOT / "leaflets" / "clonazepam.yaml"
GOLDEN = Path(__file__).parent / "golden" / "clonazepam.html"


def test_golden_html(update_golden):
    """The clonazepam HTML is unchanged. Refresh with: pytest --update-golden"""
    html = render_html(load(CLONAZEPAM))
    if update_golden:
        GOLDEN.write_text(html, "utf-8")
    assert GOLDEN.read_text("utf-8") == html, "HTML changed: review it, then run pytest --update-golden"


@pytest.mark.parametrize("section", required_sections(), ids=lambda s: s.path)
def test_removing_a_section_from_the_yaml_fails(section, tmp_path):
    data = yaml.safe_load(CLONAZEPAM.read_text("utf-8"))
    *parents, last = section.path.split(".")
    holder = data
    for key in parents:
        holder = holder[key]
    del holder[last]
    broken = tmp_path / "clonazepam.yaml"
    broken.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    with pytest.raises(LeafletError) as error:
        load(broken)
    assert any(p.path == section.keys and "required section is missing" in p.message for p in error.value.problems)


# Template block -> the required sections whose headings it prints.
BLOCKS = {
    "boxed_warning": ["boxed_warning"],
    "key_facts": ["key_facts"],
    "uses": ["uses"],
    "warnings": ["warnings"],
    "side_effects": ["side_effects.common", "side_effects.serious"],
    "stopping": ["stopping"],
    "more_information": ["more_information"],
    "review": ["review.sources"],
}


@pytest.mark.parametrize("block", sorted(BLOCKS))
def test_removing_a_section_from_the_template_fails(block, tmp_path):
    """A template that drops a required block fails the check of the built PDF."""
    brand = brand_with_template(tmp_path, f'{{% extends "!base/leaflet.html.j2" %}}{{% block {block} %}}{{% endblock %}}')
    leaflet = load(CLONAZEPAM)
    html = render_html(leaflet, Options(brand=brand))
    pdf = render_pdf(html, CLONAZEPAM, brand)
    _, problems = verify_pdf(leaflet, pdf, CLONAZEPAM)
    for path in BLOCKS[block]:
        assert any(f"required section {path}" in p.message for p in problems), problems
    # And the untouched template passes.
    html = render_html(leaflet, Options(brand=default_brand()))
    _, problems = verify_pdf(leaflet, render_pdf(html, CLONAZEPAM, default_brand()), CLONAZEPAM)
    assert problems == []


def test_every_required_section_has_a_template_block():
    covered = {path for paths in BLOCKS.values() for path in paths}
    assert covered == {s.path for s in required_sections()}
