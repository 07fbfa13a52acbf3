"""Leaflet -> HTML, through Jinja templates.

The environment is built once per process: compiling templates costs far
more than rendering them.
"""

from __future__ import annotations

import base64
import mimetypes
import re
import unicodedata
from functools import cache
from html import unescape
from pathlib import Path

import jinja2
import jinja2.sandbox
from markupsafe import Markup, escape

from generator.brand.load import Brand
from generator.content.catalogue import catalogue
from generator.content.model import Leaflet, paragraphs, sentence_ends
from generator.content.print_order import print_order
from generator.content.sheet import sheet_content
from generator.problems import LeafletError, Problem
from generator.render.geometry import PAPERS, SIDE_MARGIN_MM, SIZES, Options, keep_whole, stack_comparison
from generator.resources import LEAFLET_TEMPLATE, SHEET_TEMPLATE, STYLES, TEMPLATES, is_inside

STYLESHEET = STYLES / "leaflet.css"
# Added to the HTML edition only: how the leaflet reads on a screen.
SCREEN_STYLESHEET = STYLES / "screen.css"
BRAND_CSS_TEMPLATE = "brand.css.j2"
# A warning box carries, in this attribute, the title it repeats on the next
# page when it goes on over one (templates/partials/blocks.html.j2); the
# repeated title gets the class below. A box breaks only between these.
CONTINUED = "data-continued"
CONTINUED_TITLE = "continued-title"
# A repeated title that splits a paragraph in two starts a page itself
# (styles/leaflet.css), so the paragraph's second part follows it there.
SPLITS_PARAGRAPH = "splits-paragraph"
ENDS_PAGE = "ends-page"  # the first part, without the space below it that would not fit
UNITS = ("p", "li")
# The class of the root element, and the name of the pages, whose footer
# gives the review date without the brand's name (partials/page.html.j2).
DATE_ONLY_FOOTER = "date-only-footer"
_UNIT = re.compile(r"<(p|li)[\s>]")
_LIST_OPEN = re.compile(r"<(ul|ol)\b[^>]*>")


def css_string(text: str) -> Markup:
    """Quote text as a CSS string for a ``<style>`` element.

    HTML escaping does not apply inside ``<style>``, so every character that
    could end the string or the element is escaped the CSS way.
    """
    out = []
    for char in str(text):
        if char in '"\\<>&' or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return Markup('"' + "".join(out) + '"')


def css_content(template: str, **counters: str) -> Markup:
    """``"Page {page} of {pages}"`` -> ``"Page " counter(page) " of " counter(pages)``."""
    parts = re.split(r"\{(\w+)\}", template)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(counters[part])
        elif part:
            out.append(css_string(part))
    return Markup(" ".join(out))


@cache
def data_uri(name: str, folder: Path = STYLES) -> str:
    """A file from ``styles/`` (or a brand's folder) as a data: URI, so the HTML carries it."""
    file = folder / name
    if not is_inside(file, folder) or not file.is_file():
        raise LeafletError([Problem(file, None, (), f"{name} is not a file in {folder}")])
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if file.suffix == ".woff2":
        kind = "font/woff2"
    return f"data:{kind};base64,{base64.b64encode(file.read_bytes()).decode('ascii')}"


def _inline_urls(css: str, folder: Path) -> str:
    def inline(match: re.Match) -> str:
        target = match[2]
        return match[0] if target.startswith("data:") else f'url("{data_uri(target, folder)}")'

    return re.sub(r"url\((['\"]?)([^'\")]+)\1\)", inline, css)


@cache
def standalone_css(brand: Brand) -> str:
    """Every stylesheet a leaflet uses, with fonts and images inlined, for the HTML edition."""
    parts = [_inline_urls(STYLESHEET.read_text("utf-8"), STYLES), _inline_urls(SCREEN_STYLESHEET.read_text("utf-8"), STYLES)]
    parts.append(brand_stylesheet(brand))
    parts += [_inline_urls(css.read_text("utf-8"), css.parent) for css in brand.stylesheets]
    return "\n".join(parts)


@cache
def brand_stylesheet(brand: Brand) -> str:
    """The brand's colours and font as CSS, added after the base styles."""
    return environment(brand.template_dirs).get_template(BRAND_CSS_TEMPLATE).render(brand=brand)


