"""Medical words with plain alternatives: the list, and finding them in text.

The list is data (``jargon.yaml``, in the package) that a project can extend
with its own files in the same format (see ``settings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from generator.content.source import Source, read_yaml
from generator.problems import LeafletError, Problem

BUILTIN = "jargon.yaml"


@dataclass(frozen=True)
class Term:
    term: str
    plain: str
    forms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Use:
    """Where a term is used in a piece of text."""

    term: Term
    start: int
    end: int


@cache
def _matcher(terms: tuple[Term, ...]) -> tuple[re.Pattern[str], dict[str, Term]]:
    """One pattern for every word of every term, and the term each named group stands for."""
    words = [(word, term) for term in terms for word in (term.term, *term.forms)]
    # Longest first: at one place, "CNS depressant" wins over "CNS".
    words.sort(key=lambda pair: -len(pair[0]))
    groups = {f"t{index}": term for index, (_, term) in enumerate(words)}
    # A space in a term matches any run of spaces or a line break; a hyphen
    # also matches a space ("dose dependent").
    body = "|".join(f"(?P<t{index}>{_words(word)})" for index, (word, _) in enumerate(words))
    return re.compile(rf"(?<![\w-])(?:{body})(?:s|es)?(?![\w-])", re.IGNORECASE), groups


def _words(word: str) -> str:
    return re.escape(word).replace(r"\ ", r"\s+").replace(r"\-", r"[-\s]")


@cache
def builtin_terms() -> tuple[Term, ...]:
    return load_terms(Path(str(files(__package__).joinpath(BUILTIN))))


def load_terms(file: Path) -> tuple[Term, ...]:
    """Read a jargon list. Raises ``LeafletError`` naming the file, line and key of every problem."""
    source = read_yaml(file)
    if not isinstance(source.data, list):
        raise LeafletError([source.problem((), "expected a list of terms, each starting with '- term:'")])
    terms, problems = [], []
    for index, entry in enumerate(source.data):
        term, entry_problems = _term(source, index, entry)
        problems += entry_problems
        if term:
            terms.append(term)
    seen: dict[str, int] = {}
    for index, term in enumerate(terms):
        for word in (term.term, *term.forms):
            key = " ".join(word.casefold().split())
            if key in seen:
                problems.append(source.problem((index,), f"'{word}' is listed twice (first in entry {seen[key]})"))
            seen.setdefault(key, index)
    if problems:
        raise LeafletError(problems)
    return tuple(terms)


_KEYS = ("term", "plain", "forms")


def _term(source: Source, index: int, entry: object) -> tuple[Term | None, list[Problem]]:
    if not isinstance(entry, dict):
        return None, [source.problem((index,), "expected a mapping with 'term' and 'plain'")]
    problems = [
        source.problem((index, key), f"unknown key '{key}'; allowed keys here: {', '.join(_KEYS)}")
        for key in entry
        if key not in _KEYS
    ]
    for key in ("term", "plain"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            what = "is missing" if value is None else "must be text"
            problems.append(source.problem((index, key), f"'{key}' {what}"))
    forms = entry.get("forms", [])
    if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
        problems.append(source.problem((index, "forms"), "expected a list of texts, such as [edema]"))
    if problems:
        return None, problems
    return Term(entry["term"].strip(), entry["plain"].strip(), tuple(f.strip() for f in forms)), []


def find(terms: tuple[Term, ...], text: str) -> list[Use]:
    """Every use of every term in ``text``, in order; a longer term hides the shorter ones inside it."""
    pattern, groups = _matcher(terms)
    return [Use(groups[match.lastgroup], *match.span()) for match in pattern.finditer(text)]


# "(plain words)" straight after the term.
_BRACKET_AFTER = re.compile(r"[\"'”’]?\s*\(")
# "... is called TERM", "known as TERM", 'Doctors call poor coordination "TERM"'.
_CALLED_BEFORE = re.compile(
    r"(?:\b(?:called|known\s+as|named)\s+(?:[\w-]+\s+){0,3}[\"'“‘]?|\bcall\b[^.!?]*[\"'“‘])$", re.IGNORECASE
)
# "TERM means ...", "TERM is when ...".
_DEFINED_AFTER = re.compile(r"[\"'”’]?\s+(?:means|is\s+when|are\s+when|happens\s+when)\b", re.IGNORECASE)
# The next sentence explains it: "... withdrawal symptoms. These are problems that ..."
_NEXT_SENTENCE = re.compile(
    r"[^.!?]*[.!?]\s+(?:This|These|That|It)\s+(?:is|are|means|mean)\s+(?!called\b|why\b|because\b)", re.IGNORECASE
)


def explained(text: str, use: Use) -> bool:
    """Whether the term is explained where it is used in ``text``."""
    before, after = text[: use.start], text[use.end :]
    inside_brackets = before.count("(") > before.count(")")
    return bool(
        inside_brackets
        or _BRACKET_AFTER.match(after)
        or _CALLED_BEFORE.search(before)
        or _DEFINED_AFTER.match(after)
        or _NEXT_SENTENCE.match(after)
    )
