"""Is the leaflet's review up to date?

The other governance rules are enforced elsewhere and not repeated here: an
approved leaflet must name its reviewer (``checks.consistency``), every
leaflet needs a review date (``model.Review``) and at least one source
(``required_sections.yaml``).
"""

from __future__ import annotations

import datetime as dt

from generator.content.model import Leaflet
from generator.content.source import Source
from generator.problems import Finding
from generator.wording.settings import Settings


def review_due(last: dt.date, years: int) -> dt.date:
    try:
        return last.replace(year=last.year + years)
    except ValueError:  # 29 February, and the year it falls due is not a leap year
        return last.replace(year=last.year + years, day=28)


def check_review(leaflet: Leaflet, source: Source, settings: Settings, today: dt.date) -> list[Finding]:
    last = leaflet.review.last_reviewed
    years = settings.review.max_age_years
    where = ("review", "last_reviewed")
    if last > today:
        return [Finding("warning", "review-date", source.problem(
            where, f"the review date {last.isoformat()} is in the future; give the date of the last review"
        ))]
    if today > review_due(last, years):
        return [Finding("warning", "review-overdue", source.problem(
            where,
            f"last reviewed on {last.isoformat()}, more than {years} year{'s' if years != 1 else ''} ago: have a pharmacist review "
            "the leaflet again, then update review.last_reviewed",
        ))]
    return []
