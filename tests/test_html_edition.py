"""The HTML edition is accessible: axe-core finds nothing in headless Chromium.

Every leaflet in leaflets/ is built with ``leaflet build --format html`` and
opened from a file:// URL in Debian's Chromium, which tests/browser.py drives
over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON
messages ended by a NUL byte on file descriptors 3 and 4), so it needs no
Python package beyond the standard library. axe-core is injected into each page and
run with the WCAG 2.x A, AA and AAA rules and the best practices, on a phone
and on a desktop screen. At phone width the page must not scroll sideways,
and the file must not refer to anything outside itself.

Chromium and axe-core are installed by scripts/install-browser-tools.sh.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser import DESKTOP, PHONE, Browser, describe, run_axe
from conftest import LEAFLETS, ROOT, run_leaflet

# Every print size: the HTML edition keeps its text size, so a phone at 24 pt is the hardest case.
SIZES = ["standard", "large", "extra-large"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium"))
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def html_edition(tmp_path_factory) -> dict[str, Path]:
    """Every leaflet, built as HTML at each print size: {size: folder}."""
    folders = {}
    for size in SIZES:
        out = folders[size] = tmp_path_factory.mktemp(f"html-{size}")
        result = run_leaflet("build", *LEAFLETS, "--format", "html", "--size", size, "--out", out, cwd=ROOT)
        assert result.returncode == 0, result.stdout + result.stderr
    return folders


def built_file(html_edition: dict[str, Path], leaflet: Path, size: str) -> Path:
    file = html_edition[size] / f"{leaflet.stem}.html"
    assert file.is_file(), f"{file.name} was not built"
    return file


def test_axe_runs_and_reports(browser, tmp_path):
    """The harness itself: a page with known faults gets violations."""
    page = tmp_path / "faulty.html"
    page.write_text('<!DOCTYPE html><html><body><img src="data:,"><p style="color:#666">Grey</p></body></html>')
    results = run_axe(browser, page, DESKTOP)
    found = {v["id"] for v in results["violations"]}
    assert {"html-has-lang", "image-alt", "color-contrast-enhanced", "region"} <= found, describe(
        results["violations"]
    )


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("leaflet", LEAFLETS, ids=lambda p: p.stem)
def test_axe_finds_no_violations(leaflet, size, screen, browser, html_edition):
    results = run_axe(browser, built_file(html_edition, leaflet, size), screen)
    violations = results["violations"]
    assert not violations, (
        f"axe {results['testEngine']['version']} found in {leaflet.stem}.html (--size {size}) "
        f"at {screen['width']} px:\n" + describe(violations)
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("leaflet", LEAFLETS, ids=lambda p: p.stem)
def test_no_horizontal_scrolling_on_a_phone(leaflet, size, browser, html_edition):
    browser.open(built_file(html_edition, leaflet, size), PHONE)
    page = browser.evaluate(
        """(() => {
        const wide = e => e && e.getBoundingClientRect().right > %d + 0.5;
        return {
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            tooWide: [...document.body.querySelectorAll("*")]
                .filter(e => wide(e) && !wide(e.parentElement))
                .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                     + (e.className ? "." + e.className.trim().split(/\\s+/).join(".") : "")
                     + " (right edge at " + Math.round(e.getBoundingClientRect().right) + " px)"),
            loaded: performance.getEntriesByType("resource").map(e => e.name),
        };
        })()"""
        % PHONE["width"]
    )
    # A page wider than the phone is zoomed out to fit, so the window grows with it.
    assert page["scrollWidth"] <= page["innerWidth"] == PHONE["width"], (
        f"{leaflet.stem}.html (--size {size}) scrolls sideways on a {PHONE['width']} px phone: it is "
        f"{page['scrollWidth']} px wide (window {page['innerWidth']} px). Too wide:\n  " + "\n  ".join(page["tooWide"])
    )
    assert page["loaded"] == [], f"{leaflet.stem}.html loaded files from outside itself: {page['loaded']}"


# Everything a page can load or point to; the HTML edition must carry all of it inside.
REFERENCE = re.compile(
    r"""\b(?:src|href|srcset|poster|action|data)\s*=\s*(["']?)\s*([^"'\s>]*)\1"""
    r"""|url\(\s*(["']?)\s*([^"')]*)\3\s*\)"""
    r"""|@import\s+(["'])([^"']*)\5""",
    re.IGNORECASE,
)
# http:, https:, file:, and relative paths, which become file: URLs when the page is opened from disk.
INSIDE = re.compile(r"^\s*(?:data:|#|mailto:|tel:|$)", re.IGNORECASE)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("leaflet", LEAFLETS, ids=lambda p: p.stem)
def test_no_external_references(leaflet, size, html_edition):
    html = built_file(html_edition, leaflet, size).read_text("utf-8")
    references = [m[2] or m[4] or m[6] for m in REFERENCE.finditer(html)]
    assert references, "no src, href or url() found: the pattern is wrong"
    external = [r for r in references if not INSIDE.match(r)]
    assert not external, f"{leaflet.stem}.html refers to files outside itself: {external}"
