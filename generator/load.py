"""Read a leaflet YAML file into a validated ``Leaflet``.

Every problem carries the file, the line and the key path. All problems in a
file are reported together, so a pharmacist can fix them in one pass.
"""

from __future__ import annotations

import datetime as dt
import difflib
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .model import Leaflet
from .problems import KeyPath, LeafletError, Problem
from .safe_yaml import BadValue, Loader, screen

MAX_BYTES = 1024 * 1024
M = TypeVar("M", bound=BaseModel)


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


def validate(source: Source, model: type[M] = Leaflet) -> tuple[M | None, list[Problem]]:
    """The leaflet (or brand settings), or None and every problem pydantic found."""
    if not isinstance(source.data, dict):
        found = _describe(source.data)
        return None, [source.problem((), f"expected key: value lines at the top, found {found}")]
    try:
        return model.model_validate(source.data), []
    except ValidationError as exc:
        return None, [_problem(source, error, model) for error in exc.errors(include_url=False)]


# Plain descriptions of the patterns in the model, for error messages.
_PATTERNS = {
    "id": "lower-case letters, digits and hyphens (for example 'clonazepam')",
    "language": "a language tag such as 'en' or 'en-GB'",
    "url": "a web address starting with http:// or https://",
    "website": "a web address starting with http:// or https://",
    "email": "an email address such as hello@example.org",
    "extends": "a brand's folder name: lower-case letters, digits and hyphens",
    "primary": "a colour written as #rrggbb, for example #0b6e4f",
    "accent": "a colour written as #rrggbb, for example #0b6e4f",
    "shade": "a colour written as #rrggbb, for example #0b6e4f",
}


def _problem(source: Source, error: dict, model: type[BaseModel]) -> Problem:
    path: KeyPath = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx", {})
    found = _describe(error.get("input"))

    if kind == "missing":
        return source.problem(path, f"required key '{path[-1]}' is missing")
    if kind == "extra_forbidden":
        message = f"unknown key '{path[-1]}'"
        allowed = _allowed_keys(model, path[:-1])
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
        if close:
            message += f" (did you mean '{close[0]}'?)"
        elif allowed:
            message += f"; allowed keys here: {', '.join(allowed)}"
        return source.problem(path, message)

    expected = {
        "string_type": "text",
        "list_type": "a list",
        "model_type": "a mapping (key: value lines)",
        "model_attributes_type": "a mapping (key: value lines)",
        "dict_type": "a mapping (key: value lines)",
        "bool_type": "true or false",
        "bool_parsing": "true or false",
        "date_type": "a date written as YYYY-MM-DD",
        "date_parsing": "a date written as YYYY-MM-DD",
        "date_from_datetime_parsing": "a date written as YYYY-MM-DD",
        "date_from_datetime_inexact": "a date written as YYYY-MM-DD",
        "string_pattern_mismatch": _PATTERNS.get(str(path[-1]), f"text matching {ctx.get('pattern')}"),
        "string_too_short": "text",
        "literal_error": f"one of {ctx.get('expected')}",
    }.get(kind)
    if kind == "too_short":
        message = f"expected at least {ctx.get('min_length')} item(s), found {ctx.get('actual_length')}"
    elif kind == "too_long" and isinstance(error.get("input"), list):
        message = f"expected at most {ctx.get('max_length')} item(s), found {ctx.get('actual_length')}"
    elif kind == "string_too_long":
        message = f"text is too long ({len(error['input'])} characters; at most {ctx.get('max_length')})"
    elif kind == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
    elif expected:
        message = f"expected {expected}, found {found}"
        if kind == "string_type" and isinstance(error.get("input"), (bool, int, float, dt.date)):
            message += " (put the text in quotes)"
    else:
        message = f"{error['msg']}, found {found}"
    return source.problem(path, message)


def _allowed_keys(model: type[BaseModel] | None, path: KeyPath) -> list[str]:
    """The keys ``model`` accepts at ``path``, for "did you mean" hints."""
    for part in path:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field else None
    return sorted(model.model_fields) if model else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found:
            return found
    return None


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"'{shown}'" if value.strip() else "empty text"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    return type(value).__name__
