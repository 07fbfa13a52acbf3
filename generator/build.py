"""The pipeline: load -> validate -> check -> render HTML -> render PDF -> verify -> write."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .brand import Brand
from .checks import consistency, missing_sections
from .html import STYLESHEET, Options, brand_css, render_html
from .load import read_yaml, validate
from .model import Leaflet
from .problems import LeafletError, Problem
from .verify import verify_pdf
from .write import write_atomic

Format = Literal["pdf", "html"]
DEFAULT_DIR = Path("leaflets")


def find_leaflets(paths: Iterable[Path]) -> list[Path]:
    """Files as given; folders give every ``*.yaml`` / ``*.yml`` inside them, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(path)
    return found


def check_file(path: Path) -> Leaflet:
    """Load, validate and check one leaflet. Raises ``LeafletError`` with every problem."""
    source = read_yaml(path)
    leaflet, problems = validate(source)
    if isinstance(source.data, dict):
        problems += missing_sections(source)
    if leaflet is not None:
        problems += consistency(leaflet, source)
    if problems:
        raise LeafletError(sorted(set(problems), key=lambda p: (p.line or 0, str(p))))
    return leaflet


@dataclass
class Result:
    source: Path
    output: Path | None = None
    pages: int = 0
    size: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Builder:
    """Builds leaflets into one folder. Keep one per process: it holds the PDF renderer."""

    def __init__(self, out_dir: Path, options: Options = Options(), fmt: Format = "pdf"):
        self.out_dir = out_dir
        self.options = options
        self.format = fmt
        self._renderer = None

    def render_pdf(self, html: str, name: Path, brand: Brand) -> bytes:
        """HTML to a tagged PDF/UA-1 file, with the gaps WeasyPrint leaves closed."""
        # WeasyPrint and pikepdf are imported only when a PDF is really made.
        from .tagging import finish_tagging

        if self._renderer is None:
            from .pdf import Renderer

            self._renderer = Renderer(STYLESHEET)
        for folder in brand.folders:
            self._renderer.allow(folder)
        css = (brand_css(brand), *brand.stylesheets)
        return finish_tagging(self._renderer.render(html, name=name, extra_css=css))

    def build_all(self, paths: Iterable[Path]) -> Iterator[Result]:
        """Build each leaflet; a bad one is reported and the others still built."""
        checked: list[tuple[Path, Leaflet]] = []
        claimed: dict[str, Path] = {}
        for path in paths:
            try:
                leaflet = check_file(path)
            except LeafletError as exc:
                yield Result(path, problems=exc.problems)
                continue
            if leaflet.id in claimed:
                # Never let one leaflet silently overwrite another's output.
                yield Result(path, problems=[Problem(path, None, ("id",), f"id '{leaflet.id}' is also used by {claimed[leaflet.id]}; ids must be unique")])
                continue
            claimed[leaflet.id] = path
            checked.append((path, leaflet))
        for path, leaflet in checked:
            yield self.build(path, leaflet)

    def build(self, path: Path, leaflet: Leaflet) -> Result:
        target = self.out_dir / f"{leaflet.id}.{self.format}"
        brand = self.options.chosen_brand
        try:
            html = render_html(leaflet, self.options, standalone=self.format == "html")
            if self.format == "html":
                data = html.encode("utf-8")
                pages = 0
            else:
                data = self.render_pdf(html, path, brand)
                pages, problems = verify_pdf(leaflet, data, path, brand.name)
                if problems:
                    raise LeafletError(problems)
            write_atomic(target, data)
        except LeafletError as exc:
            return Result(path, problems=exc.problems)
        except OSError as exc:
            return Result(path, problems=[Problem(target, None, (), f"cannot write: {exc.strerror or exc}")])
        return Result(path, output=target, pages=pages, size=len(data))
