"""The pipeline: load -> validate -> check -> render HTML -> render PDF -> verify -> write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
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
    # "built", "unchanged" (skipped: nothing that shapes it changed) or "failed".
    status: str = "built"

    @property
    def ok(self) -> bool:
        return not self.problems


@cache
def renderer():
    """The process's PDF renderer. One per process: it holds the font
    configuration and the parsed stylesheets, which are costly to build and
    leak memory if rebuilt for every leaflet."""
    from .pdf import Renderer  # WeasyPrint is imported only when a PDF is really made

    return Renderer(STYLESHEET)


def render_pdf(html: str, name: Path, brand: Brand) -> bytes:
    """HTML to a tagged PDF/UA-1 file, with the gaps WeasyPrint leaves closed."""
    from .tagging import finish_tagging

    engine = renderer()
    for folder in brand.folders:
        engine.allow(folder)
    css = (brand_css(brand), *brand.stylesheets)
    return finish_tagging(engine.render(html, name=name, extra_css=css))


def build(path: Path, leaflet: Leaflet, options: Options, fmt: Format, target: Path) -> Result:
    """Render, verify and write one leaflet. Problems are returned, never raised."""
    brand = options.chosen_brand
    try:
        html = render_html(leaflet, options, standalone=fmt == "html")
        if fmt == "html":
            data = html.encode("utf-8")
            pages = 0
        else:
            data = render_pdf(html, path, brand)
            pages, problems = verify_pdf(leaflet, data, path, brand.name)
            if problems:
                raise LeafletError(problems)
        write_atomic(target, data)
    except LeafletError as exc:
        return Result(path, problems=exc.problems, status="failed")
    except OSError as exc:
        return Result(path, problems=[Problem(target, None, (), f"cannot write: {exc.strerror or exc}")], status="failed")
    return Result(path, output=target, pages=pages, size=len(data))


class Builder:
    """Builds leaflets with one set of options into one folder."""

    def __init__(self, out_dir: Path, options: Options = Options(), fmt: Format = "pdf"):
        self.out_dir = out_dir
        self.options = options
        self.format = fmt

    render_pdf = staticmethod(render_pdf)

    def build(self, path: Path, leaflet: Leaflet) -> Result:
        return build(path, leaflet, self.options, self.format, self.out_dir / f"{leaflet.id}.{self.format}")
