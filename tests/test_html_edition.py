"""The HTML edition is accessible: axe-core finds nothing in headless Chromium.

Every leaflet in leaflets/ is built with ``leaflet build --format html`` and
opened from a file:// URL in Debian's Chromium, which the test drives over
the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON messages
ended by a NUL byte on file descriptors 3 and 4), so it needs no Python
package beyond the standard library. axe-core is injected into each page and
run with the WCAG 2.x A, AA and AAA rules and the best practices, on a phone
and on a desktop screen. At phone width the page must not scroll sideways,
and the file must not refer to anything outside itself.

Chromium and axe-core are installed by scripts/install-browser-tools.sh.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import select
import signal
import time
from pathlib import Path

import pytest
from conftest import LEAFLETS, ROOT, run_leaflet

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
INSTALL = "scripts/install-browser-tools.sh"
# Without the networking flags, Chromium's calls home are refused by a closed
# network, many at a time; a fresh --user-data-dir is added per browser.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag2aaa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PHONE = {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True}
DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
# Every print size: the HTML edition keeps its text size, so a phone at 24 pt is the hardest case.
SIZES = ["standard", "large", "extra-large"]
TIMEOUT = 60


class Browser:
    """Headless Chromium with one page, started on first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.pid: int | None = None
        self.next_id = 0
        self.buffer = b""
        self.events: list[dict] = []

    def start(self) -> None:
        missing = [str(p) for p in (CHROMIUM, AXE) if not p.is_file()]
        if missing:
            pytest.fail(f"missing {', '.join(missing)}: run {INSTALL} first", pytrace=False)
        to_chrome, self.writer = os.pipe()
        self.reader, from_chrome = os.pipe()
        # The child's ends are moved above 4, so putting them on 3 and 4 can't clash.
        to_chrome, from_chrome = (_above_4(fd) for fd in (to_chrome, from_chrome))
        self.log = self.folder / "chromium.log"
        profile = self.folder / "profile"
        self.pid = os.posix_spawn(
            str(CHROMIUM),
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_OPEN, 1, str(self.log), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
                (os.POSIX_SPAWN_DUP2, 1, 2),
                (os.POSIX_SPAWN_DUP2, to_chrome, 3),
                (os.POSIX_SPAWN_DUP2, from_chrome, 4),
            ],
        )
        os.close(to_chrome)
        os.close(from_chrome)
        try:
            target = self.send("Target.createTarget", url="about:blank")["targetId"]
            self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.send("Page.enable", session=True)
        except BaseException:
            self.close()
            raise

    def send(self, method: str, session: bool = False, **params) -> dict:
        """Send one command and return its result, keeping the events that arrive meanwhile."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self.writer, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(f"an answer to {method}")
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            if "method" in reply:
                self.events.append(reply)

    def _receive(self, waiting_for: str) -> dict:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.reader], [], [], left)[0]:
                raise TimeoutError(f"Chromium sent no {waiting_for} in {TIMEOUT} s{self._log_tail()}")
            chunk = os.read(self.reader, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium stopped while we waited for {waiting_for}{self._log_tail()}")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def _log_tail(self) -> str:
        return "\nChromium said:\n" + self.log.read_text("utf-8", "replace")[-3000:]

    def open(self, file: Path, screen: dict) -> None:
        """Show a file at a screen size, once it has loaded with its fonts."""
        if self.pid is None:
            self.start()
        self.send("Emulation.setDeviceMetricsOverride", session=True, **screen)
        self.events.clear()
        navigation = self.send("Page.navigate", session=True, url=file.as_uri())
        if "errorText" in navigation:
            raise RuntimeError(f"Chromium could not open {file}: {navigation['errorText']}")
        while not any(e["method"] == "Page.loadEventFired" for e in self.events):
            self.events.append(self._receive(f"load event of {file.name}"))
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str):
        result = self.send(
            "Runtime.evaluate", session=True, expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        if self.pid is None:
            return
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        for _ in range(100):
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.reader)
        os.close(self.writer)
        self.pid = None
        self.buffer = b""


def _above_4(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 5)
    os.close(fd)
    return moved


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


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(node['target'])}")
    return "\n".join(lines)


def run_axe(browser: Browser, file: Path, screen: dict) -> dict:
    browser.open(file, screen)
    browser.evaluate(AXE.read_text("utf-8") + "\n;true")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return browser.evaluate(f"axe.run(document, {json.dumps(options)})")


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
