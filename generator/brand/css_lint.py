"""Checks on a brand's own CSS, before the PDF engine ever sees it.

Brand CSS comes from many hands. It may only use files inside its own brand
folder, and the text colours it sets must stay readable against their
background (``contrast.BODY_TEXT``, or ``LARGE_TEXT`` for headings).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import tinycss2
from coloraide import Color

from generator.brand.contrast import BODY_TEXT, LARGE_TEXT, PAGE, nearest_passing
from generator.problems import Problem
from generator.resources import URL_SCHEME, is_inside

# A selector whose subject is a heading: "h2", ".care-team h3", "h1.title".
_HEADING = re.compile(r"(^|[\s>+~])h[1-3]([.#:\[][^\s>+~]*)?$")


def check_stylesheet(file: Path, folder: Path) -> list[Problem]:
    """Every problem in one brand CSS file, with its line."""
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(file, None, (), f"cannot read the stylesheet: {getattr(exc, 'strerror', None) or exc}")]
    problems: list[Problem] = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "error":
            problems.append(Problem(file, rule.source_line, (), f"CSS syntax error: {rule.message}"))
            continue
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            problems.append(Problem(file, rule.source_line, (), "@import is not allowed; put the brand's CSS in files in its styles/ folder"))
            continue
        problems += _urls(file, folder, [*rule.prelude, *(rule.content or [])])
        if rule.type == "qualified-rule":
            problems += _colours(file, rule)
    return problems


def _urls(file: Path, folder: Path, tokens) -> list[Problem]:
    problems = []
    for token in _walk(tokens):
        if token.type == "url":
            target = token.value
        elif token.type == "function" and token.lower_name == "url":
            strings = [t.value for t in token.arguments if t.type == "string"]
            target = strings[0] if strings else ""
        else:
            continue
        if target.startswith("data:"):
            continue
        if URL_SCHEME.match(target) or target.startswith("//"):
            reason = "is a web address; the tool never uses the network"
        elif PurePosixPath(target).is_absolute() or ".." in PurePosixPath(target).parts:
            reason = "points outside the brand folder"
        elif not is_inside(file.parent / target, folder):
            reason = "is a link to a file outside the brand folder"
        else:
            continue
        problems.append(Problem(file, token.source_line, (), f"url({target}) {reason}; only files inside the brand folder may be used"))
    return problems


def _colours(file: Path, rule) -> list[Problem]:
    declarations = {
        d.lower_name: d
        for d in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
        if d.type == "declaration"
    }
    if "color" not in declarations:
        return []
    foreground = _colour(declarations["color"].value)
    background = _colour(declarations.get("background-color", declarations.get("background")).value) if (
        "background-color" in declarations or "background" in declarations
    ) else Color(PAGE)
    if foreground is None or background is None:
        return []  # var(), inherit, currentColor or an image: nothing to measure
    if foreground.alpha() < 1:
        foreground = Color.layer([foreground, background], space="srgb")
    selector = tinycss2.serialize(rule.prelude).strip()
    headings = all(_HEADING.search(part.strip()) for part in selector.split(","))
    minimum = LARGE_TEXT if headings else BODY_TEXT
    ratio = foreground.contrast(background, method="wcag21")
    if ratio >= minimum:
        return []
    fg, bg = foreground.to_string(hex=True), background.to_string(hex=True)
    what = "heading text" if headings else "text"
    return [
        Problem(
            file, declarations["color"].source_line, (),
            f"{selector}: color {fg} is {ratio:.1f}:1 against {bg}; {what} needs at least {minimum}:1. "
            f"The nearest shade that passes is {nearest_passing(fg, minimum, bg)}",
        )
    ]


def _colour(tokens) -> Color | None:
    value = tinycss2.serialize(tokens).replace("!important", "").strip()
    try:
        return Color(value).convert("srgb")
    except ValueError:
        return None


def _walk(tokens):
    for token in tokens:
        yield token
        if token.type in ("function", "() block", "[] block", "{} block"):
            yield from _walk(token.arguments if token.type == "function" else token.content)

