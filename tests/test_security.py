"""Untrusted leaflets and brands: what they hold prints as text, and nothing reaches out.

Leaflet and brand files come from many hands (docs/security.md). These tests
put markup, template code, CSS and the address of a live HTTP server on
127.0.0.1 into every field a leaflet and a brand have, and into a brand's
CSS, templates and logo. Everything must print as literal text, the renderer
must refuse every URL but the tool's own files and data: URIs, and the
server must hear nothing.
"""

from __future__ import annotations

import re
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pikepdf
import pytest
import tinycss2
import yaml
from conftest import LEAFLET_CMD, ROOT, brand_with_template, run_leaflet
from hypothesis import given
from hypothesis import strategies as st
from leaflet_factory import full_leaflet
from markupsafe import escape

from generator import build, load, load_settings
from generator.brand.css_lint import check_stylesheet
from generator.brand.load import load_brand
from generator.problems import LeafletError
from generator.render.geometry import Options
from generator.render.html import STYLESHEET, brand_stylesheet, css_string, render_html
from generator.render.pdf import render_pdf
from generator.render.tagging import walk
from generator.resources import STYLES, TEMPLATES
from generator.verify.printed import without_continued_titles
from generator.verify.text import read_text, squeeze

LOGO = (ROOT / "brands" / "riverside-pharmacy" / "logo.svg").read_text("utf-8")


class Listener(ThreadingHTTPServer):
    """An HTTP server on 127.0.0.1 that remembers every connection made to it."""

    def __init__(self):
        self.hits: list[str] = []
        super().__init__(("127.0.0.1", 0), _Answer)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"

    def process_request(self, request, client_address):
        self.hits.append(f"connection from {client_address}")
        super().process_request(request, client_address)


class _Answer(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    listener = Listener()
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    # Prove the server hears a request, so "no requests" below means something.
    urllib.request.urlopen(listener.url + "/self-test", timeout=5).close()
    assert len(listener.hits) == 1
    listener.hits.clear()
    yield listener
    listener.shutdown()
    listener.server_close()


def short_payload(number: int, url: str) -> str:
    """Markup and template code in few words, for the medicine line on page 1
    and the comparison's cells, which must still lay out well: the layout
    guard refuses a boxed warning pushed off page 1 or a table row alone."""
    return f'<img src="{url}/img{number}.png"> {{{{ 7*{number} }}}} &amp;'


def payload(number: int, url: str) -> str:
    """Markup, template code and CSS with the server's address: all must print as text."""
    return (
        f'<script>alert({number})</script> <img src="{url}/img{number}.png"> '
        f'<link rel="stylesheet" href="{url}/css{number}.css"> <style>@import url({url}/import{number}.css);</style> '
        f"url({url}/url{number}.png) {{{{ 7*{number} }}}} {{% include 'x' %}} &amp; #{number}"
    )


def css_breakout(url: str) -> str:
    """For text printed through a CSS string in the page margins (page.html.j2).

    Short, because the brand name must fit the running footer."""
    return f'"}}@page{{background:url({url}/p)}}</style>{{{{7*7}}}}\\'


# The same break-out, short enough for the running header's one line.
SHORT_BREAKOUT = '"}</style>{{7*7}}\\'


class Hostile:
    """A leaflet and a brand with a payload in every field, and what was planted where."""

    def __init__(self, folder: Path, url: str):
        self.planted: dict[tuple, str] = {}
        self.on_sheet: dict[tuple, str] = {}  # printed on the counter sheet only

        def text(path: tuple, limit: int) -> str:
            if path == ("short_title",):
                value = SHORT_BREAKOUT
            elif path == ("title",):
                value = css_breakout(url)
            elif path[0] in ("medicine", "comparison", "sheet"):
                value = short_payload(len(self.planted) + len(self.on_sheet), url)
            else:
                value = payload(len(self.planted), url)
            (self.on_sheet if path[0] == "sheet" else self.planted)[("leaflet", *path)] = value
            return value

        def count(path: tuple, low: int, high: int) -> int:
            # Four medicines make the comparison print as stacked tables, whose
            # rows are short enough for a page with these long cells.
            return 4 if path == ("comparison", "medicines") else max(low, min(high, 2))

        data = full_leaflet(text, count, url=f"{url}/source")
        for index, row in enumerate(data["comparison"]["rows"]):
            for column, cell in enumerate(row["cells"]):
                self.planted[("leaflet", "comparison", "rows", index, "cells", column)] = cell
        self.planted.pop(("leaflet", "comparison", "medicines", 0, "name"))  # replaced by the medicine's name
        self.planted.pop(("leaflet", "review", "reviewed_by"))  # printed only once approved
        self.leaflet_file = folder / "hostile.yaml"
        self.leaflet_file.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        # Markup and web addresses read at no school grade. A build checks the
        # wording first, so its settings here (found from this folder) let
        # the leaflet through to the renderer, which is what is under test.
        self.settings_folder = folder
        (folder / "leaflet.toml").write_text(
            "[readability]\ngrade_warning = 1000\ngrade_error = 1000\nsection_grade_warning = 1000\n"
            "sentence_warning = 100000\nsentence_error = 100000\n", "utf-8",
        )

        brand = {
            "name": SHORT_BREAKOUT + " brand",
            # The footer shares one line with the review date and page number.
            "short_name": SHORT_BREAKOUT,
            "logo": {"file": "logo.svg", "alt": payload(900, url)},
            "colours": {"primary": "#0b6e4f", "accent": "#000000"},
            "contact": {
                "phone": short_payload(901, url),  # on page 1 too
                "opening_hours": payload(902, url),
                "address": payload(903, url),
                "email": "<script>@x.example",
                "website": f"{url}/site/<script>{{{{7*7}}}}",
            },
            "footer": payload(904, url),
        }
        self.brand_folder = folder / "brand"
        self.brand_folder.mkdir()
        (self.brand_folder / "logo.svg").write_text(LOGO, "utf-8")
        (self.brand_folder / "brand.yaml").write_text(yaml.safe_dump(brand, allow_unicode=True), "utf-8")
        for key in ("name", "short_name", "footer"):
            self.planted[("brand", key)] = brand[key]
        for key, value in brand["contact"].items():
            self.planted[("brand", "contact", key)] = value


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, server):
    """The hostile leaflet built with the hostile brand: (Hostile, leaflet, brand, html, pdf bytes)."""
    planted = Hostile(tmp_path_factory.mktemp("hostile"), server.url)
    leaflet = load(planted.leaflet_file)
    brand = load_brand(planted.brand_folder)
    options = Options(brand=brand)
    settings = load_settings(planted.settings_folder)
    result = build(planted.leaflet_file, tmp_path_factory.mktemp("out"), options, settings=settings)
    assert result.ok, [str(p) for p in result.problems]
    return planted, leaflet, brand, render_html(leaflet, options), result.output.read_bytes()


