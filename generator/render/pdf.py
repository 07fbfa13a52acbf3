"""HTML -> PDF. The only module that talks to WeasyPrint.

WeasyPrint is imported when a ``Renderer`` is made, not when this module is
imported: the import alone costs about 0.4 s, which ``leaflet check`` and
``--help`` must never pay.
"""

from __future__ import annotations

import logging
import mimetypes
import re
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from generator.brand.load import Brand
from generator.problems import LeafletError, Problem
from generator.render.html import (
    CONTINUED,
    CONTINUED_TITLE,
    STYLESHEET,
    UNITS,
    add_continued_titles,
    brand_stylesheet,
    date_only_footer,
    split_paragraphs,
)
from generator.resources import STYLES, TEMPLATES, is_inside

# Tagged PDF/UA-1: structure tree, language, title shown in the window bar.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
# Layouts at most for one leaflet: each adds the titles of the boxes that go
# on over a page. Two are enough unless a title moves a later break.
MAX_LAYOUTS = 5


class Renderer:
    """Renders leaflets to tagged PDF/UA-1.

    Keep one per process: it holds the font configuration and the parsed base
    stylesheet, which are costly to build and leak memory if rebuilt for
    every leaflet.
    """

    def __init__(self, stylesheet: Path, allowed_roots: tuple[Path, ...] = (STYLES, TEMPLATES)):
        import weasyprint
        import weasyprint.layout
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import (
            FatalURLFetchingError,
            URLFetcher,
            URLFetcherResponse,
        )

        roots = self.roots = {root.resolve() for root in allowed_roots}

        class LocalFetcher(URLFetcher):
            """Only data: URIs and files inside the allowed folders.

            Leaflets, brand templates and brand CSS come from many hands, and
            WeasyPrint will fetch any URL they name. Anything else stops the
            render: a leaflet must never reach the network or read other
            files, and a missing image must be an error, not a blank.
            """

            # Why each URL was refused: WeasyPrint swallows some refusals (an
            # image inside an SVG) and logs only "Failed to render SVG image".
            refused: list[str] = []

            def fetch(self, url, headers=None):
                parts = urlsplit(url)
                scheme = parts.scheme.lower()
                if scheme == "data":
                    return super().fetch(url, headers)
                shown = url if len(url) <= 120 else url[:117] + "..."
                if scheme != "file":
                    self.refuse(f"refused to load {shown}: the leaflet generator never uses the network; use a file in the brand folder")
                # A host in a file: URL means another machine: urllib would try it.
                path = Path(url2pathname(parts.path)).resolve() if parts.netloc in ("", "localhost") else None
                if path is None or not any(is_inside(path, root) for root in roots):
                    self.refuse(f"refused to load {shown}: only files in the tool's templates and styles and in the brand's folder may be used")
                if not path.is_file():
                    self.refuse(f"file not found: {path}")
                # Read the very file that was checked, rather than hand the URL
                # to urllib to resolve again.
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

            def refuse(self, message: str):
                self.refused.append(message)
                raise FatalURLFetchingError(message)

        if not getattr(weasyprint.layout.make_all_pages, "watches", False):
            # layout_document looks the page maker up in its module on each layout.
            weasyprint.layout.make_all_pages = _watch_pages(weasyprint.layout.make_all_pages)
        self._weasyprint = weasyprint
        self._fatal = FatalURLFetchingError
        self.fetcher = LocalFetcher(allowed_protocols=("file", "data"), fail_on_errors=True)
        self.font_config = FontConfiguration()
        self.base = stylesheet
        self._sheets: dict[Path | str, object] = {}

    def allow(self, folder: Path) -> None:
        """Let files inside ``folder`` (a brand in use) be loaded."""
        self.roots.add(folder.resolve())

    def _sheet(self, css: Path | str):
        """A stylesheet parsed once per process: parsing is costly, and each
        parse of an @font-face adds to the font configuration for good."""
        if css not in self._sheets:
            weasyprint = self._weasyprint
            if isinstance(css, Path):
                sheet = weasyprint.CSS(filename=str(css), font_config=self.font_config, url_fetcher=self.fetcher)
            else:
                sheet = weasyprint.CSS(string=css, base_url=str(STYLES) + "/", font_config=self.font_config, url_fetcher=self.fetcher)
            self._sheets[css] = sheet
        return self._sheets[css]

    def render(self, html: str, *, name: str | Path = "leaflet", extra_css: tuple[Path | str, ...] = ()) -> bytes:
        """Lay out ``html`` and return the PDF bytes.

        ``extra_css`` (files or CSS text) comes after the base stylesheet,
        in order. ``name`` is used in error messages. Errors while loading
        files raise ``LeafletError``.
        """
        messages = _CollectWarnings()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(messages)
        self.fetcher.refused.clear()
        try:
            stylesheets = [self._sheet(css) for css in (self.base, *extra_css)]
            # A warning box that goes on over the page repeats its title
            # there. Where it breaks is known only from the layout, and the
            # title moves what follows, so lay out again until every part
            # that continues a box starts with its title. A paragraph that
            # goes on over the page is cut in two for good, with the title
            # between, so the paragraphs after it in its box count one more.
            placed: frozenset[tuple[str, int]] = frozenset()
            date_only = False
            layouts = 0
            while True:
                layouts += 1
                last = layouts >= MAX_LAYOUTS
                document, wanted, splits = self._layout(add_continued_titles(html, placed), stylesheets, placed, last=last)
                # The footer is the same on every layout, so it is checked once, on the first one laid out whole.
                if document is not None and not date_only and footer_wraps(document):
                    html, date_only = date_only_footer(html), True
                    layouts -= 1
                    continue
                if last:
                    break
                if splits:
                    html = split_paragraphs(html, splits)
                    wanted = frozenset(
                        (ident, index + sum(at < index for box, at, _ in splits if box == ident)) for ident, index in wanted
                    )
                elif wanted == placed:
                    break
                placed = wanted
            pdf = document.write_pdf(**PDF_OPTIONS)
        except self._fatal as exc:
            messages.errors.append(str(exc))
        finally:
            logger.removeHandler(messages)
        # A refusal explains the errors it caused, so it alone is reported.
        errors = dict.fromkeys(self.fetcher.refused or messages.errors)
        if errors:
            raise LeafletError([Problem(Path(str(name)), None, (), m) for m in errors])
        return pdf

    def _layout(self, html: str, stylesheets: list, placed: frozenset = frozenset(), *, last: bool = True):
        """Lay out ``html``: the document, and where its warning boxes break (``box_breaks``).

        Unless it is the ``last`` layout allowed, the layout stops, and the
        document is None, as soon as the pages so far show that another
        will be needed: every box has ended and they break other than at
        ``placed``. The pages after the boxes (the tables, which cost most
        to lay out) are then laid out only once, in the layout that is kept.
        """
        probe = None if last else _Probe(placed)
        token = _PROBE.set(probe)
        try:
            document = self._weasyprint.HTML(string=html, base_url=str(STYLES) + "/", url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=stylesheets, **PDF_OPTIONS
            )
        except _NotLast:
            return None, *probe.breaks.found()
        finally:
            _PROBE.reset(token)
        return document, *box_breaks(document)


