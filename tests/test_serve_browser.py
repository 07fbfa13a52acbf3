"""The counter web page (``leaflet serve``) in a real browser, end to end.

The app is served by waitress on a free port of 127.0.0.1 and driven in
Debian's headless Chromium (tests/browser.py) the way staff use it: typing,
Tab, the arrow keys and Enter; no click, no script of the page's own (it
has none). Search, choose, preview, open, download, log in and print (to
the CUPS test printer of tests/test_printing.py, when it is set up).
axe-core checks every kind of page the app shows, on a phone and on a
desktop screen, and the search and leaflet pages must not scroll sideways
on a phone or at 200 % and 400 % zoom.

The builds are real, and few, because each takes a second or more: one app
with a private copy of four leaflets and a private out/ folder serves the
whole module, and the three leaflet pages the tests show (English and
Arabic full leaflets, the Spanish counter sheet) are built once, in the
background, as soon as it starts. The apps that print, ask for an access
code or are always busy share the leaflets, and the printing one the out/
folder too, so it builds nothing.
"""

from __future__ import annotations

import base64
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from urllib.request import urlopen

import pypdf
import pytest
import waitress
from browser import DESKTOP, PHONE, Browser, axe, describe
from conftest import LEAFLETS, printed_file

from generator import load
from generator.serve.app import create_app
from generator.wording.settings import defaults

SAMPLES = {path.name: path for path in LEAFLETS}
COPIED = ["clonazepam.yaml", "clonazepam.es.yaml", "clonazepam.ar.yaml", "baclofen.yaml"]
TITLE = {language: load(SAMPLES[name]).title for language, name in
         [("en-GB", "clonazepam.yaml"), ("es", "clonazepam.es.yaml"), ("ar", "clonazepam.ar.yaml")]}
# The leaflet pages the tests show, built once as the module starts.
SPANISH_SHEET = "/leaflet/clonazepam?language=es&edition=sheet"
BUILT = ["/leaflet/clonazepam", "/leaflet/clonazepam?language=ar", SPANISH_SHEET]
# A 1280 x 900 screen at 200 % zoom: half as many CSS pixels, each twice the size;
# and at 400 %, the 320 CSS pixels WCAG 1.4.10 (Reflow) asks to work without sideways scrolling.
ZOOM_200 = {"width": 640, "height": 450, "deviceScaleFactor": 2, "mobile": False}
ZOOM_400 = {"width": 320, "height": 225, "deviceScaleFactor": 4, "mobile": False}
ACCESS_CODE = "counter-2468"
PRINTER = "LeafletTestPDF"
# cups-pdf renders the job again (PDF to PostScript to PDF): a leaflet takes a few seconds.
PRINT_DEADLINE = 30


