"""The counter web page: find a medicine, choose how to print it, preview
it, open, download or print it.

Read-only. No request names a file: a leaflet is found by its id in the
index, a brand by its name among the brands there are, and every other
choice must be one of a fixed list; outputs are the builder's own paths.
"""

from __future__ import annotations

import functools
import hmac
import io
import secrets
import threading
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import jinja2
from flask import Flask, abort, redirect, render_template, request, send_file, session, url_for

from generator.batch.build import Result
from generator.brand.load import Brand, available_brands, load_brand
from generator.content.catalogue import catalogue
from generator.problems import LeafletError
from generator.render.geometry import EDITIONS, SIZES
from generator.resources import STYLES, TEMPLATES
from generator.serve.builds import Builder, Busy
from generator.serve.index import Index, Medicine, stamp
from generator.wording.settings import Settings

# What each choice means to the person at the counter.
SIZE_LABELS = {
    "standard": f"Standard ({SIZES['standard'].body_pt:g} pt, clear print)",
    "large": f"Large ({SIZES['large'].body_pt:g} pt)",
    "extra-large": f"Extra large ({SIZES['extra-large'].body_pt:g} pt)",
}
PAPER_LABELS = {"a4": "A4", "letter": "US Letter"}
EDITION_LABELS = {"full": "Full leaflet", "sheet": "Counter sheet (the must-knows, and a box to fill in)"}
DEFAULTS = {"size": "large", "paper": "a4", "edition": "full", "brand": "default"}
# The preview: page images at this resolution, of at most this many pages.
PREVIEW_DPI = 40
PREVIEW_PAGES = 4
# The only files served as they are: the page's stylesheet and its fonts,
# named here, so no request can reach another file (or a link out of styles/).
STATIC_FILES = (
    "serve.css",
    "fonts/atkinson-hyperlegible-next-latin-400-normal.woff2",
    "fonts/atkinson-hyperlegible-next-latin-700-normal.woff2",
)
# The other editions offered for download beside the PDF: {format: (label, media type)}.
DOWNLOADS = {
    "txt": ("Plain text, for screen readers and email", "text/plain; charset=utf-8"),
    "brf": ("Braille for an embosser or Braille display", "text/plain; charset=us-ascii"),
    "pef": ("Braille as PEF, for embossers that read it", "application/x-pef+xml"),
    "mp3": ("Audio, read aloud, with a chapter for each section (takes a few seconds)", "audio/mpeg"),
}
# Every page: nothing from elsewhere, no script, no frames.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'self'; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Not no-referrer: with it, browsers send forms with "Origin: null", which
    # cannot be told from a form on another site.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(
    leaflets: Path, out_dir: Path, settings: Settings, *,
    access_code: str | None = None, printer: str | None = None, workers: int = 1, queue_limit: int = 4,
) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.jinja_loader = jinja2.FileSystemLoader(str(TEMPLATES / "serve"))
    app.jinja_env.autoescape = True
    app.jinja_env.undefined = jinja2.StrictUndefined
    app.jinja_env.globals.update(describe=_describe)
    app.jinja_env.filters.update(language_name=_language_name)
    app.secret_key = secrets.token_bytes(32)  # a restart asks for the access code again
    app.config.update(SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True, MAX_CONTENT_LENGTH=4096)
    index = Index(leaflets)
    builder = Builder(out_dir, settings, workers=workers, queue_limit=queue_limit)
    app.extensions["leaflet"] = {"index": index, "builder": builder}

    @app.before_request
    def guard():
        if request.method == "POST" and not _same_origin():
            abort(403, "This form can only be sent from this site's own pages. Go back, and try again.")
        if access_code and request.endpoint not in ("login", "static") and not session.get("allowed"):
            return redirect(url_for("login", next=request.full_path))
        return None

    @app.after_request
    def headers(response):
        # Not on the PDF: the browser's PDF viewer runs as a plugin, which
        # the page's policy (default-src 'none') would block.
        for name, value in SECURITY_HEADERS.items():
            if name != "Content-Security-Policy" or response.mimetype != "application/pdf":
                response.headers[name] = value
        return response

    @app.get("/static/<path:name>")
    def static(name: str):
        if name not in STATIC_FILES:
            abort(404)
        return send_file(STYLES / name, max_age=3600)

    @app.route("/login", methods=["GET", "POST"])
    def login():
        wrong = False
        if request.method == "POST":
            given = request.form.get("code", "")
            if access_code and hmac.compare_digest(given.encode(), access_code.encode()):
                session["allowed"] = True
                return redirect(_local(request.args.get("next")))
            wrong = True
        return render_template("login.html.j2", wrong=wrong), 401 if wrong else 200

    @app.get("/")
    def search():
        query = request.args.get("q", "")[:100]
        found = index.search(query)
        return render_template("search.html.j2", query=query, found=found)

    @app.get("/leaflet/<medicine_id>")
    def leaflet(medicine_id: str):
        medicine = _medicine(index, medicine_id)
        if medicine.main is None:
            return render_template("broken.html.j2", medicine=medicine, edition=medicine.editions[0]), 422
        options = _options(medicine)
        choice = _choice(medicine, options=options)
        edition = medicine.edition(choice["language"])
        result = _build(builder, edition.file, choice)
        pages = _page_count(result) if result.ok else 0
        return render_template(
            "leaflet.html.j2", medicine=medicine, leaflet=edition.leaflet, choice=choice, result=result, pages=pages,
            preview=min(pages, PREVIEW_PAGES), options=options, chosen=urlencode(choice),
            printer=printer, downloads=DOWNLOADS, direction=catalogue(edition.leaflet.language).direction,
        ), 200 if result.ok else 422

    @app.get("/leaflet/<medicine_id>/pdf")
    def pdf(medicine_id: str):
        medicine = _medicine(index, medicine_id)
        choice = _choice(medicine)
        result = _build(builder, _usable(medicine, choice).file, choice)
        if not result.ok:
            abort(422)
        download = request.args.get("download") == "1"
        return send_file(result.output, mimetype="application/pdf", as_attachment=download, download_name=result.output.name)

    @app.get("/leaflet/<medicine_id>/download.<fmt>")
    def download(medicine_id: str, fmt: str):
        if fmt not in DOWNLOADS:
            abort(404)
        medicine = _medicine(index, medicine_id)
        choice = _choice(medicine)
        result = _build(builder, _usable(medicine, choice).file, choice, fmt)
        if not result.ok:
            abort(422)
        return send_file(result.output, mimetype=DOWNLOADS[fmt][1], as_attachment=True, download_name=result.output.name)

    @app.get("/leaflet/<medicine_id>/page-<int:number>.png")
    def page_image(medicine_id: str, number: int):
        medicine = _medicine(index, medicine_id)
        choice = _choice(medicine)
        result = _build(builder, _usable(medicine, choice).file, choice)
        if not result.ok or not 1 <= number <= min(_page_count(result), PREVIEW_PAGES):
            abort(404)
        image = _render_page(str(result.output), result.output.stat().st_mtime_ns, number - 1)
        return send_file(io.BytesIO(image), mimetype="image/png", max_age=60)

    @app.post("/leaflet/<medicine_id>/print")
    def print_leaflet(medicine_id: str):
        from generator.serve.printing import PrintError, print_pdf

        medicine = _medicine(index, medicine_id)
        choice = _choice(medicine, request.form)
        edition = _usable(medicine, choice)
        if not printer:
            abort(404)
        result = _build(builder, edition.file, choice)
        if not result.ok:
            abort(422)
        try:
            job = print_pdf(result.output, printer, title=edition.leaflet.title)
        except PrintError as exc:
            return render_template("message.html.j2", title="Not printed", message=str(exc), back=_back(medicine, choice)), 502
        message = f"Sent {job.pages} {'page' if job.pages == 1 else 'pages'} to the printer {job.printer} (job {job.job_id})."
        return render_template("message.html.j2", title="Sent to the printer", message=message, back=_back(medicine, choice))

    @app.errorhandler(Busy)
    def busy(_):
        message = "Many leaflets are being made right now. Please try again in a few seconds."
        return render_template("message.html.j2", title="Busy, try again", message=message, back=None), 503, {"Retry-After": "5"}

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    @app.errorhandler(422)
    def refused(error):
        return render_template("message.html.j2", title=error.name, message=error.description, back=None), error.code

    @app.errorhandler(Exception)
    def failed(error):
        app.logger.exception("request failed")
        message = "Something went wrong making this leaflet. The details are in the server's log."
        return render_template("message.html.j2", title="Not made", message=message, back=None), 500

    return app


