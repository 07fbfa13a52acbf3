"""What ``leaflet check`` reports: a problem, how bad it is, and what to write instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .problems import Problem, format_path

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
