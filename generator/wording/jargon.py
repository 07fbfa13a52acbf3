"""Medical words with plain alternatives: the lists, and finding them in text.

Each language has its own list, as data in the package: ``jargon.yaml`` for
English, ``jargon.<language>.yaml`` for the others (``jargon.es.yaml``),
named like the leaflets they check. A project can extend each with its own
files in the same format (see ``settings``). How a term is matched and what
counts as explaining it differ by language: see ``Phrasing``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from generator.content.source import Source, read_yaml
from generator.problems import LeafletError, Problem


def builtin_file(language: str) -> str:
    """The package's list for a language: ``jargon.yaml`` (English), ``jargon.es.yaml``, ..."""
    return "jargon.yaml" if language == "en" else f"jargon.{language}.yaml"


@dataclass(frozen=True)
class Term:
    term: str
    plain: str
    forms: tuple[str, ...] = ()
    language: str = "en"


@dataclass(frozen=True)
class Phrasing:
    """How one language writes a term and explains it.

    The patterns that find an explanation read the text just before the term
    (``called_before``, which ends the text), just after it (``defined_after``),
    or the sentence after it (``next_sentence``).
    """

    called_before: re.Pattern[str]
    defined_after: re.Pattern[str]
    next_sentence: re.Pattern[str]
    # Endings a term may take and still be the term: plurals.
    suffix: str = ""
    # What may be joined to the front of a term's first word (Arabic و, ف, ب, ل, ك),
    # and to the front of each of its words (Arabic ال, which an adjective repeats).
    prefix: str = ""
    article: str = ""
    # Letters that stand for each other, and marks that may follow any letter:
    # Arabic is written with or without vowel marks, and hamza on alef is often left off.
    same_letters: tuple[str, ...] = ()
    marks: str = ""

    def word(self, word: str) -> str:
        """A pattern for one word of a term. A hyphen also matches a space ("dose dependent")."""
        out = []
        for char in word:
            if char == "-":
                out.append(r"[-\s]")
                continue
            group = next((g for g in self.same_letters if char in g), None)
            out.append((f"[{group}]" if group else re.escape(char)) + self.marks)
        return self.article + "".join(out)

    def term(self, term: str) -> str:
        """A pattern for a whole term. A space matches any run of spaces or a line break."""
        return self.prefix + r"\s+".join(self.word(w) for w in term.split(" "))


@dataclass(frozen=True)
class Use:
    """Where a term is used in a piece of text."""

    term: Term
    start: int
    end: int


