"""How ``leaflet check`` shows its results: a table of scores per section, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from generator.wording.check import LeafletCheck
from generator.wording.plain_language import Wording
from generator.wording.readability import Scores
from generator.wording.settings import Settings

COLUMNS = ("Section", "Sentences", "Words", "Average", "Longest", "Grade", "SMOG", "Ease", "You")
INDENT = "  "


def _cells(name: str, scores: Scores, you: float) -> tuple[str, ...]:
    return (
        name, str(scores.sentences), str(scores.words), f"{scores.average:.1f}", str(scores.longest),
        f"{scores.grade:.1f}", f"{scores.smog:.1f}", f"{scores.reading_ease:.0f}", f"{you:.0f}%",
    )


def table(wording: Wording) -> list[str]:
    """The scores of each section and of the whole leaflet, as aligned text."""
    if wording.skipped:
        return [INDENT + wording.skipped]
    rows = [COLUMNS]
    for section in wording.sections:
        rows.append(_cells(section.name, section.scores, 100 * section.you / section.scores.sentences))
    rows.append(_cells("whole leaflet", wording.total, wording.you_percent))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    out = []
    for row in rows:
        first = row[0].ljust(widths[0])
        rest = "  ".join(cell.rjust(width) for cell, width in zip(row[1:], widths[1:]))
        out.append(f"{INDENT}{first}  {rest}".rstrip())
    return out


def legend() -> str:
    return (
        "Average and Longest: words per sentence. Grade: Flesch-Kincaid. Ease: Flesch Reading Ease. "
        "You: sentences that say 'you' or 'your'."
    )


def _scores_json(scores: Scores, you: float) -> dict:
    return {
        "sentences": scores.sentences,
        "words": scores.words,
        "average_sentence_words": round(scores.average, 1),
        "longest_sentence_words": scores.longest,
        "flesch_kincaid_grade": round(scores.grade, 1),
        "smog": round(scores.smog, 1),
        "flesch_reading_ease": round(scores.reading_ease, 1),
        "you_percent": round(you, 1),
    }


def as_json(checks: Sequence[LeafletCheck], settings: Settings, strict: bool) -> str:
    leaflets = []
    for check in checks:
        entry: dict = {"file": str(check.file), "id": check.id, "ok": not check.failed(strict)}
        wording = check.wording
        if wording is not None and not wording.skipped:
            entry["scores"] = _scores_json(wording.total, wording.you_percent)
            entry["sections"] = [
                {"section": s.name, "line": s.line, **_scores_json(s.scores, 100 * s.you / s.scores.sentences)}
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