def _medicine(index: Index, medicine_id: str) -> Medicine:
    medicine = index.find(medicine_id)
    if medicine is None:
        abort(404, f"There is no leaflet called '{medicine_id[:60]}'.")
    return medicine


def _options(medicine: Medicine) -> dict[str, dict[str, str]]:
    """Each choice the leaflet page offers: {name: {value: label}}."""
    return {
        "language": {tag: _language_name(tag) for tag in medicine.languages},
        "brand": _brands(),
        "size": SIZE_LABELS,
        "paper": PAPER_LABELS,
        "edition": {name: EDITION_LABELS[name] for name in EDITIONS},
    }


class _Brands:
    """The valid brands, loaded once and again only when a brand's files
    change: loading one reads its templates and checks its colours."""

    def __init__(self) -> None:
        self._seen: tuple = ()
        self.loaded: dict[str, Brand] = {}
        self._lock = threading.Lock()

    def current(self) -> dict[str, Brand]:
        with self._lock:
            folders = available_brands()
            seen = tuple((str(file), stamp(file)) for folder in folders for file in sorted(folder.rglob("*")))
            if seen != self._seen:
                self.loaded = {}
                for folder in folders:
                    try:
                        self.loaded[folder.name] = load_brand(folder)
                    except LeafletError:
                        continue  # `leaflet brands` says what is wrong with it
                self._seen = seen
            return self.loaded


