"""The order a leaflet is printed in, read from ``templates/print_order.yaml``.

The template prints its blocks in this order and the wording checks read
the text in it; neither writes the order down itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from generator.resources import TEMPLATES

FILE = TEMPLATES / "print_order.yaml"


@dataclass(frozen=True)
class PrintOrder:
    header: tuple[str, ...]
    leaflet: tuple[str, ...]
    side_effects: tuple[str, ...]

    @property
    def fields(self) -> dict[str, tuple[str, ...]]:
        """The printed order of each model's fields, by model name."""
        return {"Leaflet": self.header + self.leaflet, "SideEffects": self.side_effects}


@cache
def print_order() -> PrintOrder:
    data = yaml.safe_load(FILE.read_text("utf-8"))
    return PrintOrder(**{key: tuple(value) for key, value in data.items()})
