"""Templates hold no fixed wording of their own: it all comes from the message catalogue."""

from __future__ import annotations

import re

import pytest
import yaml

from generator.messages import catalogue
from generator.resources import MESSAGES, TEMPLATES

TEMPLATE_FILES = sorted(TEMPLATES.rglob("*.html.j2"))


def visible_text(source: str) -> str:
    """What a template prints literally: everything outside Jinja and HTML tags."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
    source = re.sub(r"<style>.*?</style>", " ", source, flags=re.S)
    source = re.sub(r"<!DOCTYPE[^>]*>|<[^>]*>", " ", source)
    return source


@pytest.mark.parametrize("template", TEMPLATE_FILES, ids=lambda p: p.name)
def test_no_hard_coded_words(template):
    words = re.findall(r"[^\W\d_]{2,}", visible_text(template.read_text("utf-8")))
    assert words == [], f"{template.name} prints words that should come from the message catalogue: {words}"


def test_page_css_has_no_hard_coded_words():
    page = (TEMPLATES / "partials" / "page.html.j2").read_text("utf-8")
    strings = re.findall(r'"([^"]*)"', visible_text(page.replace("<style>", "").replace("</style>", "")))
    assert all(not re.search(r"[^\W\d_]{2,}", s) for s in strings), strings


def test_every_catalogue_has_every_message():
    reference = set(yaml.safe_load((MESSAGES / "en.yaml").read_text("utf-8")))
    for file in MESSAGES.glob("*.yaml"):
        assert set(yaml.safe_load(file.read_text("utf-8"))) >= reference, f"{file.name} is missing messages"
        catalogue(file.stem)