class _NotLast(Exception):
    """Stops a layout that the boxes show will not be the one kept."""


class _Probe:
    """Watches a layout page by page (see ``Renderer._layout``)."""

    def __init__(self, placed: frozenset) -> None:
        self.placed = placed
        self.breaks = _Breaks()
        self.boxes: set[str] | None = None  # the ids of every warning box, from the first page on
        self.seen: set[str] = set()
        self.done = False

    def page(self, page_box, html) -> None:
        if self.done:  # WeasyPrint may go over the pages again for page counters
            return
        if self.boxes is None:
            self.boxes = {e.get("id") for e in html.etree_element.iter() if isinstance(e.tag, str) and e.get(CONTINUED) is not None}
        here = self.breaks.page(page_box)
        self.seen |= here
        if here or not self.seen >= self.boxes:
            return
        # Every box has ended, so no later page adds a break.
        self.done = True
        wanted, splits = self.breaks.found()
        if splits or wanted != self.placed:
            raise _NotLast


# The probe watching the layout under way in this thread, if any.
_PROBE: ContextVar[_Probe | None] = ContextVar("probe", default=None)


def _watch_pages(make_all_pages):
    """WeasyPrint's page maker, showing each page to the probe, if there is one."""

    def watched(context, root_box, html, pages):
        probe = _PROBE.get()
        for page in make_all_pages(context, root_box, html, pages):
            if probe is not None:
                probe.page(page, html)
            yield page
        if probe is not None:
            probe.done = True

    watched.watches = True
    return watched