# --- 1. Everything from YAML is text ------------------------------------------


def test_every_field_prints_as_literal_text(hostile):
    planted, leaflet, _, _, pdf = hostile
    # Without the running header and footer, the titles boxes repeat over a
    # page, and the list bullets and step numbers a page draws first, which
    # would split text continued on the next page. Each bullet or number is
    # a run of text of its own.
    label = re.compile(r"\u2022|\d+\.")
    runs = [box.text for box in read_text(pdf).boxes if box.mcid >= 0 and not label.fullmatch(box.text.strip())]
    printed = without_continued_titles(squeeze(" ".join(runs)), leaflet)
    missing = [path for path, value in planted.planted.items() if squeeze(value) not in printed]
    assert missing == [], f"not printed as written: {missing}"


def test_the_counter_sheet_prints_its_fields_as_literal_text(hostile, server):
    """Rendered, not built: the hostile boxed warning is far too long for the
    sheet's page budget, which is not what is under test here."""
    planted, leaflet, brand, _, _ = hostile
    options = Options(brand=brand, edition="sheet")
    html = render_html(leaflet, options)
    pdf = render_pdf(html, planted.leaflet_file, brand)
    printed = squeeze(" ".join(box.text for box in read_text(pdf).boxes if box.mcid >= 0))
    assert planted.on_sheet and [path for path, value in planted.on_sheet.items() if squeeze(value) not in printed] == []
    assert all(str(escape(value)) in html for value in planted.on_sheet.values())
    assert server.hits == []


def test_no_field_becomes_markup(hostile):
    planted, _, _, html, _ = hostile
    for markup in ("<script", '<img src="http', '<link rel="stylesheet" href="http', "<style>@import"):
        assert markup not in html, markup
    for path, value in planted.planted.items():
        if path[:2] not in (("leaflet", "title"), ("brand", "name")):  # these are in CSS strings too
            assert str(escape(value)) in html, path


def test_titles_and_brand_names_stay_inside_their_css_strings(hostile):
    """The short title and brand short name are printed in the page margins through CSS
    strings (page.html.j2), where HTML escaping does not apply."""
    planted, leaflet, brand, _, pdf = hostile
    running = squeeze(" ".join(box.text for box in read_text(pdf).boxes if box.page == 0 and box.mcid < 0))
    assert squeeze(leaflet.short_title) in running
    assert squeeze(brand.footer_name) in running