class Site:
    """One app, served by waitress on a free port, in a thread."""

    def __init__(self, app):
        self.app = app
        self.server = waitress.create_server(app, host="127.0.0.1", port=0, threads=8)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        threading.Thread(target=self.server.run, daemon=True).start()

    def close(self) -> None:
        self.server.close()
        self.app.extensions["leaflet"]["builder"].close()


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    """A private copy of the leaflets, with a broken one, and a private out/ folder."""
    root = tmp_path_factory.mktemp("serve-browser")
    leaflets = root / "leaflets"
    leaflets.mkdir()
    for name in COPIED:
        shutil.copy(SAMPLES[name], leaflets / name)
    (leaflets / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", "utf-8")
    return leaflets, root / "out"


@pytest.fixture(scope="module")
def site(folders):
    """The counter page as ``leaflet serve`` starts it, without a printer or an access code."""
    leaflets, out = folders
    served = Site(create_app(leaflets, out, defaults(), workers=1))
    # Built in the background while Chromium starts; a page that needs one
    # of these meanwhile waits for the same build rather than starting another.
    warming = threading.Thread(target=lambda: [urlopen(served.url + page, timeout=120).read() for page in BUILT])
    warming.start()
    served.warming = warming
    yield served
    warming.join()
    served.close()


@pytest.fixture(scope="module")
def busy_site(folders, tmp_path_factory):
    """An app whose build queue is always full: any leaflet not built yet gets the busy page."""
    leaflets, _ = folders
    served = Site(create_app(leaflets, tmp_path_factory.mktemp("busy-out"), defaults(), workers=1, queue_limit=0))
    yield served
    served.close()


@pytest.fixture(scope="module")
def locked_site(folders, tmp_path_factory):
    leaflets, _ = folders
    served = Site(create_app(leaflets, tmp_path_factory.mktemp("locked-out"), defaults(), access_code=ACCESS_CODE))
    yield served
    served.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = Browser(tmp_path_factory.mktemp("chromium"))
    yield chromium
    chromium.close()


# What the page shows, read from it; every action on it is a key.


def focused(browser: Browser) -> dict:
    return browser.evaluate(
        """(() => {
        const e = document.activeElement, style = getComputedStyle(e);
        return {tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "", value: e.value || "",
                checked: !!e.checked, text: e.textContent.trim(), href: e.href || "",
                outlined: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2};
        })()"""
    )


def tab_to(browser: Browser, wanted, what: str, limit: int = 40) -> dict:
    """Press Tab until the focused element is ``wanted``, which must show that it has the
    focus; fail after ``limit`` presses."""
    passed = []
    for _ in range(limit):
        browser.press("Tab")
        element = focused(browser)
        if wanted(element):
            assert element["outlined"], f"{what} has the focus but no focus outline to show it"
            return element
        passed.append(element["text"] or f"{element['tag']} {element['name']}={element['value']}")
    pytest.fail(f"{limit} presses of Tab never reached {what}; they went through: {passed}")


def arrow_to(browser: Browser, name: str, value: str) -> None:
    """In the radio group that has the focus, press the down arrow until ``value`` is chosen."""
    count = browser.evaluate(f"document.querySelectorAll('input[name={name}]').length")
    for _ in range(count):
        element = focused(browser)
        assert element["name"] == name, f"the focus left the {name} group for {element}"
        if element["value"] == value and element["checked"]:
            return
        browser.press("ArrowDown")
    pytest.fail(f"the arrow keys never chose {name}={value}")


def heading(browser: Browser) -> str:
    return browser.evaluate("document.querySelector('h1').textContent.trim()")


def query(browser: Browser) -> dict[str, list[str]]:
    return parse_qs(urlsplit(browser.evaluate("location.href")).query)


def posted(browser: Browser) -> None:
    """After a form was sent by POST: the app took it as its own (browsers send
    these with "Origin: null" unless the Referrer-Policy allows the origin)."""
    assert heading(browser) != "Forbidden", "the app refused its own form as cross-site"


def fresh_session(browser: Browser) -> None:
    """Forget the access code: cookies are per host, not per port, so every app here shares them."""
    browser.send("Network.clearBrowserCookies", session=True)


def sideways(browser: Browser) -> dict:
    return browser.evaluate(
        """(() => {
        const width = document.documentElement.clientWidth;
        const wide = e => e && e.getBoundingClientRect().right > width + 0.5;
        return {
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: width,
            innerWidth: window.innerWidth,
            tooWide: [...document.body.querySelectorAll("*")]
                .filter(e => wide(e) && !wide(e.parentElement))
                .map(e => e.tagName.toLowerCase()
                     + (e.className ? "." + e.className.trim().split(/\\s+/).join(".") : "")
                     + " (right edge at " + Math.round(e.getBoundingClientRect().right) + " px)"),
        };
        })()"""
    )


# Search, choose, open, download: what staff do at the counter.


def test_search_by_keyboard_finds_the_brand_name_and_opens_the_leaflet(site, browser):
    browser.open(site.url + "/", DESKTOP)
    assert tab_to(browser, lambda e: e["name"] == "q", "the search box")["type"] == "search"
    browser.type("klon")  # Klonopin, a brand name of clonazepam
    browser.press_and_load("Enter")

    assert query(browser) == {"q": ["klon"]}
    assert heading(browser) == "Leaflets for “klon”"
    links = browser.evaluate("[...document.querySelectorAll('.results h2 a')].map(a => a.pathname)")
    assert links == ["/leaflet/clonazepam"]

    tab_to(browser, lambda e: e["href"].endswith("/leaflet/clonazepam"), "the result")
    browser.press_and_load("Enter")
    assert browser.evaluate("location.pathname") == "/leaflet/clonazepam"
    assert heading(browser) == TITLE["en-GB"]


def test_choosing_spanish_and_the_counter_sheet_by_keyboard_shows_it(site, browser):
    browser.open(site.url + "/leaflet/clonazepam", DESKTOP)
    # Tab lands on the chosen radio button of a group; the arrows change the choice.
    assert tab_to(browser, lambda e: e["name"] == "language", "the language choice")["value"] == "en-GB"
    arrow_to(browser, "language", "es")
    tab_to(browser, lambda e: e["name"] == "edition", "the edition choice")
    arrow_to(browser, "edition", "sheet")
    tab_to(browser, lambda e: e["tag"] == "button" and e["text"] == "Show this leaflet", "the Show button")
    browser.press_and_load("Enter")

    chosen = {name: values[0] for name, values in query(browser).items()}
    assert chosen == {"language": "es", "brand": "default", "size": "large", "paper": "a4", "edition": "sheet"}
    assert heading(browser) == TITLE["es"]
    assert browser.evaluate("document.querySelector('h1').lang") == "es"
    summary = browser.evaluate("document.querySelector('#output-heading').textContent")
    pages = int(re.match(r"(\d+) pages?:", summary)[1])
    assert pages >= 1, summary

    images = browser.evaluate(
        "[...document.querySelectorAll('.preview img')]"
        ".map(i => ({complete: i.complete, width: i.naturalWidth, alt: i.alt}))"
    )
    assert len(images) == min(pages, 4)
    for number, image in enumerate(images, 1):
        assert image["complete"] and image["width"] > 0, f"preview page {number} did not load"
        assert image["alt"].startswith(f"Page {number} of {pages}: "), image["alt"]


def test_open_pdf_and_download_give_the_pdf(site, browser, tmp_path):
    browser.open(site.url + SPANISH_SHEET, DESKTOP)
    # The page's own fetch() is refused by its Content-Security-Policy
    # (default-src 'none'), rightly: instead the link is followed by
    # keyboard, and the response is read as it passes (Fetch domain).
    browser.send("Fetch.enable", session=True, patterns=[{"urlPattern": "*/pdf?*", "requestStage": "Response"}])
    browser.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(tmp_path), eventsEnabled=True)
    try:
        tab_to(browser, lambda e: e["text"] == "Open PDF", "Open PDF")
        opened = follow(browser)
        browser.open(site.url + SPANISH_SHEET, DESKTOP)
        tab_to(browser, lambda e: e["text"] == "Download", "Download")
        downloaded = follow(browser)
        done = browser.wait_for("Browser.downloadProgress", "to the end", lambda p: p["state"] != "inProgress")
    finally:
        browser.send("Fetch.disable", session=True)
        browser.send("Browser.setDownloadBehavior", behavior="default")

    for response in (opened, downloaded):
        assert response["status"] == 200
        assert response["headers"]["content-type"] == "application/pdf"
        assert response["body"].startswith(b"%PDF-")
        assert urlsplit(response["url"]).path == "/leaflet/clonazepam/pdf"
    assert opened["headers"]["content-disposition"].startswith("inline")
    assert downloaded["headers"]["content-disposition"].startswith("attachment; filename=")
    assert opened["body"] == downloaded["body"]

    assert done["state"] == "completed"
    name = downloaded["headers"]["content-disposition"].split("filename=")[1].strip('"')
    assert (tmp_path / name).read_bytes() == downloaded["body"], f"downloaded: {[p.name for p in tmp_path.iterdir()]}"