@cache
def qr_code(url: str) -> str:
    """A QR code for ``url`` as an SVG data: URI. Black on white, so any printer keeps it scannable."""
    import segno

    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=4, dark="#000", light="#fff")


def text_direction(text: str) -> str:
    """``rtl`` or ``ltr``, from the first letter with a strong direction
    (Unicode's "first strong" rule), so an English source title in an
    Arabic leaflet keeps its punctuation at its own end."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return ""


# Unicode's isolates: WeasyPrint sets a dir attribute on an inline element
# apart from the text around it only through them (it has no unicode-bidi).
_ISOLATE = {"ltr": "\u2066", "rtl": "\u2067"}
_END_ISOLATE = "\u2069"


def apart(html: str, direction: str, page_direction: str) -> Markup:
    """``html`` (already escaped) set apart in ``direction`` when that is not
    the page's, so a phone number keeps its groups in order in Arabic."""
    if not direction or direction == page_direction:
        return Markup(html)
    return Markup('<span dir="{}">{}{}{}</span>').format(direction, _ISOLATE[direction], Markup(html), _END_ISOLATE)


def own_direction(text: str, page_direction: str) -> Markup:
    """``text`` in its own direction (see ``text_direction``): a brand's English address on an Arabic leaflet."""
    return apart(escape(text), text_direction(text), page_direction)


def left_to_right(text: str, page_direction: str) -> Markup:
    """``text`` left to right whatever it holds: a phone number, a web address."""
    return apart(escape(text), "ltr", page_direction)


@cache
def environment(template_dirs: tuple[Path, ...] = ()) -> jinja2.Environment:
    """One environment per template search path, built once per process.

    Sandboxed, because brand templates come from clinics and pharmacies: a
    template may lay out the leaflet, never reach into Python.
    """
    env = jinja2.sandbox.SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([str(d) for d in (*template_dirs, TEMPLATES)]),
                jinja2.PrefixLoader({"!base": jinja2.FileSystemLoader(str(TEMPLATES))}, delimiter="/"),
            ]
        ),
        autoescape=True,
        # A typo in a template must be an error, never a blank on a leaflet.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        paragraphs=paragraphs, css_string=css_string, text_direction=text_direction, apart=apart,
        own_direction=own_direction, left_to_right=left_to_right,
    )
    env.globals.update(css_content=css_content, asset=data_uri, qr_code=qr_code)
    return env


def date_only_footer(html: str) -> str:
    """``html`` with every page's footer giving the review date without the brand's name."""
    return html.replace("<html ", f'<html class="{DATE_ONLY_FOOTER}" ', 1)


def add_continued_titles(html: str, breaks: frozenset[tuple[str, int]]) -> str:
    """``html`` with a box's title and "(continued)" before each place it goes
    on over a page: ``(box id, index of the paragraph or list item)``, from
    ``render.pdf.box_breaks``.

    A list that breaks is closed before the title and opened again after it,
    so the title is not a list item. Where a title is already there (one
    that splits a paragraph), none is added.
    """
    inserts = []
    for ident, index in breaks:
        opening, title = _box(html, ident)
        unit = _units(html, opening)[index]
        at = unit.start()
        paragraph = f'<p class="{CONTINUED_TITLE}">{title}</p>'
        if html[:at].rstrip().endswith(f">{title}</p>"):
            continue
        if unit[1] == "li":
            tag = list(_LIST_OPEN.finditer(html, opening, at))[-1]
            if not html[tag.end() : at].strip():  # the list's first item: the title goes before the list
                at = tag.start()
            else:
                paragraph = f"</{tag[1]}>{paragraph}{tag[0]}"
        inserts.append((at, paragraph))
    for at, paragraph in sorted(inserts, reverse=True):
        html = html[:at] + paragraph + html[at:]
    return html


