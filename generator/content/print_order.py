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
    after: tuple[str, ...]
    section: tuple[str, ...]
    side_effects: tuple[str, ...]

    def of(self, model: type) -> tuple[str, ...]:
        """The printed order of a model's fields; () when the order is the model's own."""
        for kind in model.__mro__:
            if kind.__name__ == "Leaflet":
                return self.header + self.leaflet + self.after
            if kind.__name__ == "Body":  # every section and sub-section
                return self.section
            if kind.__name__ == "SideEffects":
                return self.side_effects
        return ()


@cache
def print_order() -> PrintOrder:
    data = yaml.safe_load(FILE.read_text("utf-8"))
    return PrintOrder(**{key: tuple(value) for key, value in data.items()})
