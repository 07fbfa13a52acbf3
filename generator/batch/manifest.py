"""What each output was built from, so a rerun redoes only what changed.

An output's key is a hash of everything that shapes it: the leaflet file,
the brand and the brands it extends, the templates, styles and fonts, the
tool itself (its version and code), the options, and the settings its
wording was checked with. The manifest in the output folder records the key
of every output written, and the warnings its leaflet had, so a rerun can
report them again. Only file bytes (and the settings, read once per run)
are hashed, never a leaflet parsed, so a rerun with nothing changed is
quick and never loads the PDF engine.
"""

from __future__ import annotations

import hashlib
import json
import time
from functools import cache
from pathlib import Path

from generator.batch.write import write_atomic
from generator.resources import PACKAGE, STYLES, TEMPLATES

MANIFEST = ".leaflet-manifest.json"
FORMAT_VERSION = 1
SAVE_SHARE = 20


def digest_files(files: list[Path], root: Path | None = None) -> str:
    """A hash of files' names (relative to ``root``) and contents, in a stable order."""
    sha = hashlib.sha256()
    for file in sorted(files):
        sha.update(str(file.relative_to(root) if root else file).encode() + b"\0")
        sha.update(hashlib.sha256(file.read_bytes()).digest())
    return sha.hexdigest()


def tree_files(folder: Path) -> list[Path]:
    """Every file under ``folder``, leaving out Python's byte-code caches."""
    return [p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


@cache
def tool_digest(version: str) -> str:
    """The templates, styles, fonts and the tool's own code and data."""
    parts = [version]
    for folder in (TEMPLATES, STYLES, PACKAGE):
        files = [p for p in tree_files(folder) if "_data" not in p.relative_to(folder).parts]
        parts.append(digest_files(files, folder))
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@cache
def folder_digest(folder: Path) -> str:
    return digest_files(tree_files(folder), folder)


def file_digest(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()


class Manifest:
    """The keys of the outputs in one folder. Saved atomically, so a killed run
    leaves either the old or the new manifest, never a broken one."""

    def __init__(self, out_dir: Path):
        self.file = out_dir / MANIFEST
        self.out_dir = out_dir
        self.entries: dict[str, dict] = {}
        self._saved = 0.0
        self._save_time = 0.0
        self._changed = False
        try:
            data = json.loads(self.file.read_text("utf-8"))
            if data.get("format") == FORMAT_VERSION:
                self.entries = data["outputs"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # no manifest, or an unreadable one: everything is rebuilt

    def up_to_date(self, identity: str, key: str) -> Path | None:
        """The output recorded for ``identity`` if it was built from ``key`` and is still there intact."""
        entry = self.entries.get(identity)
        if not entry or entry.get("key") != key:
            return None
        target = self.out_dir / entry["output"]
        try:
            return target if target.stat().st_size == entry["bytes"] else None
        except OSError:
            return None

    def warnings(self, identity: str) -> list[dict]:
        """The warnings recorded with an output (as given to ``record``)."""
        found = self.entries.get(identity, {}).get("warnings", [])
        return found if isinstance(found, list) else []

    def record(self, identity: str, key: str, target: Path, warnings: list[dict] | None = None) -> None:
        self.entries[identity] = {
            "key": key,
            "output": str(target.relative_to(self.out_dir)),
            "bytes": target.stat().st_size,
        }
        if warnings:
            self.entries[identity]["warnings"] = warnings
        self._changed = True
        # Saving after every output would cost more than the outputs on a
        # big run; twice a second bounds what a kill can lose. A chain's
        # manifest (180,000 outputs) takes over a second to write, so it is
        # saved less often as it grows: never more than 1/SAVE_SHARE of the time.
        if time.monotonic() - self._saved > max(0.5, SAVE_SHARE * self._save_time):
            self.save()

    def forget(self, identity: str) -> None:
        self._changed |= self.entries.pop(identity, None) is not None

    def save(self) -> None:
        if not self._changed:
            return
        started = time.monotonic()
        data = {"format": FORMAT_VERSION, "outputs": dict(sorted(self.entries.items()))}
        write_atomic(self.file, json.dumps(data, indent=1).encode("utf-8"), sync=False)
        self._saved = time.monotonic()
        self._save_time = self._saved - started
        self._changed = False
