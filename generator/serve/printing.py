"""Sending a built leaflet to a printer, through CUPS.

The counter web page prints with the ``lp`` command rather than a CUPS
library: it is on every machine that has CUPS, needs no new dependency, and
its answer ("request id is ...") is all the page needs to confirm a print.
Failures come back as ``PrintError``, whose message is meant for the screen.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf

# lp only queues the job, so it answers at once; a long wait means CUPS is stuck.
TIMEOUT = 30
# lp's answer on success, e.g. "request id is Counter-12 (1 file(s))".
REQUEST_ID = re.compile(r"request id is (?P<id>(?P<printer>\S+)-\d+) \(")


class PrintError(Exception):
    """A print that did not happen, explained in words for the pharmacy counter."""


@dataclass(frozen=True)
class PrintJob:
    """A print CUPS has accepted."""

    printer: str
    job_id: str  # CUPS's request id, e.g. "Counter-12", as lpstat and cancel know it
    pages: int  # sheets' sides printed: the PDF's pages times the copies


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    # The answers are parsed, so they must be in English; UTF-8 rather than
    # plain C, so that titles in other scripts (Arabic leaflets) pass through.
    env = {key: value for key, value in os.environ.items() if key != "LANGUAGE"}
    env["LC_ALL"] = "C.UTF-8"
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False)


def _tidy(message: str) -> str:
    """lp's complaint without its "lp: " prefix and "Error - ", on one line, not too long."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    text = " ".join(re.sub(r"^(lp|lpstat):\s*(Error - )?", "", line) for line in lines)
    return text if len(text) <= 300 else text[:297] + "..."


def _scheduler_running() -> bool:
    try:
        return _run(["lpstat", "-r"]).stdout.strip() == "scheduler is running"
    except (OSError, subprocess.TimeoutExpired):
        return False


def printers() -> list[str]:
    """The print queues CUPS knows; empty when CUPS is not installed or not running."""
    try:
        result = _run(["lpstat", "-e"])
    except (OSError, subprocess.TimeoutExpired):
        return []
    if result.returncode != 0:
        return []
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def page_count(pdf: Path) -> int:
    """The PDF's number of pages; PrintError when it is missing or not a PDF."""
    try:
        with pikepdf.open(pdf) as document:
            return len(document.pages)
    except FileNotFoundError:
        raise PrintError(f"the leaflet file {pdf} does not exist") from None
    except (pikepdf.PdfError, OSError) as error:
        raise PrintError(f"the leaflet file {pdf} cannot be read as a PDF ({error})") from None


def print_pdf(pdf: Path, printer: str, *, title: str, copies: int = 1) -> PrintJob:
    """Queue ``copies`` copies of ``pdf`` on the CUPS queue ``printer``, as the job ``title``.

    Returns once CUPS has accepted the job, not once the paper is out: the
    printer may still run out of paper afterwards, which CUPS shows itself.
    """
    if copies < 1:
        raise PrintError(f"the number of copies must be 1 or more, not {copies}")
    # A name lp would read as an option, or as "the default printer", must
    # never reach it: the page must print where it says.
    if not printer or printer.startswith("-") or any(c.isspace() or c in "/#\\" for c in printer):
        raise PrintError(f"{printer!r} is not a printer name")
    # Counted before printing, so that a file that is not a PDF is never sent.
    pages = page_count(pdf)

    try:
        result = _run(["lp", "-d", printer, "-t", title, "-n", str(copies), "--", str(pdf)])
    except FileNotFoundError:
        raise PrintError("printing is not set up on this computer: the CUPS client (lp) is not installed") from None
    except subprocess.TimeoutExpired:
        raise PrintError(f"the print service did not answer within {TIMEOUT} seconds; nothing was printed") from None

    if result.returncode != 0:
        message = _tidy(result.stderr or result.stdout)
        if "does not exist" in message:
            # lp says the same when CUPS is not running at all.
            if not _scheduler_running():
                raise PrintError("the print service (CUPS) is not running on this computer; nothing was printed")
            known = ", ".join(printers()) or "none"
            raise PrintError(f"the printer {printer!r} is not set up on this computer (lpstat lists: {known})")
        if "not accepting jobs" in message:
            raise PrintError(f"the printer {printer!r} is not accepting jobs at the moment ({message})")
        raise PrintError(f"the printer {printer!r} refused the leaflet: {message or 'lp failed with no message'}")

    match = REQUEST_ID.search(result.stdout)
    if not match:
        raise PrintError(f"the printer {printer!r} gave an unexpected answer: {_tidy(result.stdout) or 'nothing'}")
    return PrintJob(printer=match["printer"], job_id=match["id"], pages=pages * copies)
