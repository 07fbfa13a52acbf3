"""Where the templates, styles and shipped brands live.

In a checkout they sit beside the package; in an installed wheel they are
copied into ``generator/_data`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


TEMPLATES = _data_dir("templates")
STYLES = _data_dir("styles")
MESSAGES = TEMPLATES / "messages"
BRANDS = _data_dir("brands")


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, with every link followed, is ``folder`` or inside it."""
    resolved, root = path.resolve(), folder.resolve()
    return resolved == root or root in resolved.parents