class Matcher:
    """Finds every word of every term: one pattern for them all, and the
    same pattern cut down to the words that can start with each letter.

    With a few hundred words, the one pattern tries each of them in turn at
    every word of the text, which made the jargon search half the cost of
    checking a leaflet. At a place where the text has a given letter, only
    the words that start with that letter can match, tried in the same
    order, so the first word found is the same. Which words those are is
    asked of the regular expression engine itself, so that case-insensitive
    matching (k and the Kelvin sign, s and long s) stays exactly its own.
    """

    def __init__(self, terms: tuple[Term, ...], phrasing: Phrasing) -> None:
        words = [(word, term) for term in terms for word in (term.term, *term.forms)]
        # Longest first: at one place, "CNS depressant" wins over "CNS".
        words.sort(key=lambda pair: -len(pair[0]))
        self.groups = {f"t{index}": term for index, (_, term) in enumerate(words)}
        self._phrasing = phrasing
        self._words = [(f"t{index}", phrasing.term(word)) for index, (word, _) in enumerate(words)]
        self.pattern = self._compile(self._words)
        # A word that may start other than with its own first letter (Arabic
        # prefixes, letters that stand for each other) rules the cut out.
        plain = all(not phrasing.prefix and not phrasing.article and word[:1].isalnum() and word[:1] == pattern[:1]
                    for word, _ in words for pattern in [phrasing.word(word.split(" ")[0])])
        self._firsts = {word[:1] for word, _ in words} if plain and words else None
        self._starts = (
            re.compile(r"(?<![\w-])[" + "".join(re.escape(c) for c in sorted(self._firsts)) + "]", re.IGNORECASE)
            if self._firsts else None
        )
        self._by_letter: dict[str, re.Pattern[str]] = {}

    def _compile(self, words: list[tuple[str, str]]) -> re.Pattern[str]:
        body = "|".join(f"(?P<{name}>{pattern})" for name, pattern in words)
        return re.compile(rf"(?<![\w-])(?:{body})(?:{self._phrasing.suffix})?(?![\w-])", re.IGNORECASE)

    def _for_letter(self, letter: str) -> re.Pattern[str]:
        if letter not in self._by_letter:
            firsts = {first for first in self._firsts if re.fullmatch(re.escape(first), letter, re.IGNORECASE)}
            self._by_letter[letter] = self._compile([(name, pattern) for name, pattern in self._words if pattern[:1] in firsts])
        return self._by_letter[letter]

    def find(self, text: str) -> list[Use]:
        """Every use of every term in ``text``, in order; a longer term hides the shorter ones inside it."""
        return [Use(self.groups[match.lastgroup], *match.span()) for match in self.finditer(text)]

    def finditer(self, text: str):
        """Like ``pattern.finditer``, and the same matches."""
        if self._starts is None:
            yield from self.pattern.finditer(text)
            return
        at = 0
        while start := self._starts.search(text, at):
            match = self._for_letter(text[start.start()]).match(text, start.start())
            if match:
                yield match
                at = match.end()
            else:
                at = start.start() + 1


@cache
def matcher(terms: tuple[Term, ...], phrasing: Phrasing | None = None) -> Matcher:
    """The matcher of a list of terms, made once: hashing the list to look
    it up costs more than a search, so take it once for many texts."""
    return Matcher(terms, phrasing or ENGLISH)


@cache
def builtin_terms(language: str = "en") -> tuple[Term, ...]:
    return load_terms(Path(str(files(__package__).joinpath(builtin_file(language)))), language)


def load_terms(file: Path, language: str = "en") -> tuple[Term, ...]:
    """Read a jargon list for a language. Raises ``LeafletError`` naming the file, line and key of every problem."""
    source = read_yaml(file)
    if not isinstance(source.data, list):
        raise LeafletError([source.problem((), "expected a list of terms, each starting with '- term:'")])
    terms, problems = [], []
    for index, entry in enumerate(source.data):
        term, entry_problems = _term(source, index, entry, language)
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


def _term(source: Source, index: int, entry: object, language: str) -> tuple[Term | None, list[Problem]]:
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
    return Term(entry["term"].strip(), entry["plain"].strip(), tuple(f.strip() for f in forms), language), []


def find(terms: tuple[Term, ...], text: str, phrasing: Phrasing | None = None) -> list[Use]:
    """Every use of every term in ``text``, in order; a longer term hides the shorter ones inside it."""
    return matcher(terms, phrasing).find(text)


# "(plain words)" straight after the term, in any language.
_BRACKET_AFTER = re.compile(r"[\"'”’»]?\s*\(")


def explained(text: str, use: Use, phrasing: Phrasing | None = None) -> bool:
    """Whether the term is explained where it is used in ``text``."""
    phrasing = phrasing or ENGLISH
    before, after = text[: use.start], text[use.end :]
    inside_brackets = before.count("(") > before.count(")")
    return bool(
        inside_brackets
        or _BRACKET_AFTER.match(after)
        or phrasing.called_before.search(before)
        or phrasing.defined_after.match(after)
        or phrasing.next_sentence.match(after)
    )


