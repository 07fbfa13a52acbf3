"""Problems found in a leaflet, reported as ``file:line: key.path: message``.

A ``Problem`` says where and what; a ``Finding`` (what ``leaflet check``
reports) adds how bad it is and what to write instead. Every stage reports
with these, so this module imports nothing else of the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

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


class ClusterError(Exception):
    """The Dask cluster for a batch cannot be used: unreachable, or running another version of the tool."""


Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str  # a stable name for machines, such as "jargon" or "sentence-length"
    problem: Problem
    suggestion: str | None = None

    def __str__(self) -> str:
        return f"{self.severity}: {self.problem}"

    @property
    def sort_key(self) -> tuple:
        return (self.problem.line or 0, self.severity != "error", str(self.problem))

    def as_json(self) -> dict:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": str(self.problem.file),
            "line": self.problem.line,
            "path": format_path(self.problem.path),
            "message": self.problem.message,
            "suggestion": self.suggestion,
        }
