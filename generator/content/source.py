"""Read a YAML file (a leaflet, a brand, a jargon list), keeping the line of every key.

Every problem carries the file, the line and the key path. All problems in a
file are reported together, so a pharmacist can fix them in one pass.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.content.screen import BadValue, Loader, screen
from generator.problems import KeyPath, LeafletError, Problem

MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Source:
    """A parsed YAML document and where each key came from."""

    file: Path
    data: Any
    lines: dict[KeyPath, int]

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path``, or of its nearest parent that is in the file."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 1

    def problem(self, path: KeyPath, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), path, message)


def read_yaml(file: Path) -> Source:
    """Parse one YAML file, keeping the line of every key and list item.

    The file may be hostile: it is refused, with a problem, when it is not a
    regular file, is larger than ``MAX_BYTES``, or fails ``safe_yaml.screen``.
    """
    file = Path(file)
    try:
        info = file.stat()
        if stat.S_ISDIR(info.st_mode):
            raise LeafletError([Problem(file, None, (), "is a folder, not a YAML file")])
        if not stat.S_ISREG(info.st_mode):
            # A device or a pipe could be read forever (think /dev/zero).
            raise LeafletError([Problem(file, None, (), "is not a regular file")])
        with file.open("rb") as handle:
            # Never more than the limit, even if the file grew since stat().
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise LeafletError([Problem(file, None, (), "file not found")]) from None
    except OSError as exc:
        raise LeafletError([Problem(file, None, (), f"cannot read the file: {exc.strerror}")]) from None
    if len(raw) > MAX_BYTES:
        size = max(info.st_size, len(raw))
        raise LeafletError([Problem(file, None, (), f"file is too large ({size:,} bytes; the limit is {MAX_BYTES:,})")])

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LeafletError(
            [Problem(file, line, (), f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8")]
        ) from None

    if not text.strip() or all(ln.lstrip().startswith("#") or not ln.strip() for ln in text.splitlines()):
        raise LeafletError([Problem(file, None, (), "the file is empty")])

    lines: dict[KeyPath, int] = {}
    try:
        problems = screen(file, text)
        if problems:
            raise LeafletError(problems)
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:  # nothing but comments, a "---" or a stray byte-order mark
                raise LeafletError([Problem(file, None, (), "the file is empty")])
            duplicates: list[Problem] = []
            _map_lines(node, (), lines, duplicates, file)
            if duplicates:
                raise LeafletError(duplicates)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if isinstance(exc, BadValue) and line in lines.values():
            # A value that cannot be built, such as the date 2026-02-30: name its key.
            path = max((p for p, n in lines.items() if n == line), key=len)
            raise LeafletError([Problem(file, line, path, exc.problem)]) from None
        what = exc.problem or "invalid YAML"
        if exc.context:
            what = f"{exc.context}, {what}"
        raise LeafletError([Problem(file, line, (), f"invalid YAML: {what}")]) from None
    except yaml.YAMLError as exc:
        raise LeafletError([Problem(file, None, (), f"invalid YAML: {exc}")]) from None
    return Source(file, data, lines)


def _map_lines(node: yaml.Node, path: KeyPath, lines: dict, duplicates: list, file: Path) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                # PyYAML would silently keep the last value: dangerous in medical content.
                duplicates.append(
                    Problem(file, line, path + (key,), f"duplicate key (first given on line {seen[key]})")
                )
                continue
            seen[key] = line
            lines[path + (key,)] = line
            _map_lines(value_node, path + (key,), lines, duplicates, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, path + (index,), lines, duplicates, file)
