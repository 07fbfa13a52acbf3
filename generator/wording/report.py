"""How ``leaflet check`` shows its results: a table of scores per section, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from generator.wording.check import LeafletCheck
from generator.wording.languages import LANGUAGES, Language
from generator.wording.plain_language import Wording
from generator.wording.readability import Scores
from generator.wording.settings import Settings

INDENT = "  "


def _columns(language: Language) -> tuple[str, ...]:
    you = ("You",) if language.address else ()
    return ("Section", "Sentences", "Words", "Average", "Longest", *(m.header for m in language.measures), *you)


def _cells(name: str, scores: Scores, you: float, language: Language) -> tuple[str, ...]:
    shown = (f"{you:.0f}%",) if language.address else ()
    return (
        name, str(scores.sentences), str(scores.words), f"{scores.average:.1f}", str(scores.longest),
        *(m.shown(m.value(scores)) for m in language.measures), *shown,
    )


def table(wording: Wording) -> list[str]:
    """The scores of each section and of the whole leaflet, as aligned text, and what the
    columns mean where that differs from the legend (which is for English)."""
    if wording.skipped:
        return [INDENT + wording.skipped]
    language = wording.language
    rows = [_columns(language)]
    for section in wording.sections:
        rows.append(_cells(section.name, section.scores, 100 * section.you / section.scores.sentences, language))
    rows.append(_cells("whole leaflet", wording.total, wording.you_percent, language))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        first = row[0].ljust(widths[0])
        rest = "  ".join(cell.rjust(width) for cell, width in zip(row[1:], widths[1:]))
        out.append(f"{INDENT}{first}  {rest}".rstrip())
    if language.note:
        out.append(f"{INDENT}{language.name}: {language.note}")
    return out


def legend() -> str:
    english = LANGUAGES["en"]
    measures = " ".join(m.legend for m in english.measures if m.legend)
    return f"Average and Longest: words per sentence. {measures} You: sentences that say {english.address.words}."


def _scores_json(scores: Scores, you: float, language: Language) -> dict:
    return {
        "sentences": scores.sentences,
        "words": scores.words,
        "average_sentence_words": round(scores.average, 1),
        "longest_sentence_words": scores.longest,
        **{m.key: round(m.value(scores), 1) for m in language.measures},
        **({"you_percent": round(you, 1)} if language.address else {}),
    }


def as_json(checks: Sequence[LeafletCheck], settings: Settings, strict: bool) -> str:
    leaflets = []
    for check in checks:
        entry: dict = {"file": str(check.file), "id": check.id, "ok": not check.failed(strict)}
        wording = check.wording
        if wording is not None and not wording.skipped:
            language = wording.language
            entry["language"] = language.code
            if language.note:
                entry["note"] = language.note
            entry["scores"] = _scores_json(wording.total, wording.you_percent, language)
            entry["sections"] = [
                {"section": s.name, "line": s.line,
                 **_scores_json(s.scores, 100 * s.you / s.scores.sentences, language)}
                for s in wording.sections
            ]
        elif wording is not None:
            entry["skipped"] = wording.skipped
        entry["findings"] = [f.as_json() for f in check.findings]
        leaflets.append(entry)
    summary = {
        "checked": len(checks),
        "failed": sum(c.failed(strict) for c in checks),
        "errors": sum(c.count("error") for c in checks),
        "warnings": sum(c.count("warning") for c in checks),
        "strict": strict,
        "settings": str(settings.file) if settings.file else None,
    }
    return json.dumps({"leaflets": leaflets, "summary": summary}, indent=2, ensure_ascii=False)

