"""The languages ``leaflet check`` reads, and what differs between them.

One entry per language: how its words and syllables are counted, which
readability formulas apply, how its medical words are matched and
explained, and how a sentence speaks to the reader. The jargon list of each
is ``jargon.py``'s ``builtin_file``; the thresholds are in ``settings``. To
add a language, add an entry here, its jargon list, and its tables in the
settings (see docs/plain-language.md, "Other languages").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.wording import jargon, readability
from generator.wording.readability import Measure


@dataclass(frozen=True)
class Address:
    """How a sentence speaks to the reader, for the share of sentences that do."""

    pattern: re.Pattern[str]
    words: str  # the words, for messages: "'you' or 'your'"
    example: str  # what to write instead, for the message


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    count: readability.Counter
    measures: tuple[Measure, ...]  # shown in the report; those with thresholds are judged
    phrasing: jargon.Phrasing
    address: Address | None  # None: the share of "you" is not measured
    note: str = ""  # printed under the language's score table


LANGUAGES = {
    language.code: language
    for language in (
        Language(
            "en", "English", readability.score_sentence, (readability.GRADE, readability.SMOG, readability.EASE),
            jargon.ENGLISH,
            Address(
                re.compile(r"\b(?:you|your|yours|yourself|yourselves|you're|you'll|you've|you'd)\b", re.IGNORECASE),
                "'you' or 'your'", "write 'You may feel sleepy', not 'Patients may feel drowsy'",
            ),
        ),
        Language(
            # Spanish speaks to the reader mostly through the verb ("Tome", "Puede
            # tener") and leaves "usted" out, so counting words would call a
            # leaflet that speaks to the reader throughout one that does not.
            "es", "Spanish", readability.score_spanish_sentence, (readability.INFLESZ,), jargon.SPANISH, None,
            note=readability.INFLESZ.legend,
        ),
        Language(
            # Arabic marks "you" with endings (ـك) that a word list cannot tell
            # from the same letters ending other words (ذلك, هناك).
            "ar", "Arabic", readability.score_words_only, (), jargon.ARABIC, None,
            note="No validated readability formula for Arabic is used, so there is no reading-level score: only "
                 "the length of each sentence is checked (words are counted between spaces).",
        ),
    )
}


def language_of(tag: str) -> Language | None:
    """The language of a BCP 47 tag ("es-MX" is Spanish), or None if ``leaflet check`` cannot read it."""
    return LANGUAGES.get(tag.split("-")[0].lower())


def names() -> str:
    """'English, Spanish and Arabic'."""
    *most, last = [language.name for language in LANGUAGES.values()]
    return f"{', '.join(most)} and {last}" if most else last
