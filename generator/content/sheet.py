"""What the counter sheet prints: the must-knows of a leaflet, chosen from
its own content (and shortened by its ``sheet:`` block).

The sheet is the handout a pharmacist goes over with the patient at the
counter; the full leaflet stays the take-home reference. No new medical
text is written here: every line comes from the leaflet, except, for a
leaflet that says nothing of the kind, the catalogue's "take it exactly as
your doctor tells you".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator.content.model import Leaflet, SideEffectGroup, sentences
from generator.content.source import Source
from generator.problems import Problem


@dataclass(frozen=True)
class SheetContent:
    key_facts: list[str]
    # The serious side effects' names and what to do about them (get help now).
    serious: list[str]
    serious_action: str | None
    how_to_take: str
    stopping: str | None


def sheet_content(leaflet: Leaflet, t: Callable[..., str]) -> SheetContent:
    """The parts of ``leaflet`` its counter sheet prints, in printed order.

    ``t`` is the leaflet's message catalogue (``render.html``): its
    ``sheet_take_as_told`` is the fallback for how to take it, and its
    ``sheet_exactly`` and ``sheet_suddenly`` are the words that pick the
    sentence to print from how_to_take and stopping.
    """
    chosen = leaflet.sheet
    facts = _pick(leaflet.key_facts, chosen.key_facts if chosen else None)
    group = serious_group(leaflet)
    serious = _pick([item.name for item in group.items], chosen.serious_side_effects if chosen else None) if group else []
    how = (chosen and chosen.how_to_take) or _sentence_with(
        leaflet.how_to_take.text if leaflet.how_to_take else None, t("sheet_exactly")
    )
    stopping = (chosen and chosen.stopping) or _sentence_with(
        leaflet.stopping.text if leaflet.stopping else None, t("sheet_suddenly")
    )
    return SheetContent(
        key_facts=facts,
        serious=serious,
        serious_action=(group.action or t("side_effects_serious_action")) if group else None,
        how_to_take=how or t("sheet_take_as_told"),
        stopping=stopping,
    )


def serious_group(leaflet: Leaflet) -> SideEffectGroup | None:
    """The leaflet's serious side effects (get help now), if it has any."""
    return leaflet.side_effects.serious if leaflet.side_effects else None


def _pick(items: list[str], numbers: list[int] | None) -> list[str]:
    # Numbers out of range are refused when the leaflet is loaded (sheet_problems).
    return list(items) if numbers is None else [items[n - 1] for n in numbers if n <= len(items)]


def _sentence_with(text: str | None, words: str) -> str | None:
    return next((s for s in sentences(text) if words.casefold() in s.casefold()), None)


def sheet_problems(leaflet: Leaflet, source: Source) -> list[Problem]:
    """A ``sheet:`` block that names a key fact or side effect the leaflet does not have."""
    chosen = leaflet.sheet
    if chosen is None:
        return []
    serious = serious_group(leaflet)
    lists = {
        "key_facts": (chosen.key_facts, len(leaflet.key_facts), "key facts"),
        "serious_side_effects": (chosen.serious_side_effects, len(serious.items) if serious else 0, "serious side effects"),
    }
    problems = []
    for key, (numbers, count, what) in lists.items():
        for index, number in enumerate(numbers or []):
            if number > count:
                problems.append(
                    source.problem(("sheet", key, index), f"there is no number {number}: the leaflet has {count} {what}")
                )
            elif number in numbers[:index]:
                problems.append(source.problem(("sheet", key, index), f"number {number} is given twice"))
    return problems
