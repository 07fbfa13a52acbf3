"""Brand folders: how a clinic or pharmacy puts its identity on leaflets.

A brand is a folder, ``brands/<name>/``, holding ``brand.yaml`` and
optionally ``templates/`` (overriding base templates) and ``styles/`` (CSS
added after the base styles). Loading one reads its ``extends`` chain,
merges it, and checks everything that could break a leaflet: files must
stay inside the brand folder, logos and fonts must be real and readable,
and text colours must be readable on the page.
"""

from __future__ import annotations

import base64
import dataclasses
import io
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

from generator.brand.contrast import TEXT_COLOURS, contrast, nearest_passing
from generator.brand.model import BrandSettings, Contact
from generator.content.model import language_matches
from generator.content.source import Source, read_yaml
from generator.content.validate import validate
from generator.problems import KeyPath, LeafletError, Problem
from generator.resources import BRANDS, LEAFLET_TEMPLATE, TEMPLATES, URL_SCHEME, is_inside

BRAND_FILE = "brand.yaml"
DEFAULT_BRAND = "default"
MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_FONT_BYTES = 10 * 1024 * 1024
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}

_SVG_START = re.compile(r"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<svg[\s>]", re.S)


@dataclass(frozen=True)
class Brand:
    """A brand with its ``extends`` chain merged and every file checked."""

    id: str
    folder: Path
    name: str
    footer_name: str  # may be empty: the footer then names no brand
    logo: str  # data: URI
    logo_alt: str
    primary: str
    accent: str
    shade: str | None
    font_regular: str | None  # data: URIs
    font_bold: str | None
    contact: Contact
    footer: str | None
    # The brand first, then the brands it extends: searched in this order.
    template_dirs: tuple[Path, ...]
    # Parents first, so the brand's own CSS comes last and wins.
    stylesheets: tuple[Path, ...]
    folders: tuple[Path, ...]
    names: tuple[tuple[str, str], ...] = ()  # (language tag, name), from brand.yaml's names

    def in_language(self, tag: str) -> Brand:
        """The brand as a leaflet in ``tag`` prints it: its name in that
        language (the most specific tag that matches), where it has one."""
        matches = [(len(key), name) for key, name in self.names if language_matches(tag, key)]
        if not matches:
            return self
        name = max(matches)[1]
        return dataclasses.replace(
            self,
            name=name,
            footer_name=name if self.footer_name == self.name else self.footer_name,
            logo_alt=name if self.logo_alt == self.name else self.logo_alt,
        )


def brand_dirs() -> list[Path]:
    """Folders searched for brands by name: ./brands, then the brands shipped with the tool."""
    found: list[Path] = []
    for folder in (Path("brands"), BRANDS):
        if folder.is_dir() and all(folder.resolve() != f.resolve() for f in found):
            found.append(folder)
    return found


def available_brands() -> list[Path]:
    """Every brand folder that can be used by name, sorted; a local brand hides a shipped one."""
    seen: dict[str, Path] = {}
    for folder in brand_dirs():
        for candidate in sorted(folder.iterdir()):
            if (candidate / BRAND_FILE).is_file():
                seen.setdefault(candidate.name, candidate)
    return [seen[name] for name in sorted(seen)]


def find_brand(ref: str | Path, near: Path | None = None) -> Path | None:
    """The folder of a brand given by name or path; ``near`` is searched first (for ``extends``)."""
    path = Path(ref)
    if isinstance(ref, Path) or "/" in str(ref) or str(ref).startswith("."):
        return path if (path / BRAND_FILE).is_file() else None
    for folder in ([near] if near else []) + brand_dirs():
        if (folder / str(ref) / BRAND_FILE).is_file():
            return folder / str(ref)
    return None


def load_brand(ref: str | Path) -> Brand:
    """Load, merge and check a brand. Raises ``LeafletError`` with every problem found."""
    folder = find_brand(ref)
    if folder is None:
        names = ", ".join(p.name for p in available_brands()) or "none"
        raise LeafletError([Problem(Path(str(ref)), None, (), f"no brand named '{ref}' (a folder with {BRAND_FILE}); available: {names}")])
    chain = _read_chain(folder)
    return _merge(chain)


@cache
def default_brand() -> Brand:
    return load_brand(BRANDS / DEFAULT_BRAND)


