"""Problems found in a leaflet, reported as ``file:line: key.path: message``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# A key path such as ("side_effects", "serious", "items", 2, "name").
KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """``("side_effects", "serious", 2, "text")`` -> ``side_effects.serious[2].text``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int | None
    path: KeyPath
    message: str

    @property
    def path_text(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
        key = format_path(self.path)
        return f"{where}: {key}: {self.message}" if key else f"{where}: {self.message}"


class LeafletError(Exception):
    """A leaflet (or something it needs) is wrong. Carries every problem found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
