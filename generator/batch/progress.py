"""Progress and the summary of a build, for people and for machines.

On a terminal: a progress bar with count, rate and time left. Anywhere else
(CI, logs): one plain line per output. Findings are printed as `leaflet
check` prints them, each leaflet's warnings once however many outputs it has.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

import click

from generator.batch.build import Result
from generator.problems import Finding, Problem


class Progress:
    """Shows each finished output. Use as a context manager."""

    def __init__(self, total: int, unchanged: int):
        self.total = total
        self.done = 0
        self.unchanged = unchanged
        self._bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("Building"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self._task = self._bar.add_task("build", total=total, rate="")
        self._start = time.monotonic()

    def __enter__(self) -> "Progress":
        if self.unchanged:
            click.echo(f"{self.unchanged} output(s) unchanged since the last build (--force rebuilds them)")
        if self._bar:
            self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar:
            self._bar.stop()

    def update(self, result: Result) -> None:
        self.done += 1
        if self._bar:
            rate = self.done / max(time.monotonic() - self._start, 1e-6)
            self._bar.update(self._task, advance=1, rate=f"{rate:.1f}/s")
            if not result.ok:
                self._bar.console.print(f"failed {_failed(result)}", markup=False, highlight=False)
            return
        if result.ok:
            pages = f", {result.pages} pages" if result.pages else ""
            click.echo(f"[{self.done}/{self.total}] wrote {result.output} ({result.size / 1024:.0f} KB{pages})")
        else:
            click.echo(f"[{self.done}/{self.total}] failed {_failed(result)}", err=True)


def _failed(result: Result) -> str:
    return f"{result.source} (for {result.target})" if result.target else str(result.source)


def findings(result: Result, shown: set[Finding]) -> list[str]:
    """The lines to print for a result: its errors, and its leaflet's warnings
    not yet in ``shown``, in the order `leaflet check` prints them."""
    new = [w for w in result.warnings if w not in shown]
    shown.update(new)
    if not new:
        return [f"error: {p}" for p in result.problems]
    found = [Finding("error", "build", p) for p in result.problems] + new
    return [str(f) for f in sorted(found, key=lambda f: f.sort_key)]


def warning_count(results: list[Result]) -> int:
    """Each leaflet's warnings, counted once however many outputs it has."""
    return len({w for r in results for w in r.warnings})


def summary(results: list[Result]) -> str:
    counts = Counter(r.status for r in results)
    warnings = warning_count(results)
    return (
        f"{counts['built']} built, {counts['unchanged']} unchanged, {counts['failed']} failed, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )


def _problem(p: Problem) -> dict:
    return {"file": str(p.file), "line": p.line, "path": p.path_text, "message": p.message, "text": str(p)}


def report(results: list[Result], seconds: float, file: Path) -> None:
    """The summary as JSON, for scripts and dashboards."""
    from generator.batch.write import write_atomic

    counts = Counter(r.status for r in results)
    data = {
        "built": counts["built"],
        "unchanged": counts["unchanged"],
        "failed": counts["failed"],
        "warnings": warning_count(results),
        "seconds": round(seconds, 3),
        "outputs": [
            {
                "source": str(r.source),
                "status": r.status,
                "output": str(r.output) if r.output else None,
                "pages": r.pages or None,
                "bytes": r.size or None,
                "problems": [_problem(p) for p in r.problems],
                "warnings": [_problem(w.problem) | {"code": w.code, "suggestion": w.suggestion} for w in r.warnings],
            }
            for r in results
        ],
    }
    write_atomic(file, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"), sync=False)