def _read_chain(folder: Path) -> list[tuple[Path, Source, BrandSettings]]:
    """The brand and the brands it extends, child first."""
    chain: list[tuple[Path, Source, BrandSettings]] = []
    while True:
        source = read_yaml(folder / BRAND_FILE)
        settings, problems = validate(source, BrandSettings)
        if problems:
            raise LeafletError(problems)
        chain.append((folder, source, settings))
        if settings.extends is None:
            return chain
        parent = find_brand(settings.extends, near=folder.parent)
        where = source.problem(("extends",), "")
        if parent is None:
            names = ", ".join(p.name for p in available_brands())
            raise LeafletError([_at(where, f"no brand named '{settings.extends}' to extend; available: {names}")])
        if any(parent.resolve() == f.resolve() for f, _, _ in chain):
            loop = " -> ".join([f.name for f, _, _ in chain] + [parent.name])
            what = "a brand cannot extend itself" if parent.resolve() == folder.resolve() else f"brands extend each other in a loop: {loop}"
            raise LeafletError([_at(where, what)])
        folder = parent


def _at(problem: Problem, message: str) -> Problem:
    return Problem(problem.file, problem.line, problem.path, message)


def _merge(chain: list[tuple[Path, Source, BrandSettings]]) -> Brand:
    """Merge the chain, root first; remember which brand gave each file-valued key."""
    folder, source, _ = chain[0]
    values: dict[str, object] = {}
    colours: dict[str, tuple[str, Source]] = {}
    contact: dict[str, object] = {}
    for brand_folder, brand_source, settings in reversed(chain):
        for key in ("name", "footer"):
            if getattr(settings, key) is not None:
                values[key] = getattr(settings, key)
        if settings.name is not None or settings.short_name is not None:
            values["short_name"] = settings.short_name
        if settings.name is not None or settings.names is not None:
            values["names"] = settings.names or {}
        for key in ("logo", "font"):
            if getattr(settings, key) is not None:
                values[key] = (getattr(settings, key), brand_folder, brand_source)
        if settings.colours:
            colours.update({k: (v, brand_source) for k, v in settings.colours.model_dump(exclude_none=True).items()})
        if settings.contact:
            contact.update(settings.contact.model_dump(exclude_none=True))

    problems: list[Problem] = []
    inherited = " (nor in any brand it extends)" if len(chain) > 1 else ""
    for key in ("name", "logo"):
        if key not in values:
            problems.append(source.problem((), f"required key '{key}' is missing{inherited}"))
    for key in TEXT_COLOURS:
        if key not in colours:
            problems.append(source.problem(("colours",), f"required colour '{key}' is missing{inherited}"))
    for key, (value, where) in colours.items():
        if key in TEXT_COLOURS:
            minimum, use = TEXT_COLOURS[key]
            ratio = contrast(value)
            if ratio < minimum:
                suggestion = nearest_passing(value, minimum)
                problems.append(
                    where.problem(
                        ("colours", key),
                        f"{value} is {ratio:.1f}:1 against the white page; {use} at least "
                        f"{minimum}:1. The nearest shade that passes is {suggestion}",
                    )
                )

    logo = font_regular = font_bold = None
    if "logo" in values:
        settings_logo, logo_folder, logo_source = values["logo"]
        logo = _embed(logo_folder, logo_source, ("logo", "file"), settings_logo.file, LOGO_TYPES, MAX_LOGO_BYTES, problems)
    if "font" in values:
        font, font_folder, font_source = values["font"]
        font_regular = _embed(font_folder, font_source, ("font", "regular"), font.regular, FONT_TYPES, MAX_FONT_BYTES, problems)
        if font.bold:
            font_bold = _embed(font_folder, font_source, ("font", "bold"), font.bold, FONT_TYPES, MAX_FONT_BYTES, problems)

    folders = tuple(f for f, _, _ in chain)
    template_dirs = tuple(f / "templates" for f in folders if (f / "templates").is_dir())
    stylesheets = tuple(css for f in reversed(folders) for css in sorted((f / "styles").glob("*.css")))
    for brand_folder in folders:
        problems += _escaping_files(brand_folder)
    problems += _unknown_blocks(template_dirs)
    if stylesheets:
        from generator.brand.css_lint import check_stylesheet  # tinycss2 only when a brand has CSS

        for css in stylesheets:
            problems += check_stylesheet(css, css.parent.parent)
    if problems:
        raise LeafletError(problems)
    return Brand(
        id=folder.name,
        folder=folder,
        name=str(values["name"]),
        footer_name=values["name"] if values.get("short_name") is None else values["short_name"],
        logo=logo,
        logo_alt=values["logo"][0].alt,
        primary=colours["primary"][0],
        accent=colours["accent"][0],
        shade=colours["shade"][0] if "shade" in colours else None,
        font_regular=font_regular,
        font_bold=font_bold,
        contact=Contact(**contact),
        footer=values.get("footer"),
        template_dirs=template_dirs,
        stylesheets=stylesheets,
        folders=folders,
        names=tuple(sorted(values.get("names", {}).items())),
    )