_BRANDS = _Brands()


def _brands() -> dict[str, str]:
    """Each valid brand by folder name, with the name it prints."""
    return {
        name: brand.name if brand.footer_name else f"{brand.name} (no pharmacy named)"
        for name, brand in _BRANDS.current().items()
    }


def _choice(medicine: Medicine, values=None, options: dict | None = None) -> dict[str, str]:
    """The choices in the request, each checked against what is offered."""
    values = request.args if values is None else values
    choice = {}
    for name, offered in (options or _options(medicine)).items():
        value = values.get(name) or DEFAULTS.get(name) or next(iter(offered), "")
        if value not in offered:
            abort(400, f"'{value[:40]}' is not a {name} this leaflet offers.")
        choice[name] = value
    return choice


def _usable(medicine: Medicine, choice: dict[str, str]):
    edition = medicine.edition(choice["language"])
    if edition is None or edition.leaflet is None:
        abort(422, "This leaflet has problems to fix before it can be printed.")
    return edition


def _build(builder: Builder, file: Path, choice: dict[str, str], fmt: str = "pdf") -> Result:
    return builder.output(file, _BRANDS.current()[choice["brand"]], choice["paper"], choice["size"], choice["edition"], fmt)


@functools.lru_cache(maxsize=256)
def _page_count_of(path: str, mtime_ns: int) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def _page_count(result: Result) -> int:
    return _page_count_of(str(result.output), result.output.stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _render_page(path: str, mtime_ns: int, index: int) -> bytes:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        image = document[index].render(scale=PREVIEW_DPI / 72, grayscale=False).to_pil()
        out = io.BytesIO()
        image.save(out, "PNG", optimize=True)
        return out.getvalue()
    finally:
        document.close()


def _describe(leaflet) -> dict[str, str]:
    """The medicine line and review status, as staff read them."""
    status = leaflet.review.status
    notice = "Approved by a pharmacist" if status == "approved" else catalogue("en")(f"status_{status}_short")
    if leaflet.translation and not leaflet.translation.reviewed_by:
        notice += ". Translation not yet checked by a pharmacist"
    names = ", ".join(leaflet.medicine.other_names)
    return {"medicine": leaflet.medicine.name + (f" ({names})" if names else ""), "status": notice, "approved": status == "approved"}


def _language_name(tag: str) -> str:
    """ "Spanish (español)": the name staff read, and the one the patient does."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return tag
    english, own = locale.get_display_name("en"), locale.get_display_name(locale)
    return english if english == own else f"{english} ({own})"


def _back(medicine: Medicine, choice: dict[str, str]) -> str:
    return url_for("leaflet", medicine_id=medicine.id) + "?" + urlencode(choice)


def _local(target: str | None) -> str:
    """Only a path on this site: never send someone on to another after logging in."""
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return "/"
    return target


def _same_origin() -> bool:
    """A form sent from this site, not from a page elsewhere (printing costs paper)."""
    if request.headers.get("Sec-Fetch-Site") == "same-origin":  # set by the browser, not by a page
        return True
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    return bool(origin) and origin != "null" and urlsplit(origin).netloc == request.host

