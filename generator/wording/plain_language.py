"""Plain-language checks of a leaflet's wording: readability, jargon and style.

Everything the leaflet prints is checked, in the order it is printed, so a
medical word counts as explained only where the reader first meets it.
Headings and labels are checked for words but not scored as sentences; every
sentence of a paragraph, and every bullet point and table cell, is its own
sentence unit. What differs between languages (the formulas, the jargon
list, how "you" is said) comes from ``languages``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from generator.content.model import Leaflet
from generator.content.model import sentences as split_sentences
from generator.content.print_order import print_order
from generator.content.source import Source
from generator.problems import Finding, KeyPath, Problem, Severity, format_path
from generator.wording import jargon, readability
from generator.wording import style_rules as style
from generator.wording.languages import Language, language_of, names
from generator.wording.readability import Measure, Scores
from generator.wording.settings import Settings

# Printed as headings or labels: checked for words, not scored as sentences.
HEADINGS = {
    ("Leaflet", "title"), ("Medicine", "drug_class"), ("BoxedWarning", "title"), ("Warning", "title"),
    ("Coping", "effect"), ("Comparison", "caption"), ("ComparisonRow", "feature"), ("Question", "question"),
    ("ExtraSection", "heading"), ("SubSection", "heading"), ("Medicine", "form"), ("Medicine", "route"),
}
# Not the leaflet's own wording: names, codes, strengths as on the box ("0.5 mg"),
# and the titles of its sources.
SKIPPED = {
    ("Leaflet", "id"), ("Leaflet", "language"), ("Leaflet", "review"), ("Leaflet", "translation"), ("Medicine", "name"),
    ("Medicine", "other_names"), ("Medicine", "strengths"), ("Medicine", "source_leaflet"),
    ("SideEffect", "frequency"), ("Comparison", "medicines"),
}
# A score from fewer sentences than this says little about a section.
SECTION_MIN_SENTENCES = 3


@dataclass(frozen=True)
class Piece:
    """One printed text of the leaflet."""

    section: KeyPath
    path: KeyPath
    text: str
    heading: bool


def pieces(leaflet: Leaflet) -> Iterator[Piece]:
    """Every printed text of the leaflet, in printed order."""
    yield from _walk(leaflet, (), None)


def _walk(model: BaseModel, path: KeyPath, section: KeyPath | None) -> Iterator[Piece]:
    kind = type(model).__name__
    names = list(type(model).model_fields)
    # Fields the print order does not name (those inside a warning, say)
    # keep the model's order.
    order = print_order().of(type(model))
    names.sort(key=lambda n: order.index(n) if n in order else len(order))
    for name in names:
        if (kind, name) in SKIPPED:
            continue
        value = getattr(model, name)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            here = path + (name,) if index is None else path + (name, index)
            # Each extra section has its own heading, so it is a section of its own.
            where = section or (here if name == "extra_sections" else (name,))
            if isinstance(item, str):
                yield Piece(where, here, item, (kind, name) in HEADINGS)
            elif isinstance(item, BaseModel):
                yield from _walk(item, here, where)


@dataclass(frozen=True)
class SectionScores:
    path: KeyPath
    line: int
    scores: Scores
    you: int  # sentences that say "you" or "your"; 0 in a language where that is not measured

    @property
    def name(self) -> str:
        return format_path(self.path)


@dataclass
class Wording:
    """The scores of a leaflet and of each section, and what was found."""

    sections: list[SectionScores] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None  # why the wording was not checked
    language: Language | None = None  # None when skipped

    @property
    def total(self) -> Scores:
        return sum((s.scores for s in self.sections), Scores())

    @property
    def you_percent(self) -> float:
        sentences = self.total.sentences
        return 100 * sum(s.you for s in self.sections) / sentences if sentences else 0.0


def check_wording(leaflet: Leaflet, source: Source, settings: Settings) -> Wording:
    language = language_of(leaflet.language)
    if language is None:
        return Wording(skipped=f"plain-language checks are only available in {names()}, not '{leaflet.language}'")
    lines = Lines(source)
    wording = Wording(language=language)
    found: list[Finding] = wording.findings
    printed = list(pieces(leaflet))
    found += _jargon(printed, settings, language, lines)
    units: dict[KeyPath, list[str]] = {}
    for piece in printed:
        found += _style(piece, settings, lines)
        if not piece.heading:
            sentences = split_sentences(piece.text)
            units.setdefault(piece.section, []).extend(sentences)
            found += _long_sentences(piece, sentences, settings, lines)
    address = language.address
    for section, sentences in units.items():
        scores = readability.score(sentences, language.count)
        if scores.sentences:
            you = sum(1 for s in sentences if address.pattern.search(s)) if address else 0
            wording.sections.append(SectionScores(section, source.line_of(section), scores, you))
    for measure in language.measures:
        found += _section_scores(measure, wording, settings, source)
        found += _leaflet_score(measure, wording, settings, source)
    found += _you(wording, settings, source)
    found.sort(key=lambda f: f.sort_key)
    return wording


class Lines:
    """The line of a piece of text inside a YAML value, not just of its key."""

    def __init__(self, source: Source):
        self.source = source
        try:
            self.text = source.file.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            self.text = ""
        self.starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        self.key_lines = sorted(set(source.lines.values()))

    def of(self, path: KeyPath, snippet: str = "") -> int:
        line = self.source.line_of(path)
        words = snippet.split()[:6]
        if not words or line > len(self.starts):
            return line
        # Search from the key to the next key: a block of text can fold over many lines.
        after = [n for n in self.key_lines if n > line]
        end = self.starts[after[0] - 1] if after and after[0] <= len(self.starts) else len(self.text)
        match = re.compile(r"\s+".join(map(re.escape, words))).search(self.text, self.starts[line - 1], end)
        return self.text.count("\n", 0, match.start()) + 1 if match else line


def _finding(severity: Severity, code: str, lines: Lines, piece: Piece, snippet: str, message: str,
             suggestion: str | None = None) -> Finding:
    problem = Problem(lines.source.file, lines.of(piece.path, snippet), piece.path, message)
    return Finding(severity, code, problem, suggestion)


def _jargon(printed: list[Piece], settings: Settings, language: Language, lines: Lines) -> Iterator[Finding]:
    """A term not explained where the reader first meets it, once per term."""
    terms, phrasing = settings.terms_of(language.code), language.phrasing
    find = jargon.matcher(terms, phrasing).find
    uses: dict[str, list[tuple[Piece, jargon.Use]]] = {}
    for piece in printed:
        for use in find(piece.text):
            uses.setdefault(use.term.term.casefold(), []).append((piece, use))
    for (piece, use), *others in uses.values():
        if jargon.explained(piece.text, use, phrasing):
            continue
        word = " ".join(piece.text[use.start : use.end].split())
        plain = use.term.plain
        message = (
            f"'{word}' is a medical word: write '{plain}' instead, or explain it where it is first used, "
            f"for example '{word} ({plain})'"
        )
        later = next(((p, u) for p, u in others if jargon.explained(p.text, u, phrasing)), None)
        if later:
            where = lines.of(later[0].path, later[0].text[later[1].start : later[1].end])
            if where == lines.of(piece.path, word):
                # Both on one line of YAML, as in "[ataxia, ataxia (poor coordination)]".
                message += ". It is explained later on the same line, but the leaflet prints this use first"
            else:
                message += f". It is explained on line {where}, but the leaflet prints this part first"
        yield _finding("warning", "jargon", lines, piece, word, message, plain)


def _style(piece: Piece, settings: Settings, lines: Lines) -> Iterator[Finding]:
    for issue in style.check(piece.text, settings.style.acronyms):
        yield _finding(issue.severity, issue.code, lines, piece, issue.text, issue.message, issue.suggestion)


def _long_sentences(piece: Piece, sentences: list[str], settings: Settings, lines: Lines) -> Iterator[Finding]:
    limits = settings.readability
    for sentence in sentences:
        words = readability.word_count(sentence)
        if words > limits.sentence_error:
            severity, limit = "error", limits.sentence_error
        elif words > limits.sentence_warning:
            severity, limit = "warning", limits.sentence_warning
        else:
            continue
        yield _finding(
            severity, "sentence-length", lines, piece, sentence,
            f"sentence of {words} words (more than {limit}): {style.quote(sentence, 50)}; "
            f"split it into sentences of {limits.sentence_warning} words or fewer",
        )


def _message(template: str, measure: Measure, value: float, limit: float, hardest: str = "") -> str:
    band = measure.band(value) if measure.band else ""
    return template.format(value=measure.shown(value), limit=f"{limit:g}", band=band, hardest=hardest)


def _too_hard(measure: Measure, value: float, limit: float | None) -> bool:
    if limit is None:
        return False
    return value < limit if measure.lower_is_harder else value > limit


def _section_scores(measure: Measure, wording: Wording, settings: Settings, source: Source) -> Iterator[Finding]:
    limit = settings.readability.limits(measure.code).section_warning
    for section in wording.sections:
        value = measure.value(section.scores)
        if section.scores.sentences >= SECTION_MIN_SENTENCES and _too_hard(measure, value, limit):
            message = _message(measure.section_message, measure, value, limit)
            yield Finding("warning", f"section-{measure.code}", source.problem(section.path, message))


def _leaflet_score(measure: Measure, wording: Wording, settings: Settings, source: Source) -> Iterator[Finding]:
    total, limits = wording.total, settings.readability.limits(measure.code)
    if not total.sentences:
        return
    value = measure.value(total)
    harder = sorted(wording.sections, key=lambda s: measure.value(s.scores), reverse=not measure.lower_is_harder)
    hardest = ", ".join(f"{s.name} {measure.shown(measure.value(s.scores))}" for s in harder[:3])
    for severity, limit in (("error", limits.error), ("warning", limits.warning)):
        if _too_hard(measure, value, limit):
            message = _message(measure.leaflet_message, measure, value, limit, hardest)
            yield Finding(severity, measure.code, Problem(source.file, 1, (), message))
            break


def _you(wording: Wording, settings: Settings, source: Source) -> Iterator[Finding]:
    address, least = wording.language.address, settings.style.you_percent_warning
    if address is None or not wording.total.sentences or wording.you_percent >= least:
        return
    yield Finding("warning", "you", Problem(
        source.file, 1, (),
        f"only {wording.you_percent:.0f}% of sentences speak to the reader as {address.words} "
        f"(aim for {least:g}% or more): {address.example}",
    ))
