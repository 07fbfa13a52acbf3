"""Headless Chromium for the tests, and axe-core run inside it.

Debian's Chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages ended by a NUL byte on file
descriptors 3 and 4), so it needs no Python package beyond the standard
library. axe-core is injected into each page and run with the WCAG 2.x A, AA
and AAA rules and the best practices.

Chromium and axe-core are installed by scripts/install-browser-tools.sh.
Used by tests/test_html_edition.py (files), tests/test_serve_browser.py (the
counter web page) and benchmarks/serve_screenshots.py.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import signal
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
TIMEOUT = 60
# The keys the tests press: DOM key, DOM code, Windows key code, and the text
# a key types. Enter and Space must carry their text ("\r", " "), or Chromium
# neither submits a form nor presses a button.
KEYS = {
    "Tab": ("Tab", "Tab", 9, ""),
    "Enter": ("Enter", "Enter", 13, "\r"),
    "Space": (" ", "Space", 32, " "),
    "ArrowLeft": ("ArrowLeft", "ArrowLeft", 37, ""),
    "ArrowUp": ("ArrowUp", "ArrowUp", 38, ""),
    "ArrowRight": ("ArrowRight", "ArrowRight", 39, ""),
    "ArrowDown": ("ArrowDown", "ArrowDown", 40, ""),
}
SHIFT = 8  # the DevTools protocol's modifier bit


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
        if self.pid is None:
            self.start()
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

    def open(self, target: Path | str, screen: dict) -> None:
        """Show a file or a URL at a screen size, once it has loaded with its fonts."""
        if self.pid is None:
            self.start()
        url = target.as_uri() if isinstance(target, Path) else target
        self.resize(screen)
        self.events.clear()
        navigation = self.send("Page.navigate", session=True, url=url)
        if "errorText" in navigation:
            raise RuntimeError(f"Chromium could not open {url}: {navigation['errorText']}")
        self.wait_for_load(url)

    def resize(self, screen: dict) -> None:
        self.send("Emulation.setDeviceMetricsOverride", session=True, **screen)

    def wait_for(self, method: str, what: str = "", where=lambda params: True) -> dict:
        """The parameters of the first ``method`` event kept in ``events`` (for which ``where``
        is true), waiting for one if need be.

        Clear ``events`` before whatever causes the event, or an old one counts.
        """
        while True:
            for event in self.events:
                if event["method"] == method and where(event["params"]):
                    return event["params"]
            self.events.append(self._receive(f"{method} {what}".strip()))

    def wait_for_load(self, what: str = "the page") -> None:
        """Wait for the load event (of a page opened by ``open`` or by a key), then for the fonts."""
        self.wait_for("Page.loadEventFired", f"of {what}")
        self.evaluate("document.fonts.ready.then(() => true)")

    def evaluate(self, expression: str):
        result = self.send(
            "Runtime.evaluate", session=True, expression=expression, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def press(self, key: str, shift: bool = False) -> None:
        """Press and release one key of ``KEYS`` on the focused element, as a keyboard would."""
        name, code, number, text = KEYS[key]
        down = {"key": name, "code": code, "windowsVirtualKeyCode": number, "modifiers": SHIFT if shift else 0}
        # "keyDown" types its text; "rawKeyDown" is a key that types nothing.
        if text:
            self.send("Input.dispatchKeyEvent", session=True, type="keyDown", text=text, **down)
        else:
            self.send("Input.dispatchKeyEvent", session=True, type="rawKeyDown", **down)
        self.send("Input.dispatchKeyEvent", session=True, type="keyUp", **down)

    def press_and_load(self, key: str) -> None:
        """Press a key that opens another page (Enter in a form, Space on a button) and wait for it."""
        self.events.clear()
        self.press(key)
        self.wait_for_load(f"the page opened by {key}")

    def type(self, text: str) -> None:
        """Type text into the focused field, as a keyboard or an input method would."""
        self.send("Input.insertText", session=True, text=text)

    def screenshot(self, file: Path) -> None:
        """The visible part of the page, as a PNG."""
        shot = self.send("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=False)
        file.write_bytes(base64.b64decode(shot["data"]))

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


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            lines.append(f"    {' '.join(node['target'])}")
    return "\n".join(lines)


def axe(browser: Browser) -> dict:
    """axe-core's results for the page shown: only the violations are kept."""
    browser.evaluate(AXE.read_text("utf-8") + "\n;true")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return browser.evaluate(f"axe.run(document, {json.dumps(options)})")


def run_axe(browser: Browser, target: Path | str, screen: dict) -> dict:
    browser.open(target, screen)
    return axe(browser)
