"""Readability scores for sentences: Flesch-Kincaid grade, SMOG and Flesch Reading Ease.

textstat counts the words, syllables and long words (with the CMU
Pronouncing Dictionary, and hyphenation rules for words it lacks). The
sentences are ours: textstat's own counter drops every "sentence" of two
words or fewer, which would run a leaflet's short bullet points ("Headache",
"Dry mouth") together into one long sentence. So the three published
formulas are applied here to textstat's counts over our sentence units.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import textstat


def word_count(sentence: str) -> int:
    return textstat.lexicon_count(sentence)


@dataclass(frozen=True)
class Scores:
    """Counts over some sentences, and the formulas on top of them."""

    sentences: int = 0
    words: int = 0
    syllables: int = 0
    polysyllables: int = 0
    longest: int = 0

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.sentences + other.sentences,
            self.words + other.words,
            self.syllables + other.syllables,
            self.polysyllables + other.polysyllables,
            max(self.longest, other.longest),
        )

    @property
    def average(self) -> float:
        """Average words per sentence."""
        return self.words / self.sentences if self.sentences else 0.0

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade level (US school grade)."""
        if not self.words:
            return 0.0
        return 0.39 * self.average + 11.8 * self.syllables / self.words - 15.59

    @property
    def reading_ease(self) -> float:
        """Flesch Reading Ease: 0 (very hard) to 100 (very easy); plain English is 60 or more."""
        if not self.words:
            return 0.0
        return 206.835 - 1.015 * self.average - 84.6 * self.syllables / self.words

    @property
    def smog(self) -> float:
        """SMOG grade, from words of three or more syllables per 30 sentences."""
        if not self.sentences:
            return 0.0
        return 1.043 * math.sqrt(30 * self.polysyllables / self.sentences) + 3.1291


def score_sentence(sentence: str) -> Scores:
    words = word_count(sentence)
    if not words:
        return Scores()
    return Scores(
        sentences=1,
        words=words,
        # textstat's default language, en_US: its pronouncing dictionary is American, and words
        # it lacks (such as British spellings) fall back to hyphenation rules, which is close enough.
        syllables=textstat.syllable_count(sentence),
        polysyllables=textstat.polysyllabcount(sentence),
        longest=words,
    )


def score(units: Iterable[str]) -> Scores:
    """Scores for sentence units, each counted as one sentence."""
    total = Scores()
    for unit in units:
        total += score_sentence(unit)
    return total
