"""Facts about the tool itself: its version, where its templates, styles and
shipped brands live, and what counts as a web address.

In a checkout they sit beside the package; in an installed wheel they are
copied into ``generator/_data`` (see ``pyproject.toml``).
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
try:
    VERSION = version("leaflet-generator")
except PackageNotFoundError:  # running from a checkout that was never installed
    VERSION = "0+unknown"

# A web address a leaflet or brand may print: http or https, and a host.
WEB_ADDRESS = r"^https?://[^\s/]+\S*$"
# Text that starts with a scheme ("https:", "file:", "data:") is a URL, not
# a file in a folder.
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _data_dir(name: str) -> Path:
    packaged = PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return PACKAGE.parent / name


TEMPLATES = _data_dir("templates")
# The template that prints a whole leaflet; a brand may replace its blocks.
LEAFLET_TEMPLATE = "leaflet.html.j2"
# The counter sheet (`--edition sheet`), from the same partials.
SHEET_TEMPLATE = "sheet.html.j2"
STYLES = _data_dir("styles")
MESSAGES = TEMPLATES / "messages"
BRANDS = _data_dir("brands")


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, with every link followed, is ``folder`` or inside it."""
    resolved, root = path.resolve(), folder.resolve()
    return resolved == root or root in resolved.parents