def footer_wraps(document) -> bool:
    """Whether the footer's brand name and review date take more than one
    line on any page ("Page X of Y", beside them, never wraps)."""
    return any(
        sum(type(box).__name__ == "LineBox" for box in margin.descendants()) > 1
        for page in document.pages
        for margin in page._page_box.children
        if getattr(margin, "at_keyword", None) in ("@bottom-left", "@bottom-right")
    )


def box_breaks(document) -> tuple[frozenset[tuple[str, int]], frozenset[tuple[str, int, int]]]:
    """Where each warning box goes on over a page.

    Two sets: the breaks between paragraphs or list items, as (the box's
    id, the index of the first one on the new page among the box's own);
    and the paragraphs split over a page, as (the box's id, the paragraph's
    index, how many characters that are not spaces the first page shows),
    the first of each box only. Only the boxed warning's paragraphs split,
    so that it starts on page 1.

    A box starts on the first page that holds some of its content, not just
    its heading: a paragraph, a list item, or the boxed warning's headline.
    """
    breaks = _Breaks()
    for page in document.pages:
        breaks.page(page._page_box)
    return breaks.found()


class _Breaks:
    """``box_breaks``, a page at a time, in order."""

    def __init__(self) -> None:
        self.breaks: set[tuple[str, int]] = set()
        self.splits: dict[str, tuple[str, int, int]] = {}
        self.started: set[str] = set()
        self.before: dict = {}  # the paragraphs and list items on the page before: characters shown

    def page(self, page_box) -> set[str]:
        """Take the next page; the ids of the boxes on it."""
        here = set()
        for box in _boxes(page_box):
            element = box.element
            if element is None or element.get(CONTINUED) is None or box.element_tag != _tag(element):
                continue
            ident = element.get("id")
            here.add(ident)
            content = [b.element for b in _boxes(box) if b.element_tag in UNITS and not _has_class(b.element, CONTINUED_TITLE)]
            if ident in self.started and content:
                units = [e for e in element.iter() if _tag(e) in UNITS and not _has_class(e, CONTINUED_TITLE)]
                index = units.index(content[0])
                if content[0] not in self.before:
                    self.breaks.add((ident, index))
                elif _tag(content[0]) == "p":
                    self.splits.setdefault(ident, (ident, index, self.before[content[0]]))
            if content:
                self.started.add(ident)
        self.before = _shown(page_box)
        return here

    def found(self) -> tuple[frozenset[tuple[str, int]], frozenset[tuple[str, int, int]]]:
        return frozenset(self.breaks), frozenset(self.splits.values())


def _shown(box, unit=None, counts=None) -> dict:
    """The paragraphs and list items inside ``box``: how many characters of
    each, not counting spaces, it shows."""
    counts = {} if counts is None else counts
    if box.element_tag in UNITS:
        unit = box.element
        counts.setdefault(unit, 0)
    if unit is not None and type(box).__name__ == "TextBox":
        counts[unit] += len("".join(box.text.split()))
    for child in getattr(box, "children", None) or ():
        if "::" not in (child.element_tag or ""):
            _shown(child, unit, counts)
    return counts


def _boxes(box):
    """``box`` and every box inside it, depth first, without pseudo-elements (list markers)."""
    yield box
    for child in getattr(box, "children", None) or ():
        if "::" not in (child.element_tag or ""):
            yield from _boxes(child)


def _tag(element) -> str:
    return element.tag.rpartition("}")[2]


def _has_class(element, name: str) -> bool:
    return name in (element.get("class") or "").split()


class _CollectWarnings(logging.Handler):
    """WeasyPrint only logs a failed image or stylesheet; collect those as errors."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Inlined icons and fonts would make the message unreadable.
        self.errors.append(re.sub(r"data:([\w/+.-]+);base64,[\w+/=]{20,}", r"data:\1;base64,...", record.getMessage()))


@cache
def renderer() -> Renderer:
    """The process's PDF renderer. One per process: it holds the font
    configuration and the parsed stylesheets, which are costly to build and
    leak memory if rebuilt for every leaflet."""
    return Renderer(STYLESHEET)


def render_pdf(html: str, name: Path, brand: Brand) -> bytes:
    """HTML to a tagged PDF/UA-1 file, with the gaps WeasyPrint leaves closed."""
    from generator.render.tagging import finish_tagging  # pikepdf, only when a PDF is made

    engine = renderer()
    for folder in brand.folders:
        engine.allow(folder)
    css = (brand_stylesheet(brand), *brand.stylesheets)
    return finish_tagging(engine.render(html, name=name, extra_css=css))
