"""YAML from many hands, made safe to parse.

Leaflet and brand files come from pharmacists, clinic staff and shared
folders, so a file may be a mistake or an attack. ``screen`` reads the YAML
event stream once, before any node is built, and refuses what could hang,
crash or mislead: nesting deep enough to overflow libyaml's C stack, aliases
that expand into billions of values, tags that name Python objects, and
characters that are invisible or reorder text. ``Loader`` then builds the
document, turning an impossible value (such as 2026-02-30) into a YAML error
with a line rather than a traceback.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.problems import KeyPath, Problem

# Leaflets nest about 6 levels deep and brands 3. libyaml's composer recurses
# in C, so a file nested some ten thousand levels deep crashes the process.
MAX_DEPTH = 20
# How many values aliases (*name) may repeat, in all. A "billion laughs" file
# repeats billions from a few lines; a reasonable file repeats none.
MAX_ALIAS_VALUES = 10_000

_BIDI = "\u202a-\u202e\u2066-\u2069"
# Invisible characters that no leaflet needs: control characters other than
# tab and line breaks, the noncharacters U+FFFE and U+FFFF, and the
# bidirectional embeddings, overrides and isolates, which can make text print
# in a different order from the one a reviewer reads in the file.
FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}\ufffe\uffff]")
# Inside a value, where escapes such as "\r" have been decoded, a carriage
# return is one too: YAML turns real line breaks into "\n".
_FORBIDDEN_IN_VALUES = re.compile(f"[\r{FORBIDDEN.pattern[1:-1]}]")

_CORE = "tag:yaml.org,2002:"
# The tags of plain data. "!" is YAML's "no particular type" (a string).
SAFE_TAGS = {"!"} | {_CORE + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")}


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # the C loader is ten times faster
    """The safe loader, where a value that cannot be built is a ``BadValue`` with a line."""


class BadValue(yaml.constructor.ConstructorError):
    """A value YAML reads as a date, number or yes/no, that is not one."""


def _checked(tag: str, what: str) -> None:
    construct = Loader.yaml_constructors[_CORE + tag]

    def build(loader: Loader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            # PyYAML lets these escape: "2026-02-30" is a timestamp to its
            # resolver, and then not a date; "!!int abc" is not a number.
            # Only a date's reason ("day is out of range for month") helps the reader.
            detail = f" ({exc})" if tag == "timestamp" else ""
            raise BadValue(
                None, None, f"'{_shorten(str(node.value))}' is not {what}{detail}", node.start_mark
            ) from None

    Loader.add_constructor(_CORE + tag, build)


for _tag, _what in (("timestamp", "a real date"), ("int", "a whole number"), ("float", "a number"), ("bool", "true or false")):
    _checked(_tag, _what)


@dataclass
class _Open:
    """A mapping or list the event stream is inside."""

    path: KeyPath
    is_map: bool
    anchor: str | None
    values: int = 1  # values it holds once its aliases are expanded, itself included
    children: int = 0  # in a mapping, keys and values both count
    key: Any = None  # in a mapping, the key of the value that comes next


def screen(file: Path, text: str) -> list[Problem]:
    """What must stop ``text`` before it is composed, each with its line and key path.

    Stops at the first nesting or alias problem: reading on could be what
    hangs. A syntax error raises ``yaml.YAMLError`` unless something was
    found before it.
    """
    try:
        return _screen(file, text, Loader)
    except yaml.YAMLError:
        # libyaml (from PyYAML 6.0.4) refuses deep flow nesting, "[[[[...",
        # itself, while it looks ahead, before the events that would let the
        # depth check below name the line. The pure-Python parser has no such
        # limit and looks ahead at most 1,024 characters, so read again with
        # it: the depth check then stops the file, and a real syntax error is
        # raised as before.
        return _screen(file, text, yaml.SafeLoader)


def _screen(file: Path, text: str, loader: type) -> list[Problem]:
    problems: list[Problem] = []
    found = list(FORBIDDEN.finditer(text))
    if found:
        # libyaml stops at the first control character with no line or key; a
        # stand-in lets the scan carry on and place every one.
        text = FORBIDDEN.sub("\ufffd", text)
    scalars: list[tuple[int, int, KeyPath]] = []  # (start, end, key path), to place those characters
    stack: list[_Open] = []
    anchored: dict[str, int] = {}
    repeated = 0

    def place(event: yaml.NodeEvent) -> KeyPath:
        if not stack:
            return ()
        parent = stack[-1]
        parent.children += 1
        if not parent.is_map:
            return parent.path + (parent.children - 1,)
        if parent.children % 2:  # a key, which names itself and the value after it
            # A key shows in messages: never let one carry a control character to the terminal.
            parent.key = _FORBIDDEN_IN_VALUES.sub("\ufffd", event.value) if isinstance(event, yaml.ScalarEvent) else None
        return parent.path + ((parent.key,) if parent.key is not None else ())

    def stop(event: yaml.Event, path: KeyPath, message: str) -> None:
        problems.append(Problem(file, event.start_mark.line + 1, path, message))

    try:
        for event in yaml.parse(text, Loader=loader):
            if not isinstance(event, yaml.NodeEvent):
                if isinstance(event, yaml.CollectionEndEvent):
                    done = stack.pop()
                    if done.anchor is not None:
                        anchored[done.anchor] = done.values
                    if stack:
                        stack[-1].values += done.values
                continue
            path = place(event)
            if isinstance(event, yaml.AliasEvent):
                if any(open_.anchor == event.anchor for open_ in stack):
                    stop(event, path, f"the alias *{event.anchor} is inside its own anchor &{event.anchor}, so it would repeat forever")
                    break
                repeated += anchored.get(event.anchor, 1)
                if stack:
                    stack[-1].values += anchored.get(event.anchor, 1)
                if repeated > MAX_ALIAS_VALUES:
                    stop(event, path, f"aliases (*name) repeat more than {MAX_ALIAS_VALUES:,} values in all; write the text out instead")
                    break
                continue
            if event.tag is not None and event.tag not in SAFE_TAGS:
                stop(event, path, f"the YAML tag '{event.tag.replace(_CORE, '!!')}' is not allowed: "
                     "these files hold only text, numbers, dates, yes/no values, lists and key: value lines")
            if isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    anchored[event.anchor] = 1
                if stack:
                    stack[-1].values += 1
                scalars.append((event.start_mark.index, event.end_mark.index, path))
                if escaped := _FORBIDDEN_IN_VALUES.search(event.value):
                    stop(event, path, describe(escaped[0], escaped=True))
            else:
                if len(stack) == MAX_DEPTH:
                    stop(event, path, f"the file is nested more than {MAX_DEPTH} levels deep; leaflets and brands need far fewer")
                    break
                stack.append(_Open(path, isinstance(event, yaml.MappingStartEvent), event.anchor))
    except yaml.YAMLError:
        if not (problems or found):
            raise
    starts = [start for start, _, _ in scalars]
    for match in found:
        index = bisect.bisect_right(starts, match.start()) - 1
        path = scalars[index][2] if index >= 0 and match.start() < scalars[index][1] else ()
        problems.append(Problem(file, text.count("\n", 0, match.start()) + 1, path, describe(match[0])))
    return sorted(problems, key=lambda p: p.line or 0)


def describe(char: str, escaped: bool = False) -> str:
    """Why ``char`` is refused, for an error message."""
    code = f"U+{ord(char):04X}"
    written = ", written as an escape," if escaped else ""
    if re.match(f"[{_BIDI}]", char):
        return (
            f"the bidirectional control character {code} ({unicodedata.name(char).lower()}){written} is not allowed: "
            "it can make text print in a different order from the way it reads in the file"
        )
    if char in "\ufffe\uffff":
        return f"{code}{written} is not a character; delete it"
    hidden = "" if escaped else " (most editors do not show it)"
    return f"the control character {code}{written} is not allowed; delete it{hidden}"


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