@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_css_string_quotes_any_text(text):
    """Whatever the text, it stays one CSS string and never closes the <style> element."""
    quoted = str(css_string(text))
    assert "</" not in quoted and "<" not in quoted
    tokens = [t for t in tinycss2.parse_component_value_list(quoted) if t.type != "whitespace"]
    assert [t.type for t in tokens] == ["string"]
    assert tokens[0].value == text.replace("\0", "\ufffd")


def test_logo_alt_text_is_text(hostile):
    planted, _, brand, _, pdf = hostile
    with pikepdf.open(__import__("io").BytesIO(pdf)) as doc:
        alts = [str(e.get("/Alt", "")) for e in walk(doc.Root.StructTreeRoot) if e.get("/S") == "/Figure"]
    assert brand.logo_alt in alts


@pytest.mark.parametrize(
    "expression",
    [
        "{{ leaflet.__class__.__init__.__globals__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ t.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ range(10**9)|list|length }}",
        "{{ 1/0 }}",
        "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}",
        "{% include '/etc/hostname' %}",
        "{% include '../pyproject.toml' %}",
    ],
)
def test_brand_templates_cannot_reach_python_or_files(expression, tmp_path):
    brand = brand_with_template(
        tmp_path, f'{{% extends "!base/leaflet.html.j2" %}}{{% block key_facts %}}{expression}{{% endblock %}}'
    )
    with pytest.raises(LeafletError) as error:
        render_html(load(ROOT / "leaflets" / "clonazepam.yaml"), Options(brand=brand))
    assert "template error" in str(error.value)


# --- 2. The renderer loads only the tool's own files --------------------------


@pytest.fixture(scope="module")
def renderer():
    from generator.render.pdf import Renderer

    return Renderer(STYLESHEET)


def page_with(markup: str) -> str:
    return f'<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><p>x</p>{markup}</body></html>'


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.png",
        "//example.org/x.png",
        "ftp://example.org/x.png",
        "file:///etc/hostname",
        "file://127.0.0.1" + str(STYLES / "icons" / "warning.svg"),
        "file://" + str(STYLES / ".." / "pyproject.toml"),
        "../pyproject.toml",
        "/etc/hostname",
    ],
)
def test_fetcher_refuses_everything_but_own_files(renderer, url):
    with pytest.raises(LeafletError) as error:
        renderer.render(page_with(f'<img src="{url}" alt="x">'), name="test")
    assert "refused to load" in str(error.value), error.value


@pytest.mark.parametrize(
    "url",
    [
        "icons/warning.svg",
        (STYLES / "icons" / "warning.svg").as_uri(),
        (TEMPLATES / "messages" / "en.yaml").as_uri(),
        "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/>",
    ],
)
def test_fetcher_loads_own_files_and_data_uris(renderer, url):
    response = renderer.fetcher.fetch(url if ":" in url else (STYLES / url).as_uri())
    assert response.read()
    response.close()


def test_fetcher_loads_a_brand_folder_only_once_allowed(tmp_path):
    from generator.render.pdf import Renderer

    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO, "utf-8")
    renderer = Renderer(STYLESHEET)
    with pytest.raises(LeafletError, match="refused to load"):
        renderer.render(page_with(f'<img src="{logo.as_uri()}" alt="x">'))
    renderer.allow(tmp_path)
    assert renderer.render(page_with(f'<img src="{logo.as_uri()}" alt="x">')).startswith(b"%PDF")


def escaping_brand(folder: Path, css: str) -> Path:
    """A brand whose CSS reaches for a file beside the brand folder, through '..' and through a link."""
    secret = folder / "secret.png"
    secret.write_bytes((STYLES.parent / "docs" / "clonazepam-page1.png").read_bytes())
    brand = folder / "brand"
    (brand / "styles").mkdir(parents=True)
    (brand / "logo.svg").write_text(LOGO, "utf-8")
    (brand / "link.png").symlink_to(secret)
    (brand / "styles" / "site.css").write_text(css, "utf-8")
    return brand


@pytest.mark.parametrize(
    "css",
    [
        "body { background: url(../../secret.png); }",
        "body { background: url(../link.png); }",
        "body { background: url(/etc/hostname); }",
    ],
    ids=["dot-dot", "symlink", "absolute"],
)
def test_brand_css_cannot_reach_outside_its_folder(css, tmp_path):
    """Refused twice: when the brand is loaded, and again by the renderer."""
    from generator.render.pdf import Renderer

    brand = escaping_brand(tmp_path, css)
    problems = check_stylesheet(brand / "styles" / "site.css", brand)
    assert len(problems) == 1 and "only files inside the brand folder" in problems[0].message
    renderer = Renderer(STYLESHEET, (STYLES, TEMPLATES, brand))
    with pytest.raises(LeafletError) as error:
        renderer.render(page_with(""), extra_css=(brand / "styles" / "site.css",))
    assert "refused to load" in str(error.value)