def _embed(folder: Path, source: Source, path: KeyPath, value: str, kinds: dict[str, str], limit: int, problems: list[Problem]) -> str | None:
    """A file named in brand.yaml, as a data: URI, or None with the problem recorded."""
    what = "a logo" if path[0] == "logo" else "a font"
    allowed = ", ".join(sorted({k.lstrip(".").upper() for k in kinds} - {"JPEG"}))

    def problem(message: str) -> None:
        problems.append(source.problem(path, message))

    if URL_SCHEME.match(value):
        return problem(f"'{value}' is a URL; {what} must be a file inside the brand folder")
    relative = PurePosixPath(value.replace("\\", "/"))
    if relative.is_absolute():
        return problem(f"'{value}' is an absolute path; give a path inside the brand folder, relative to it")
    if ".." in relative.parts:
        return problem(f"'{value}' points outside the brand folder (it uses '..')")
    file = folder / relative
    if not is_inside(file, folder):
        return problem(f"'{value}' is a link to a file outside the brand folder")
    suffix = file.suffix.lower()
    if suffix not in kinds:
        return problem(f"'{value}' must be {allowed} (found '{suffix or 'no extension'}')")
    if not file.is_file():
        return problem(f"file not found: {file}")
    size = file.stat().st_size
    if size > limit:
        return problem(f"'{value}' is too large ({size / 1024 / 1024:.1f} MB; the limit is {limit // 1024 // 1024} MB)")
    try:
        data = file.read_bytes()
    except OSError as exc:
        return problem(f"cannot read '{value}': {exc.strerror}")
    reason = _unreadable(data, suffix)
    if reason:
        return problem(f"'{value}' {reason}")
    return f"data:{kinds[suffix]};base64,{base64.b64encode(data).decode('ascii')}"


def _unreadable(data: bytes, suffix: str) -> str | None:
    """Why a logo or font file cannot be used, or None if it can."""
    if suffix == ".svg":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return "is not an SVG file (it is not UTF-8 text)"
        if not _SVG_START.match(text):
            return "is not an SVG file (it does not start with <svg>)"
        if "<!ENTITY" in text or "<!DOCTYPE" in text:
            # Entity expansion is the classic way to make an XML parser explode.
            return "declares a DOCTYPE or entities; SVG logos must not"
        return None
    if suffix in LOGO_TYPES:
        from PIL import Image, UnidentifiedImageError

        expected = "PNG" if suffix == ".png" else "JPEG"
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    return f"is not a {expected} image (it looks like {image.format})"
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            return f"is not a readable {expected} image ({exc})"
        return None
    from fontTools.ttLib import TTFont, TTLibError

    try:
        font = TTFont(io.BytesIO(data), lazy=False)
        font.getBestCmap()
    except (TTLibError, OSError, ValueError, KeyError, AssertionError, ImportError) as exc:
        return f"is not a readable font ({exc or type(exc).__name__})"
    return None



def _escaping_files(folder: Path) -> list[Problem]:
    """Templates, styles or brand.yaml that are links to files outside the brand folder."""
    problems = []
    for file in [folder / BRAND_FILE, *folder.glob("templates/**/*"), *folder.glob("styles/**/*")]:
        if not is_inside(file, folder):
            problems.append(Problem(file, None, (), "is a link to a file outside the brand folder; brand files must stay inside it"))
    return problems


def _unknown_blocks(template_dirs: tuple[Path, ...]) -> list[Problem]:
    """Blocks a brand's leaflet template replaces that the base template does
    not have. Jinja would ignore them without a word, and the brand's change
    would silently never print (a block renamed in the base template, a typo).
    Only blocks outside any other block replace one: a brand may add its own
    blocks inside those."""
    import jinja2

    def parse(file: Path):
        try:
            return jinja2.Environment().parse(file.read_text("utf-8"))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError, OSError):
            return None  # reported when the template is rendered

    base = parse(TEMPLATES / LEAFLET_TEMPLATE)
    known = {block.name for block in base.find_all(jinja2.nodes.Block)} if base else set()
    problems = []
    for folder in template_dirs:
        tree = parse(folder / LEAFLET_TEMPLATE) if (folder / LEAFLET_TEMPLATE).is_file() else None
        for node in tree.body if tree else []:
            if isinstance(node, jinja2.nodes.Block) and node.name not in known:
                problems.append(Problem(
                    folder / LEAFLET_TEMPLATE, node.lineno, (),
                    f"block '{node.name}' is not a block of the leaflet template, so it would never be printed; "
                    f"the blocks are: {', '.join(sorted(known))}",
                ))
    return problems