def split_paragraphs(html: str, splits: frozenset[tuple[str, int, int]]) -> str:
    """``html`` with each paragraph that a box splits over a page cut in two,
    and the box's title and "(continued)" starting the page between them:
    ``(box id, index of the paragraph, characters (not spaces) shown on the
    first page)``, from ``render.pdf.box_breaks``.

    The cut comes at the last sentence end that the first page shows, so
    that no sentence is split; failing that, at the last word it shows.
    """
    for ident, index, shown in sorted(splits, key=lambda split: html.index(f'id="{split[0]}"'), reverse=True):
        opening, title = _box(html, ident)
        unit = _units(html, opening)[index]
        start = html.index(">", unit.start()) + 1
        end = html.index("</p>", start)
        text = unescape(html[start:end])
        cut = _cut(text, shown)
        if not 0 < cut < len(text):
            continue
        head, tail = escape(text[:cut].rstrip()), escape(text[cut:].lstrip())
        tag = html[unit.start() : start]  # the second part keeps it, with its classes
        first = tag.replace('class="', f'class="{ENDS_PAGE} ') if 'class="' in tag else tag.replace("<p", f'<p class="{ENDS_PAGE}"', 1)
        title_paragraph = f'<p class="{CONTINUED_TITLE} {SPLITS_PARAGRAPH}">{title}</p>'
        html = f"{html[: unit.start()]}{first}{head}</p>{title_paragraph}{tag}{tail}{html[end:]}"
    return html


def _cut(text: str, shown: int) -> int:
    """Where to cut ``text`` so the first part holds at most ``shown``
    characters that are not spaces: after a sentence if one ends there,
    else after a word."""
    seen, limit = 0, len(text)
    for at, char in enumerate(text):
        if not char.isspace():
            seen += 1
            if seen > shown:
                limit = at
                break
    ends = [end for end in sentence_ends(text) if end <= limit]
    if ends:
        return ends[-1]
    spaces = [at for at, char in enumerate(text[: limit + 1]) if char.isspace()]
    return spaces[-1] if spaces else 0


def _box(html: str, ident: str) -> tuple[int, str]:
    """Where the box ``ident`` opens in ``html``, and the title it repeats."""
    start = html.index(f'id="{ident}"')
    opening = html.rindex("<", 0, start)
    return opening, re.search(rf'{CONTINUED}="([^"]*)"', html[opening : html.index(">", start)])[1]


def _units(html: str, opening: int) -> list[re.Match]:
    """The paragraphs and list items from ``opening`` on, without repeated titles."""
    return [unit for unit in _UNIT.finditer(html, opening) if CONTINUED_TITLE not in html[unit.start() : html.index(">", unit.start())]]


def render_html(leaflet: Leaflet, options: Options = Options(), *, standalone: bool = False) -> str:
    """The leaflet as HTML.

    For PDF, the base stylesheet is given to the PDF engine separately (parsed
    once per process); ``standalone`` inlines it, for the HTML edition.
    """
    messages = catalogue(leaflet.language)
    medicine = leaflet.medicine.name
    brand = options.chosen_brand.in_language(leaflet.language)

    def t(key: str, **values: str) -> str:
        return messages(key, medicine=medicine, **values)

    name = SHEET_TEMPLATE if options.edition == "sheet" else LEAFLET_TEMPLATE
    try:
        return environment(brand.template_dirs).get_template(name).render(
            leaflet=leaflet,
            brand=brand,
            t=t,
            month_year=messages.month_year,
            direction=messages.direction,
            paper=PAPERS[options.paper],
            size=SIZES[options.size],
            size_name=options.size,
            side_margin_mm=SIDE_MARGIN_MM,
            date_only_footer=DATE_ONLY_FOOTER,
            stacked=stack_comparison(leaflet, options),
            keep=lambda block: keep_whole(block, options),
            print_order=print_order(),
            inline_css=Markup(standalone_css(brand)) if standalone else None,
            sheet=sheet_content(leaflet, t) if options.edition == "sheet" else None,
        )
    except jinja2.TemplateSyntaxError as exc:
        where = Path(exc.filename or exc.name or name)
        raise LeafletError([Problem(where, exc.lineno, (), f"template error: {exc.message}")]) from None
    # A brand template can also fail as Python does: the sandbox's range()
    # limit is an OverflowError, {{ 1/0 }} a ZeroDivisionError, a macro that
    # calls itself a RecursionError. Each is the template's error, not a crash.
    except (jinja2.TemplateError, LookupError, ArithmeticError, TypeError, ValueError, RecursionError) as exc:
        raise LeafletError([Problem(Path(name), None, (), f"template error: {exc}")]) from None
