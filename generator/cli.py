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
EXIT_USAGE = 2

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


def _brand(ref: str | None):
    """The brand to use, or exit 1 with every problem in it."""
    from .brand import default_brand, load_brand
    from .problems import LeafletError

    try:
        return load_brand(ref) if ref else default_brand()
    except LeafletError as exc:
        click.echo(f"failed  brand {ref}", err=True)
        _report(exc.problems)
        sys.exit(EXIT_FAILED)


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
@click.option(
    "--brand", "brand_ref", metavar="NAME|PATH", default=None,
    help="Brand to print with: a folder name under ./brands (see `leaflet brands`) or a path "
    "to a brand folder. Default: the neutral brand.",
)
def build(paths: tuple[Path, ...], out_dir: Path, paper: str, size: str, fmt: str, brand_ref: str | None) -> None:
    """Build leaflets into PDF (or HTML) files.

    PATHS are leaflet YAML files or folders of them. With none, every *.yaml
    under ./leaflets is built. Each leaflet is written to OUT/<id>.pdf.
    A leaflet with problems is reported and gets no file; the others are
    still built.
    """
    from .build import Builder

    files = _leaflet_files(paths)
    brand = _brand(brand_ref)
    builder = Builder(out_dir, Options(paper=paper, size=size, brand=brand), fmt)
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
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: a table of scores per section, then each finding. json: the same, for machines.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
def check(paths: tuple[Path, ...], fmt: str, strict: bool) -> None:
    """Validate leaflets and check their wording and review, without rendering.

    PATHS are leaflet YAML files or folders of them (default: ./leaflets).
    Checks the required sections, reading level, sentence length, medical
    words, capitals, italics, numbers and the review date. Every finding is
    reported as FILE:LINE: KEY.PATH: MESSAGE. Thresholds come from
    leaflet.toml or [tool.leaflet] in pyproject.toml (docs/plain-language.md).

    Exit codes: 0 no errors (warnings are allowed unless --strict), 1 a
    leaflet failed, 2 bad usage or a bad settings file.
    """
    from . import report, settings as project_settings
    from .inspection import check_leaflet
    from .problems import LeafletError

    files = _leaflet_files(paths)
    try:
        settings = project_settings.load(Path.cwd())
    except LeafletError as exc:
        _report(exc.problems)
        sys.exit(EXIT_USAGE)
    checks = [check_leaflet(file, settings) for file in files]
    failed = sum(c.failed(strict) for c in checks)
    if fmt == "json":
        click.echo(report.as_json(checks, settings, strict))
        sys.exit(EXIT_FAILED if failed else 0)
    for check in checks:
        warnings = check.count("warning")
        note = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
        status = "failed" if check.failed(strict) else "ok"
        click.echo(f"{status:<8}{check.file}{note}", err=check.failed(strict))
        if check.wording is not None:
            click.echo("\n".join(report.table(check.wording)))
        for finding in check.findings:
            click.echo(str(finding), err=True)
    warnings = sum(c.count("warning") for c in checks)
    if any(c.wording for c in checks):
        click.echo(report.legend())
    click.echo(f"{len(checks)} checked, {failed} failed, {warnings} warning{'s' if warnings != 1 else ''}")
    sys.exit(EXIT_FAILED if failed else 0)


@main.command()
def brands() -> None:
    """List the brands that --brand can name, and whether each is valid.

    Brands are folders with a brand.yaml: those under ./brands, then the
    ones that ship with the tool. A brand folder elsewhere can be used by
    giving its path to --brand.
    """
    from .brand import available_brands, load_brand
    from .problems import LeafletError

    found = available_brands()
    failed = 0
    for folder in found:
        try:
            brand = load_brand(folder)
        except LeafletError as exc:
            failed += 1
            click.echo(f"invalid {folder.name:<24} {folder}")
            _report(exc.problems)
            continue
        parents = f" (extends {', '.join(f.name for f in brand.folders[1:])})" if len(brand.folders) > 1 else ""
        click.echo(f"ok      {folder.name:<24} {brand.name}{parents}")
    click.echo(f"{len(found)} brands, {failed} invalid")
    sys.exit(EXIT_FAILED if failed else 0)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the leaflet format.

    Editors use it for completion and checking as you type, for example with
    a first line of `# yaml-language-server: $schema=../docs/leaflet.schema.json`.
    """
    from .model import Leaflet

    click.echo(json.dumps(Leaflet.model_json_schema(), indent=2, ensure_ascii=False))
