"""Style rules the standards name: no blocks of capitals, no italics or
underlining, and no numbers that make the reader calculate.

Each rule reads one piece of text and says what is wrong with it; the caller
knows where the text is. The rules are described in docs/plain-language.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from generator.problems import Severity


@dataclass(frozen=True)
class Issue:
    severity: Severity
    code: str
    text: str  # the words at fault, as written
    message: str
    suggestion: str | None = None


def check(text: str, acronyms: Iterable[str] = ()) -> list[Issue]:
    return [*capitals(text, acronyms), *italics(text), *numbers(text)]


def quote(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return f"'{flat}'" if len(flat) <= limit else f"'{flat[: limit - 3]}...'"


# Capitals that are names, not shouting.
ACRONYMS = frozenset({
    "A&E", "ACE", "ADHD", "AIDS", "BMI", "CNS", "COPD", "COVID", "CT", "DNA", "ECG", "EU", "FDA", "GABA",
    "GABA-B", "GP", "HIV", "IBS", "ICU", "ID", "INR", "IUD", "IV", "MAO", "MAOI", "ME", "MHRA", "MND", "MRI",
    "MS", "NHS", "NICE", "NSAID", "OK", "OTC", "PDF", "PIN", "QR", "SMS", "SNRI", "SSRI", "TB", "TV", "UK",
    "URL", "US", "USA", "UTI",
})
_CAPITALS = re.compile(r"(?<![\w&'’-])[A-Z][A-Z&'’-]*[A-Z](?:\s+[A-Z][A-Z&'’-]*[A-Z])*(?![\w&'’-])")
# A single word in capitals this long is shouting; a shorter one may be a name we do not know.
_SHOUTED_WORD = 5


def capitals(text: str, acronyms: Iterable[str] = ()) -> Iterator[Issue]:
    allowed = ACRONYMS | set(acronyms)
    for match in _CAPITALS.finditer(text):
        words = match[0].split()
        shouted = [w for w in words if w.strip("'’-") not in allowed]
        if (len(words) > 1 and shouted) or any(len(w) >= _SHOUTED_WORD for w in shouted):
            yield Issue(
                "warning", "capitals", match[0],
                f"block of capitals {quote(match[0])}: capitals are hard to read; "
                "write it in lower case (the leaflet uses bold for emphasis)",
                match[0].capitalize(),
            )


_ITALICS = (
    (re.compile(r"<\s*(i|em|u|ins|cite|dfn|var)\b[^>]*>.*?(?:<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL),
     "an HTML italic or underline tag"),
    (re.compile(r"(?<![\w*\\])\*(?![\s*])[^*\n]+?(?<![\s*\\])\*(?![\w*])"), "Markdown italics"),
    (re.compile(r"(?<![\w_\\])_(?![\s_])[^_\n]+?(?<![\s_\\])_(?![\w_])"), "Markdown italics"),
    (re.compile(r"font-style\s*:\s*italic|text-decoration\s*:\s*underline", re.IGNORECASE),
     "a CSS italic or underline style"),
)


def italics(text: str) -> Iterator[Issue]:
    for pattern, what in _ITALICS:
        for match in pattern.finditer(text):
            yield Issue(
                "error", "italics", match[0],
                f"{what} {quote(match[0])}: leaflets never use italics or underlining, as they are hard "
                "to read, and the markup would be printed as it stands; write the words plainly",
            )


# Each rule: a pattern, and what to say about a match: (message, suggestion), or None if it is fine.
def _percentage(m: re.Match) -> tuple[str, str]:
    said = _one_in(float(m[1]))
    return f"a percentage ({m[0]}) makes the reader calculate; write '{said}'", said


def _one_in(percent: float) -> str:
    """25 -> '1 in 4'; 70 -> '7 in 10'; 0.1 -> '1 in 1,000'."""
    if percent <= 0:
        return "none"
    if percent >= 100:
        return "everyone"
    n = 100 / percent if percent <= 50 else percent / 10
    about = "" if n == round(n) else "about "
    return f"{about}1 in {round(n):,}" if percent <= 50 else f"{about}{round(n)} in 10"


def _fraction(m: re.Match) -> tuple[str, str | None]:
    parts = re.findall(r"\d+", m[0])
    said = None
    if len(parts) == 2 and 0 < int(parts[0]) < int(parts[1]):
        said = "half" if parts == ["1", "2"] else f"{parts[0]} in {parts[1]}"
    hint = f"'{said}'" if said else "words, such as 'half' or '3 in 4'"
    return f"a fraction ({m[0]}) makes the reader calculate; write {hint}", said


def _decimal(m: re.Match) -> tuple[str, None]:
    return f"a decimal ({m[0]}) is hard to picture; round it, or use words", None


def _compound_frequency(m: re.Match) -> tuple[str, None]:
    return f"'{m[0]}' makes the reader work out how often; say how many times a day, or at what times", None


def _per_weight(m: re.Match) -> tuple[str, None]:
    message = (
        f"a dose by body weight ({m[0]}) makes the reader calculate, and a leaflet never gives doses: "
        "write 'Your doctor will tell you your dose'"
    )
    return message, None


def _multiplication(m: re.Match) -> tuple[str, None]:
    return f"'{m[0]}' makes the reader multiply; write the result, or say it in words", None


def _hours(m: re.Match) -> tuple[str, str] | None:
    hours = int(m[1])
    if hours < 48 or hours % 24:
        return None
    return f"'{m[0]}' makes the reader work out the days; write '{hours // 24} days'", f"{hours // 24} days"


_COUNT = r"\d+|one|two|three|four|five|six|eight|twelve"
_NUMBERS = (
    (re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)", re.IGNORECASE), _percentage),
    (re.compile(r"(?<![\d/.])(?!24\s*/\s*7\b)\d+\s*/\s*\d+(?![\d/])|[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]"), _fraction),
    (re.compile(r"(?<![\w.])\d+\.\d+(?![\w.%]|\s*(?:%|per\s*cent|percent))", re.IGNORECASE), _decimal),
    (re.compile(rf"\b(?:once|twice|(?:{_COUNT})\s+times)\s+(?:every|each|per|in)\s+(?:{_COUNT})\s+"
                r"(?:hours?|days?|weeks?)\b", re.IGNORECASE), _compound_frequency),
    (re.compile(r"\b(?:mg|mcg|micrograms?|ml|g)\s*(?:/|per)\s*(?:kg|kilograms?|m2|m²)\b", re.IGNORECASE), _per_weight),
    (re.compile(r"\b\d+\s*[x×]\s*\d+\b|(?<!\w)[x×]\s?\d+\b"), _multiplication),
    (re.compile(r"\b(\d+)\s+hours\b"), _hours),
)


def numbers(text: str) -> Iterator[Issue]:
    for pattern, explain in _NUMBERS:
        for match in pattern.finditer(text):
            said = explain(match)
            if said:
                message, suggestion = said
                yield Issue("warning", "numbers", match[0], message, suggestion)
