"""The ``leaflet`` command. Thin: it parses options and calls the library.

Exit codes: 0 everything is fine, 1 a leaflet failed, 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

import generator as api

EXIT_FAILED = 1
EXIT_USAGE = 2

paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _leaflet_files(paths: tuple[Path, ...]) -> list[Path]:
    if not paths:
        if not api.DEFAULT_DIR.is_dir():
            raise click.UsageError(f"no paths given and there is no ./{api.DEFAULT_DIR} folder here")
        paths = (api.DEFAULT_DIR,)
    files = api.find_leaflets(paths)
    if not files:
        raise click.UsageError(f"no leaflet files (*.yaml) found in {', '.join(map(str, paths))}")
    return files


def _in_languages(files: list[Path], languages: list[str]) -> list[Path]:
    try:
        return api.select_languages(files, languages)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _report(problems) -> None:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)


def _echo_findings(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)


def _settings() -> api.Settings:
    """The project settings (leaflet.toml or [tool.leaflet]); a bad file is a usage error, as in `leaflet check`."""
    try:
        return api.load_settings(Path.cwd())
    except api.LeafletError as exc:
        _report(exc.problems)
        sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(api.VERSION, "-V", "--version", prog_name="leaflet")
def main() -> None:
    """Make large-print, plain-language, accessible PDF leaflets about medicines.

    Leaflets are YAML files (see docs/content-format.md). Start a new one
    with `leaflet new ID`, validate them with `leaflet check`, then run
    `leaflet build` to make PDFs.

    Exit codes: 0 all fine, 1 a leaflet failed, 2 bad usage.
    """


def _several(choices: list[str] | None = None):
    """Accept an option several times or comma-separated: --size large,extra-large."""

    def split(ctx, param, values):
        found = list(dict.fromkeys(v.strip() for value in values for v in value.split(",") if v.strip()))
        for value in found:
            if choices and value not in choices:
                raise click.BadParameter(f"'{value}' is not one of {', '.join(choices)}")
        return found

    return split


def _cluster_address(ctx, param, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        api.cluster_address(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _choices(name: str, choices, default: str, help: str):
    """An option that takes several of ``choices`` (see ``_several``): --paper, --size, --edition."""
    return click.option(
        f"--{name}", f"{name}s", multiple=True, default=[default], show_default=True, metavar="|".join(choices),
        callback=_several(list(choices)), help=help,
    )


@main.command()
@paths_argument
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
    show_default=True, help="Folder to write the leaflets to.",
)
@_choices("paper", sorted(api.PAPERS), "a4", "Paper size. Give several to build each.")
@_choices(
    "size", api.SIZES, "large",
    "Print size: standard (14pt body, clear print), large (18pt) or extra-large (24pt). Give several to build each.",
)
@click.option(
    "--brand", "brands", multiple=True, metavar="NAME|PATH", callback=_several(),
    help="Brand to print with: a folder name under ./brands (see `leaflet brands`) or a path "
    "to a brand folder. Give several to build each. Default: the neutral brand.",
)
@_choices(
    "edition", api.EDITIONS, "full",
    "full: the whole leaflet. sheet: the counter sheet, the must-knows and a box for the "
    "pharmacist to fill in, written beside it as <id>.sheet.pdf. Give both to build each.",
)
@click.option(
    "--language", "languages", multiple=True, metavar="TAG", callback=_several(),
    help="Build only leaflets in these languages (BCP 47 tags: en matches en-GB too). "
    "Give several to build each. Default: every language found.",
)
@_choices(
    "format", api.FORMATS, "pdf",
    "pdf for printing; html for a single self-contained web page; txt for plain text in reading order "
    "(for screen readers and email); brf and pef for Braille; mp3 for audio with chapters (and its txt "
    "transcript). Give several to build each.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Worker processes.  [default: the number of CPUs]",
)
@click.option(
    "--cluster", metavar="ADDRESS", default=None, callback=_cluster_address,
    help="Build on the Dask cluster whose scheduler is at ADDRESS (such as tcp://10.0.0.5:8786), "
    "or on local:N, N worker processes started on this machine. See docs/scaling.md. --jobs is then ignored.",
)
@click.option("--force", is_flag=True, help="Rebuild everything, even outputs whose inputs have not changed.")
@click.option("--strict", is_flag=True, help="Fail a leaflet on warnings too, not only on errors.")
@click.option(
    "--report", "report_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Also write the summary as JSON to this file.",
)
def build(
    paths: tuple[Path, ...], out_dir: Path, papers: list[str], sizes: list[str], brands: list[str],
    editions: list[str], languages: list[str], formats: list[str], jobs: int | None, cluster: str | None, force: bool, strict: bool,
    report_file: Path | None,
) -> None:
    """Check leaflets as `leaflet check` does, and build them into PDF (or HTML, or text) files.

    PATHS are leaflet YAML files or folders of them. With none, every *.yaml
    under ./leaflets is built, for every --brand, --paper, --size and --edition
    given.

    One combination is written to OUT/<id>.pdf, and a translation beside it
    as OUT/<id>.<language>.pdf. Several are written to
    OUT/<brand>/<paper>/<size>/<language>/<id>.pdf. The counter sheet
    (--edition sheet) goes beside the leaflet as <id>.sheet.pdf.

    A leaflet with an error (or, with --strict, a warning) is reported and
    gets no file; the others are still built. Warnings are printed, once per
    leaflet, and counted. Settings come from leaflet.toml or [tool.leaflet]
    in pyproject.toml, as for `leaflet check`.

    Only outputs whose inputs changed are rebuilt (the leaflet, the brand,
    the templates and styles, the tool, the options, the settings); --force
    rebuilds all. Exit codes: 0 all built, 1 a leaflet failed, 2 bad usage,
    a bad settings file, or a --cluster that cannot be used (unreachable,
    another version of the tool, or its scheduler lost mid-run: what was
    built is kept, and running the build again finishes the rest).
    """
    import time

    from generator.batch import progress

    started = time.monotonic()
    files = _in_languages(_leaflet_files(paths), languages)
    settings = _settings()
    jobs = jobs or api.default_jobs()
    plan = api.plan_build(
        files, out_dir, brands=brands or [None], papers=papers, sizes=sizes, editions=editions, fmt=formats,
        force=force, settings=settings, strict=strict, jobs=jobs, cluster=cluster,
    )
    results = list(plan.done)
    shown: set = set()  # each leaflet's warnings are printed once, not once per output
    reported: set = set()
    for result in plan.done:
        if not result.ok and result.source not in reported:  # once, whatever the formats
            reported.add(result.source)
            click.echo(f"failed  {result.source}", err=True)
        _echo_findings(progress.findings(result, shown))
    unchanged = sum(r.status == "unchanged" for r in plan.done)
    try:
        with progress.Progress(len(plan.todo), unchanged) as bar:
            for result in api.run_plan(plan, jobs, cluster=cluster, say=lambda line: click.echo(line, err=True)):
                results.append(result)
                bar.update(result)
                _echo_findings(progress.findings(result, shown))
    except api.ClusterError as exc:
        lost = exc  # what was built is summed up first
    else:
        lost = None
    click.echo(progress.summary(results))
    if report_file:
        progress.report(results, time.monotonic() - started, report_file)
    if lost:
        click.echo(f"error: --cluster: {lost}", err=True)
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_FAILED if any(not r.ok for r in results) else 0)


@main.command()
@paths_argument
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: a table of scores per section, then each finding. json: the same, for machines.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too, not only on errors.")
@click.option(
    "--brand", "brands", multiple=True, metavar="NAME|PATH", callback=_several(),
    help="Also check these brands: brand.yaml, logo, fonts, colour contrast and CSS.",
)
@_choices(
    "edition", api.EDITIONS, "full",
    "sheet: also lay out each leaflet's counter sheet in memory, at every --size and --paper "
    "(and --brand), and warn where it is longer than its page budget.",
)
@_choices("paper", sorted(api.PAPERS), "a4", "Paper for --edition sheet. Give several to check each.")
@_choices("size", api.SIZES, "large", "Print size for --edition sheet. Give several to check each.")
def check(
    paths: tuple[Path, ...], fmt: str, strict: bool, brands: list[str], editions: list[str], papers: list[str], sizes: list[str]
) -> None:
    """Validate leaflets and check their wording and review, without rendering.

    PATHS are leaflet YAML files or folders of them (default: ./leaflets).
    Checks the required sections, reading level, sentence length, medical
    words, capitals, italics, numbers and the review date. Every finding is
    reported as FILE:LINE: KEY.PATH: MESSAGE. Thresholds come from
    leaflet.toml or [tool.leaflet] in pyproject.toml (docs/plain-language.md).

    With --edition sheet, each leaflet's counter sheet is also laid out in
    memory, as `leaflet build --edition sheet` would, and a sheet longer than
    its page budget is a warning naming what to shorten.

    Exit codes: 0 no errors (warnings are allowed unless --strict), 1 a
    leaflet failed, 2 bad usage or a bad settings file.
    """
    from generator.wording import report

    files = _leaflet_files(paths)
    try:
        settings = api.load_settings(Path.cwd())
    except api.LeafletError as exc:
        _report(exc.problems)
        sys.exit(EXIT_USAGE)
    bad = 0
    loaded = []
    for ref in brands:
        try:
            loaded.append(api.load_brand(ref))
        except api.LeafletError as exc:
            bad += 1
            click.echo(f"failed  brand {ref}", err=True)
            _report(exc.problems)
            continue
        if fmt == "text":
            click.echo(f"ok      brand {ref}")
    sheets = []
    if "sheet" in editions:
        sheets = [api.Options(paper=p, size=z, edition="sheet", brand=b) for b in loaded or [None] for p in papers for z in sizes]
    checks = [api.check(file, settings, sheets=sheets) for file in files]
    failed = sum(c.failed(strict) for c in checks) + bad
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


@main.command("new")
@click.argument("leaflet_id", metavar="ID")
@click.option(
    "-o", "--out", type=click.Path(path_type=Path), default=None,
    help="The file to write (ending in .yaml or .yml), or a folder to write ID.yaml in.  [default: leaflets/ID.yaml]",
)
@click.option("--force", is_flag=True, help="Replace the file if it is already there.")
def new(leaflet_id: str, out: Path | None, force: bool) -> None:
    """Start a new leaflet: write leaflets/ID.yaml, ready to fill in.

    ID names the leaflet and its PDF: lower-case letters, digits and
    hyphens, such as ibuprofen. The file has every part of a leaflet in the
    order it is printed, each switched off (commented out) with a note on
    what belongs there. It is a draft, reviewed today. Nothing in it prints
    until you write it: `leaflet check` lists the required parts still
    missing, with their file, line and key.

    An existing file is never replaced without --force. Exit codes: 0
    written, 1 the file could not be written, 2 a bad ID or file name, or
    the file is already there.
    """
    try:
        written = api.new(leaflet_id, out, force=force)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    except FileExistsError as exc:
        raise click.UsageError(f"{exc.filename} is already there; give --force to replace it") from None
    except OSError as exc:
        click.echo(f"error: {exc.filename or out}: cannot write the file: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"wrote {written}")
    click.echo(f"Fill it in, then run: leaflet check {written}")


@main.command()
def brands() -> None:
    """List the brands that --brand can name, and whether each is valid.

    Brands are folders with a brand.yaml: those under ./brands, then the
    ones that ship with the tool. A brand folder elsewhere can be used by
    giving its path to --brand.
    """
    found = api.available_brands()
    failed = 0
    for folder in found:
        try:
            brand = api.load_brand(folder)
        except api.LeafletError as exc:
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
    click.echo(json.dumps(api.Leaflet.model_json_schema(), indent=2, ensure_ascii=False))


@main.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on. 0.0.0.0 opens the page to the pharmacy's network.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
    show_default=True, help="Folder of built leaflets: current ones are served from it, new ones are built into it.",
)
@click.option("--printer", envvar="LEAFLET_PRINTER", default=None, metavar="QUEUE", help="CUPS queue the Print button sends to (or LEAFLET_PRINTER). Without it, there is no Print button.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes that build leaflets.  [default: the number of CPUs]")
def serve(folder: Path | None, host: str, port: int, out_dir: Path, printer: str | None, jobs: int | None) -> None:
    """Start the counter web page: find a leaflet, choose its size, paper,
    language, brand and edition, preview it, and open, download or print it.

    FOLDER holds the leaflets (default: ./leaflets); brands come from
    ./brands and the ones shipped with the tool. Leaflets already built in
    OUT and still current are served from there; others are built on first
    request, into OUT, as `leaflet build` would build them.

    Set LEAFLET_ACCESS_CODE to ask for a code before any page is shown:
    do so whenever --host opens the page to a network. Stop with Ctrl+C.
    """
    import logging
    import os
    import signal

    import waitress

    from generator.serve.app import create_app

    folder = folder or api.DEFAULT_DIR
    if not folder.is_dir():
        raise click.UsageError(f"there is no folder of leaflets at {folder}")
    code = os.environ.get("LEAFLET_ACCESS_CODE") or None
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if host not in ("127.0.0.1", "localhost", "::1"):
        logging.warning(
            "warning: listening on %s: anyone on the network can reach the page%s",
            host, "; it asks for the access code" if code else ". Set LEAFLET_ACCESS_CODE to ask for a code",
        )
    if printer:
        from generator.serve.printing import printers

        known = printers()
        if printer not in known:
            logging.warning(
                "warning: CUPS has no printer '%s' (it has: %s); Print will fail until it is set up",
                printer, ", ".join(known) or "none, or CUPS is not running",
            )
    app = create_app(folder, out_dir, _settings(), access_code=code, printer=printer, workers=jobs or api.default_jobs())
    click.echo(f"Leaflets: http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}/  (Ctrl+C to stop)")
    # A service manager stops the page with SIGTERM: end as Ctrl+C does, so
    # the build workers are stopped too, not left behind.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        waitress.serve(app, host=host, port=port, threads=8, ident="leaflet")
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["leaflet"]["builder"].close()