# --- 3. The tool never touches the network -----------------------------------


def test_leaflet_and_brand_fields_reach_nothing(hostile, server):
    assert server.hits == []


def attacks(url: str) -> dict[str, tuple[str, str]]:
    """name: (brand CSS, brand template markup). Each names the server's address."""
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' width='10' height='10'><image href='{url}/svg.png' width='10' height='10'/></svg>"
    return {
        "css-url": (f"h1 {{ background: url({url}/bg.png); }}", ""),
        "css-import": (f"@import url({url}/import.css);", ""),
        "css-font-face": (f"@font-face {{ font-family: x; src: url({url}/font.woff2); }} p {{ font-family: x; }}", ""),
        "css-list-image": (f"li {{ list-style-image: url({url}/bullet.png); }}", ""),
        "img": ("", f'<img src="{url}/img.png" alt="x">'),
        "link-stylesheet": ("", f'<link rel="stylesheet" href="{url}/style.css">'),
        "style-import": ("", f"<style>@import url({url}/style-import.css);</style>"),
        "object": ("", f'<object data="{url}/object.svg" type="image/svg+xml">x</object>'),
        "embed": ("", f'<embed src="{url}/embed.svg" type="image/svg+xml">'),
        "inline-svg-image": ("", svg),
        "svg-in-data-uri": ("", f"<img alt='x' src=\"data:image/svg+xml,{svg.replace('#', '%23')}\">"),
        "attachment": ("", f'<link rel="attachment" href="{url}/attachment.txt">'),
    }


@pytest.mark.parametrize("attack", sorted(attacks("http://x")))
def test_brand_css_and_templates_reach_nothing(attack, server, tmp_path):
    """The brand's CSS (past the load-time check) and templates, at render time."""
    from generator.render.pdf import Renderer

    css, markup = attacks(server.url)[attack]
    brand = brand_with_template(
        tmp_path, f'{{% extends "!base/leaflet.html.j2" %}}{{% block key_facts %}}{{{{ super() }}}}{markup}{{% endblock %}}'
    )
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "attack.css").write_text(css, "utf-8")
    leaflet = load(ROOT / "leaflets" / "baclofen.yaml")
    renderer = Renderer(STYLESHEET, (STYLES, TEMPLATES, *brand.folders))
    with pytest.raises(LeafletError) as error:
        renderer.render(
            render_html(leaflet, Options(brand=brand)), name="attack",
            extra_css=(brand_stylesheet(brand), tmp_path / "styles" / "attack.css"),
        )
    assert f"refused to load {server.url}" in str(error.value)
    assert server.hits == []


def test_a_logo_that_links_to_the_network_is_refused(server, tmp_path):
    brand = tmp_path / "brand"
    brand.mkdir()
    (brand / "logo.svg").write_text(
        f"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'><image href='{server.url}/logo.png' width='10' height='10'/></svg>",
        "utf-8",
    )
    (brand / "brand.yaml").write_text("extends: default\nlogo:\n  file: logo.svg\n  alt: Logo\n", "utf-8")
    out = tmp_path / "out"
    result = run_leaflet("build", "--brand", brand, "--out", out, ROOT / "leaflets" / "baclofen.yaml")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"refused to load {server.url}/logo.png" in result.stderr
    assert not out.exists() or list(out.iterdir()) == []
    assert server.hits == []


def test_the_leaflet_command_reaches_nothing(hostile, server, tmp_path):
    """End to end, as a user runs it: the hostile leaflet and brand build, and a
    brand whose CSS names the server is refused before anything is rendered."""
    planted = hostile[0]
    result = run_leaflet(
        "build", "--brand", planted.brand_folder, "--out", tmp_path / "out", planted.leaflet_file, cwd=planted.settings_folder
    )
    assert result.returncode == 0, result.stderr
    (planted.brand_folder / "styles").mkdir(exist_ok=True)
    (planted.brand_folder / "styles" / "site.css").write_text(f"body {{ background: url({server.url}/bg.png); }}", "utf-8")
    try:
        result = run_leaflet(
            "build", "--brand", planted.brand_folder, "--out", tmp_path / "out2", planted.leaflet_file,
            cwd=planted.settings_folder,
        )
    finally:
        (planted.brand_folder / "styles" / "site.css").unlink()
    assert result.returncode == 1 and "web address" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out2").exists()
    assert server.hits == []
    assert LEAFLET_CMD.exists()
