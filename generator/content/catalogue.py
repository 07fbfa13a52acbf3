"""Message catalogues: the fixed wording printed on a leaflet, per language."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml

from generator.resources import MESSAGES

REFERENCE = "en"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Catalogue:
    """The messages for one language. ``cat("uses", medicine="Clonazepam")``."""

    def __init__(self, tag: str, messages: dict, file: Path):
        self.tag = tag
        self.file = file
        self._messages = messages

    def __call__(self, key: str, **values: str) -> str:
        try:
            text = self._messages[key]
        except KeyError:
            raise KeyError(f"message '{key}' is missing from {self.file}") from None
        # Placeholders not given here (such as {page}) are left for the caller.
        return text.format_map(_Keep(values))

    def month_year(self, date: dt.date) -> str:
        """"November 2026", "noviembre de 2026": the month and year as the
        language writes them (CLDR, through Babel)."""
        from babel.dates import format_skeleton  # Babel's data loads only when a date is printed

        return format_skeleton("yMMMM", date, locale=_locale(self.tag))

    @property
    def direction(self) -> str:
        """"rtl" for a language written right to left (Arabic, Hebrew...), else "ltr" (CLDR, through Babel)."""
        return "rtl" if _locale(self.tag).character_order == "right-to-left" else "ltr"


@cache
def _locale(tag: str):
    """The CLDR locale for a BCP 47 tag, or for its language alone ("en-XX" -> "en")."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(tag.split("-")[0])


def available() -> list[str]:
    return sorted(p.stem for p in MESSAGES.glob("*.yaml"))


def catalogue_file(tag: str) -> Path | None:
    """The most specific catalogue for a BCP 47 tag: en-GB, then en."""
    parts = tag.split("-")
    for end in range(len(parts), 0, -1):
        for candidate in ("-".join(parts[:end]), "-".join(parts[:end]).lower()):
            file = MESSAGES / f"{candidate}.yaml"
            if file.is_file():
                return file
    return None


@cache
def catalogue(tag: str) -> Catalogue:
    file = catalogue_file(tag)
    if file is None:
        raise LookupError(f"no message catalogue for language '{tag}' (available: {', '.join(available())})")
    messages = yaml.load(file.read_text("utf-8"), Loader=_Loader)
    reference = yaml.load((MESSAGES / f"{REFERENCE}.yaml").read_text("utf-8"), Loader=_Loader)
    missing = sorted(set(reference) - set(messages))
    if missing:
        raise LookupError(f"{file} is missing message(s): {', '.join(missing)}")
    return Catalogue(tag, messages, file)