def follow(browser: Browser) -> dict:
    """Press Enter on the focused link, and the response it gets (the request is paused to read it)."""
    browser.events.clear()
    browser.press("Enter")
    paused = browser.wait_for("Fetch.requestPaused", "for the PDF")
    headers = {h["name"].lower(): h["value"] for h in paused["responseHeaders"]}
    body = browser.send("Fetch.getResponseBody", session=True, requestId=paused["requestId"])
    browser.send("Fetch.continueRequest", session=True, requestId=paused["requestId"])
    data = base64.b64decode(body["body"]) if body["base64Encoded"] else body["body"].encode()
    return {"url": paused["request"]["url"], "status": paused["responseStatusCode"], "headers": headers, "body": data}


def test_the_access_code_is_asked_for_once_by_keyboard(locked_site, browser):
    fresh_session(browser)
    try:
        browser.open(locked_site.url + "/?q=klon", DESKTOP)
        assert browser.evaluate("location.pathname") == "/login"
        tab_to(browser, lambda e: e["name"] == "code", "the code box")
        browser.type("not the code")
        browser.press_and_load("Enter")
        posted(browser)
        assert browser.evaluate("document.querySelector('#code').getAttribute('aria-invalid')") == "true"
        assert "not the access code" in browser.evaluate("document.querySelector('#wrong').textContent")
        results = axe(browser)
        assert not results["violations"], "the login page, after a wrong code:\n" + describe(results["violations"])

        tab_to(browser, lambda e: e["name"] == "code", "the code box")
        browser.type(ACCESS_CODE)
        browser.press_and_load("Enter")
        assert browser.evaluate("location.pathname + location.search") == "/?q=klon"
        assert heading(browser) == "Leaflets for “klon”"
    finally:
        fresh_session(browser)


