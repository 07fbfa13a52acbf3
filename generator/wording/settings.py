"""Project settings for ``leaflet check``: thresholds and the jargon lists.

They are read from ``leaflet.toml``, or from ``[tool.leaflet]`` in
``pyproject.toml``, in the current folder or the nearest parent folder that
has either. In one folder ``leaflet.toml`` wins. Every key is optional; the
defaults are in the models below and in docs/plain-language.md.

The top of ``[readability]`` and ``[jargon]`` is English (the sentence
lengths apply to every language); each other language has its own table
below them, such as ``[readability.es]`` and ``[jargon.es]``.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.content.validate import TOML_MAPPING, translate
from generator.problems import KeyPath, LeafletError, Problem
from generator.wording.jargon import Term, builtin_terms, load_terms
from generator.wording.languages import LANGUAGES, Language

FILE = "leaflet.toml"
PYPROJECT = "pyproject.toml"


class _Table(BaseModel):
    # Strict: a threshold written as "8" (text) or true is a mistake to report, not to guess at.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


@dataclass(frozen=True)
class Limits:
    """The thresholds of one formula (``readability.Measure``); None is off."""

    warning: float | None = None  # the whole leaflet
    error: float | None = None  # the whole leaflet
    section_warning: float | None = None  # one section of 3 sentences or more


class SpanishReadability(_Table):
    """The Szigriszt-Pazos perspicuity, on the INFLESZ scale: lower is harder."""

    inflesz_warning: float = Field(
        55, description="Whole leaflet: warn below this score (55 to 65 is 'normal' on the INFLESZ scale)."
    )
    inflesz_error: float = Field(
        40, description="Whole leaflet: error below this score (below 40 is 'very difficult')."
    )
    section_inflesz_warning: float = Field(
        40, description="One section (of 3 sentences or more): warn below this score."
    )

    @model_validator(mode="after")
    def _in_order(self) -> SpanishReadability:
        if self.inflesz_warning < self.inflesz_error:
            raise ValueError("inflesz_warning must not be less than inflesz_error")
        return self


class Readability(_Table):
    grade_warning: float = Field(6, gt=0, description="Whole leaflet: warn above this Flesch-Kincaid grade.")
    grade_error: float = Field(8, gt=0, description="Whole leaflet: error above this Flesch-Kincaid grade.")
    section_grade_warning: float = Field(
        8, gt=0, description="One section (of 3 sentences or more): warn above this grade."
    )
    sentence_warning: int = Field(20, gt=0, description="Warn about a sentence longer than this many words.")
    sentence_error: int = Field(30, gt=0, description="Error for a sentence longer than this many words.")
    smog_warning: float | None = Field(None, gt=0, description="Whole leaflet: warn above this SMOG grade. Off by default.")
    reading_ease_warning: float | None = Field(
        None, description="Whole leaflet: warn below this Flesch Reading Ease. Off by default."
    )
    es: SpanishReadability = Field(default_factory=SpanishReadability, description="Spanish leaflets.")

    def limits(self, measure: str) -> Limits:
        """The thresholds of the formula whose code is ``measure``."""
        return {
            "grade": Limits(self.grade_warning, self.grade_error, self.section_grade_warning),
            "smog": Limits(self.smog_warning),
            "reading-ease": Limits(self.reading_ease_warning),
            "inflesz": Limits(self.es.inflesz_warning, self.es.inflesz_error, self.es.section_inflesz_warning),
        }[measure]

    @model_validator(mode="after")
    def _in_order(self) -> Readability:
        if self.grade_warning > self.grade_error:
            raise ValueError("grade_warning must not be more than grade_error")
        if self.sentence_warning > self.sentence_error:
            raise ValueError("sentence_warning must not be more than sentence_error")
        return self


class JargonLists(_Table):
    extra: list[str] = Field(
        default_factory=list, description="More jargon lists (YAML, same format), relative to the settings file."
    )
    ignore: list[str] = Field(default_factory=list, description="Terms from the lists not to flag.")


class Jargon(JargonLists):
    """``extra`` and ``ignore`` here are for English; each other language has its own table."""

    es: JargonLists = Field(default_factory=JargonLists, description="Spanish lists.")
    ar: JargonLists = Field(default_factory=JargonLists, description="Arabic lists.")

    def of(self, language: str) -> JargonLists:
        return self if language == "en" else getattr(self, language)


class Style(_Table):
    you_percent_warning: float = Field(
        30, ge=0, le=100, description="Warn when fewer than this % of sentences say 'you' or 'your'."
    )
    acronyms: list[str] = Field(
        default_factory=list, description="More words in capitals that are not shouting, such as 'NICE'."
    )


class Review(_Table):
    max_age_years: int = Field(3, ge=1, description="Warn when review.last_reviewed is older than this.")


class Config(_Table):
    readability: Readability = Field(default_factory=Readability)
    jargon: Jargon = Field(default_factory=Jargon)
    style: Style = Field(default_factory=Style)
    review: Review = Field(default_factory=Review)


@dataclass(frozen=True)
class Settings:
    config: Config
    terms: tuple[Term, ...]  # every language's, each term knowing its language
    file: Path | None = None  # None: the defaults, no settings file found

    def terms_of(self, language: str) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.language == language)

    @property
    def readability(self) -> Readability:
        return self.config.readability

    @property
    def style(self) -> Style:
        return self.config.style

    @property
    def review(self) -> Review:
        return self.config.review


def defaults() -> Settings:
    return Settings(Config(), tuple(term for code in LANGUAGES for term in builtin_terms(code)))


def find(start: Path) -> tuple[Path, dict, KeyPath] | None:
    """The nearest settings: (file, its leaflet table, the table's key path)."""
    for folder in (start.resolve(), *start.resolve().parents):
        own = folder / FILE
        if own.is_file():
            return own, _read_toml(own), ()
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("leaflet")
            if table is not None:
                if not isinstance(table, dict):
                    raise LeafletError([Problem(pyproject, None, ("tool", "leaflet"), "expected a table ([tool.leaflet])")])
                return pyproject, table, ("tool", "leaflet")
    return None


def load(start: Path) -> Settings:
    """Settings for a run started in ``start``. Raises ``LeafletError`` naming every bad key."""
    found = find(start)
    if found is None:
        return defaults()
    file, table, prefix = found
    lines = _Lines(file, prefix)
    try:
        config = Config.model_validate(table)
    except ValidationError as exc:
        raise LeafletError(translate(exc, Config, file, lines.of, prefix, TOML_MAPPING)) from None
    terms = _terms(config.jargon, file, prefix, lines)
    return Settings(config, terms, file)


def _read_toml(file: Path) -> dict:
    try:
        return tomllib.loads(file.read_text("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise LeafletError([Problem(file, int(line[1]) if line else None, (), f"invalid TOML: {exc}")]) from None
    except UnicodeDecodeError:
        raise LeafletError([Problem(file, None, (), "the file is not UTF-8 text; save it as UTF-8")]) from None
    except OSError as exc:
        raise LeafletError([Problem(file, None, (), f"cannot read the file: {exc.strerror}")]) from None


def _terms(jargon: Jargon, file: Path, prefix: KeyPath, lines: _Lines) -> tuple[Term, ...]:
    """Each language's built-in list, with the project's own lists added and ignores removed."""
    terms, problems = [], []
    for language in LANGUAGES.values():
        key = ("jargon",) if language.code == "en" else ("jargon", language.code)
        try:
            terms += _language_terms(language, jargon.of(language.code), key, file, prefix, lines)
        except LeafletError as exc:
            problems += exc.problems
    if problems:
        raise LeafletError(problems)
    return tuple(terms)


def _language_terms(
    language: Language, lists: JargonLists, key: KeyPath, file: Path, prefix: KeyPath, lines: _Lines
) -> list[Term]:
    """One language's list, with the project's own lists added (replacing terms they repeat) and ignores removed."""
    by_word = {t.term.casefold(): t for t in builtin_terms(language.code)}
    problems = []
    for index, name in enumerate(lists.extra):
        path = (file.parent / name).resolve()
        where = key + ("extra", index)
        if not path.is_file():
            problems.append(Problem(file, lines.of(where), prefix + where, f"jargon list not found: {path}"))
            continue
        try:
            for term in load_terms(path, language.code):
                by_word[term.term.casefold()] = term
        except LeafletError as exc:
            problems += exc.problems
    words = {w.casefold(): t.term.casefold() for t in by_word.values() for w in (t.term, *t.forms)}
    listed = "the jargon list" if language.code == "en" else f"the {language.name} jargon list"
    for index, word in enumerate(lists.ignore):
        known = words.get(word.casefold().strip())
        if known is None:
            close = difflib.get_close_matches(word.casefold(), list(words), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            where = key + ("ignore", index)
            problems.append(Problem(file, lines.of(where), prefix + where, f"'{word}' is not in {listed}{hint}"))
        else:
            by_word.pop(known, None)
    if problems:
        raise LeafletError(problems)
    return list(by_word.values())


class _Lines:
    """Finds the line of a key in a TOML file, for messages (tomllib gives none)."""

    def __init__(self, file: Path, prefix: KeyPath):
        self.text = file.read_text("utf-8-sig").splitlines()
        self.prefix = prefix

    def of(self, loc: KeyPath) -> int | None:
        names = [str(p) for p in self.prefix + loc if not isinstance(p, int)]
        if not names:
            return None
        table = self._header(names)
        if table is not None:
            return table + 1
        *tables, key = names
        start = self._header(tables) if tables else 0
        if start is None:
            return None
        assignment = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for index in range(start, len(self.text)):
            if index > start and self.text[index].lstrip().startswith("["):
                break
            if assignment.match(self.text[index]):
                return index + 1
        return start + 1 if tables else None

    def _header(self, names: list[str]) -> int | None:
        """The index of the line ``[a.b]`` for names ``a``, ``b``."""
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, names)) + r"\s*\]\s*(#.*)?$")
        return next((i for i, line in enumerate(self.text) if header.match(line)), None)
