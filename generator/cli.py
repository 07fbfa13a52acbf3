"""The ``leaflet`` command. Thin: it parses options and calls the library.

Exit codes: 0 everything is fine, 1 a leaflet failed, 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import click

from .html import PAPERS, SIZES, Options

EXIT_FAILED = 1

try:
    VERSION = version("leaflet-generator")
except PackageNotFoundError:  # running from a checkout that was never installed
    VERSION = "0+unknown"

paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _leaflet_files(paths: tuple[Path, ...]) -> list[Path]:
    from .build import DEFAULT_DIR, find_leaflets

    if not paths:
        if not DEFAULT_DIR.is_dir():
            raise click.UsageError(f"no paths given and there is no ./{DEFAULT_DIR} folder here")
        paths = (DEFAULT_DIR,)
    files = find_leaflets(paths)
    if not files:
        raise click.UsageError(f"no leaflet files (*.yaml) found in {', '.join(map(str, paths))}")
    return files


def _report(problems) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(VERSION, "-V", "--version", prog_name="leaflet")
def main() -> None:
    """Make large-print, plain-language, accessible PDF leaflets about medicines.

    Leaflets are YAML files (see docs/content-format.md). Start with
    `leaflet check` to validate them, then `leaflet build` to make PDFs.

    Exit codes: 0 all fine, 1 a leaflet failed, 2 bad usage.
    """


@main.command()
@paths_argument
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
    show_default=True, help="Folder to write the leaflets to.",
)
@click.option(
    "--paper", type=click.Choice(sorted(PAPERS)), default="a4", show_default=True, help="Paper size.",
)
@click.option(
    "--size", type=click.Choice(list(SIZES)), default="large", show_default=True,
    help="Print size: standard (14pt body, clear print), large (18pt) or extra-large (24pt).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True,
    help="pdf for printing; html for a single self-contained web page.",
)
def build(paths: tuple[Path, ...], out_dir: Path, paper: str, size: str, fmt: str) -> None:
    """Build leaflets into PDF (or HTML) files.

    PATHS are leaflet YAML files or folders of them. With none, every *.yaml
    under ./leaflets is built. Each leaflet is written to OUT/<id>.pdf.
    A leaflet with problems is reported and gets no file; the others are
    still built.
    """
    from .build import Builder

    files = _leaflet_files(paths)
    builder = Builder(out_dir, Options(paper=paper, size=size), fmt)
    failed = 0
    for index, result in enumerate(builder.build_all(files), start=1):
        if result.ok:
            pages = f", {result.pages} pages" if result.pages else ""
            click.echo(f"[{index}/{len(files)}] wrote {result.output} ({result.size / 1024:.0f} KB{pages})")
        else:
            failed += 1
            click.echo(f"[{index}/{len(files)}] failed {result.source}", err=True)
            _report(result.problems)
    click.echo(f"{len(files) - failed} built, {failed} failed")
    sys.exit(EXIT_FAILED if failed else 0)


@main.command()
@paths_argument
def check(paths: tuple[Path, ...]) -> None:
    """Validate leaflets and check their required sections, without rendering.

    PATHS are leaflet YAML files or folders of them (default: ./leaflets).
    Every problem in a file is reported as FILE:LINE: KEY.PATH: MESSAGE.
    """
    from .build import check_file
    from .problems import LeafletError

    files = _leaflet_files(paths)
    failed = 0
    for file in files:
        try:
            check_file(file)
            click.echo(f"ok      {file}")
        except LeafletError as exc:
            failed += 1
            click.echo(f"failed  {file}", err=True)
            _report(exc.problems)
    click.echo(f"{len(files)} checked, {failed} failed")
    sys.exit(EXIT_FAILED if failed else 0)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the leaflet format.

    Editors use it for completion and checking as you type, for example with
    a first line of `# yaml-language-server: $schema=../docs/leaflet.schema.json`.
    """
    from .model import Leaflet

    click.echo(json.dumps(Leaflet.model_json_schema(), indent=2, ensure_ascii=False))