# axe-core on every kind of page the app shows: {name: (app, path, its heading)}.
PAGES = {
    "search": ("site", "/", "All leaflets"),
    "search-results": ("site", "/?q=klon", "Leaflets for “klon”"),
    "search-nothing-found": ("site", "/?q=zzzz", "Leaflets for “zzzz”"),
    "leaflet-english": ("site", "/leaflet/clonazepam", TITLE["en-GB"]),
    "leaflet-arabic": ("site", "/leaflet/clonazepam?language=ar", TITLE["ar"]),
    "leaflet-spanish-sheet": ("site", SPANISH_SHEET, TITLE["es"]),
    "broken-leaflet": ("site", "/leaflet/broken", "broken: problems to fix"),
    "not-found": ("site", "/leaflet/no-such-medicine", "Not Found"),
    "bad-choice": ("site", "/leaflet/clonazepam?size=huge", "Bad Request"),
    "busy": ("busy_site", "/leaflet/clonazepam", "Busy, try again"),
    "login": ("locked_site", "/", "Access code"),
}


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_violations(page, screen, browser, request):
    app, path, title = PAGES[page]
    url = request.getfixturevalue(app).url + path
    fresh_session(browser)
    browser.open(url, screen)
    assert heading(browser) == title, f"{path} is not the page meant"
    results = axe(browser)
    assert not results["violations"], (
        f"axe {results['testEngine']['version']} found on {path} ({page}) at {screen['width']} px:\n"
        + describe(results["violations"])
    )


@pytest.mark.parametrize("screen", [ZOOM_200, ZOOM_400, PHONE], ids=["zoom-200", "zoom-400", "phone"])
@pytest.mark.parametrize("page", ["search-results", "leaflet-english", "leaflet-arabic", "leaflet-spanish-sheet"])
def test_no_horizontal_scrolling(page, screen, site, browser):
    _, path, _ = PAGES[page]
    browser.open(site.url + path, screen)
    found = sideways(browser)
    # A page wider than a phone is zoomed out to fit, so the window grows with it.
    assert found["innerWidth"] == screen["width"], f"{path} was zoomed out to {found['innerWidth']} px"
    assert found["scrollWidth"] <= found["clientWidth"], (
        f"{path} scrolls sideways at {screen['width']} CSS px: it is {found['scrollWidth']} px wide. "
        "Too wide:\n  " + "\n  ".join(found["tooWide"])
    )


# Printing, through the real CUPS queue LeafletTestPDF (tests/test_printing.py).


def test_print_button_sends_the_leaflet_to_the_printer(folders, site, browser, printed_folder):
    site.warming.join()  # the PDF is built, so this second app builds nothing
    leaflets, out = folders
    printing = Site(create_app(leaflets, out, defaults(), workers=1, printer=PRINTER))
    started = time.time()
    try:
        browser.open(printing.url + "/leaflet/clonazepam", DESKTOP)
        results = axe(browser)
        assert not results["violations"], "the leaflet page with its Print button:\n" + describe(results["violations"])
        summary = browser.evaluate("document.querySelector('#output-heading').textContent")
        pages = int(re.match(r"(\d+) pages?:", summary)[1])

        tab_to(browser, lambda e: e["tag"] == "button" and e["text"] == f"Print on {PRINTER}", "the Print button")
        browser.press_and_load("Enter")
        posted(browser)
        assert heading(browser) == "Sent to the printer"
        message = browser.evaluate("document.querySelector('[role=status]').textContent")
        assert message.startswith(f"Sent {pages} pages to the printer {PRINTER} (job {PRINTER}-"), message
        results = axe(browser)
        assert not results["violations"], "the page saying it printed:\n" + describe(results["violations"])
    finally:
        printing.close()

    job = re.search(r"\(job (\S+)\)", message)[1]
    # cups-pdf names the file after the job's title, the leaflet's, so a file
    # of an earlier run is written over: the one wanted is new since the print.
    recent = lambda path: path.stat().st_mtime >= started - 1 and "clonazepam" in path.name.lower()  # noqa: E731
    printed = printed_file(printed_folder, job, recent, PRINT_DEADLINE)
    try:
        paper = pypdf.PdfReader(printed).pages
        text = " ".join(page.extract_text() for page in paper)
    finally:
        printed.unlink()  # the folder is the user's own, ~/PDF by default
    assert len(paper) == pages
    assert loose(TITLE["en-GB"]) in loose(text)


def loose(text: str) -> str:
    return " ".join(text.lower().split())