ENGLISH = Phrasing(
    # "... is called TERM", "known as TERM", 'Doctors call poor coordination "TERM"'.
    called_before=re.compile(
        r"(?:\b(?:called|known\s+as|named)\s+(?:[\w-]+\s+){0,3}[\"'“‘]?|\bcall\b[^.!?]*[\"'“‘])$", re.IGNORECASE
    ),
    # "TERM means ...", "TERM is when ...".
    defined_after=re.compile(r"[\"'”’]?\s+(?:means|is\s+when|are\s+when|happens\s+when)\b", re.IGNORECASE),
    # The next sentence explains it: "... withdrawal symptoms. These are problems that ..."
    next_sentence=re.compile(
        r"[^.!?]*[.!?]\s+(?:This|These|That|It)\s+(?:is|are|means|mean)\s+(?!called\b|why\b|because\b)", re.IGNORECASE
    ),
    suffix="s|es",
)

SPANISH = Phrasing(
    # "Esto se llama TERM", "llamados TERM", "conocida como TERM", 'Los médicos llaman "TERM" a ...'.
    called_before=re.compile(
        r"(?:\b(?:se\s+llaman?|llamad[oa]s?|se\s+denominan?|denominad[oa]s?|conocid[oa]s?\s+como|se\s+conocen?\s+como)"
        r"\s+(?:[\w-]+\s+){0,3}[\"'“‘«]?|\bllaman?\b[^.!?]*[\"'“‘«])$",
        re.IGNORECASE,
    ),
    # "TERM significa ...", "TERM quiere decir ...", "TERM es cuando ...", "TERM, es decir, ...".
    defined_after=re.compile(
        r"[\"'”’»]?\s*,?\s+(?:significan?|quieren?\s+decir|es\s+cuando|son\s+cuando|ocurre\s+cuando|es\s+decir)\b",
        re.IGNORECASE,
    ),
    # "... síntomas de abstinencia. Son problemas que ...": Spanish leaves out "they".
    next_sentence=re.compile(
        r"[^.!?]*[.!?]\s+(?:(?:Esto|Eso|Este|Esta|Estos|Estas)\s+(?:es|son|significan?|quieren?\s+decir)|Son)"
        r"\s+(?!porque\b|por\s+eso\b|por\s+qu[ée]\b|llamad)",
        re.IGNORECASE,
    ),
    suffix="s|es",
)

ARABIC = Phrasing(
    # "يسمى TERM" (is called), "المعروف باسم TERM" (known as), 'يسمي الأطباء ... "TERM"' (doctors call).
    called_before=re.compile(
        r"(?:(?<!\w)(?:ما\s+)?(?:[يت]سمى|[يت]دعى|[يت]عرف\s+باسم|المعروف(?:ة)?\s+باسم)\s+(?:\w+\s+){0,3}[\"'“‘«]?"
        r"|(?<!\w)(?:[يت]سمي|يسمون)(?!\w)[^.!?؟]*[\"'“‘«])$"
    ),
    # "TERM، أي ..." (that is), "TERM يعني ..." (means).
    defined_after=re.compile(r"[\"'”’»]?\s*[،,]?\s*(?:أي|و?يعني|و?تعني|ومعناه|معناه)(?!\w)"),
    # The next sentence explains it: "هذا يعني ..." (this means), "وهي ..." (these are).
    next_sentence=re.compile(r"[^.!?؟]*[.!?؟]\s+(?:و?(?:هذا|هذه)\s+(?:يعني|تعني|هو|هي)|و?هي|و?هو)(?!\w)"),
    # The sound plural: تشنج, تشنجات. Other plurals go in the list's forms.
    suffix="ات",
    # و and ف (and), then ب, ل or ك (with, to, like), then ال (the), which
    # after ل loses its alef: للرنح.
    prefix="[وف]?[بلك]?",
    article="(?:ال|(?<=ل)ل)?",
    same_letters=("اأإآ", "يى", "ةه"),
    marks="[\u0640\u064B-\u065F\u0670]*",
)
