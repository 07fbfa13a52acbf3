"""The starter file for a new leaflet, as ``leaflet new`` writes it.

Every key of the content model is in it, in the order the leaflet is printed
(``templates/print_order.yaml``), each with a note in plain words from
``starter_notes.yaml``. Nothing in it can be printed by mistake:

- every part is switched off (commented out) until the author writes it;
- a part switched on but not filled in has empty values: an empty text or
  list item is an error, and an empty optional key prints nothing;
- the only values given are ``id``, ``language`` and a ``draft`` review dated
  today, so a fresh starter fails ``leaflet check`` only for what is missing.

No I/O happens here beyond reading the notes; the public API writes the file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from annotated_types import MinLen
from pydantic import BaseModel, TypeAdapter, ValidationError

from generator.content.catalogue import Catalogue, catalogue
from generator.content.load import DEFAULT_DIR, SUFFIXES
from generator.content.model import Body, Leaflet, Slug, Text
from generator.content.print_order import print_order
from generator.content.rules import required_sections

SCHEMA_LINE = "# yaml-language-server: $schema=../docs/leaflet.schema.json"
LANGUAGE = "en-GB"
# A note is "## text"; a switched-off line starts with "# " at the very start.
NOTE = "##"
OFF = "# "
WIDTH = 79
ITEM = "[]"  # stands for any item of a list in a key path

KeyPath = tuple[str, ...]
_TEXT = typing.get_args(Text)[1:]  # the constraints that make a str paragraph text
_SLUG = TypeAdapter(Slug)


@dataclass(frozen=True)
class Notes:
    keys: dict[str, str]
    shared: dict[str, str]
    headings: dict[str, str]
    items: dict[str, int]


@cache
def notes() -> Notes:
    data = yaml.safe_load(files(__package__).joinpath("starter_notes.yaml").read_text("utf-8"))
    return Notes(**{name: data.get(name) or {} for name in ("keys", "shared", "headings", "items")})


def check_id(leaflet_id: str) -> str:
    """``leaflet_id`` if it is a valid leaflet id (``Slug``); otherwise ``ValueError`` saying why."""
    try:
        return _SLUG.validate_python(leaflet_id)
    except ValidationError:
        pass
    message = (
        f"'{leaflet_id}' is not a valid leaflet id: use lower-case letters a-z, digits and hyphens, "
        "starting with a letter or digit, at most 64 characters"
    )
    suggestion = _suggest_id(leaflet_id)
    raise ValueError(message + (f" (did you mean '{suggestion}'?)" if suggestion else ""))


def _suggest_id(text: str) -> str | None:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:64].rstrip("-")
    return slug if slug and slug != text else None


def starter_file(leaflet_id: str, out: Path | None = None) -> Path:
    """Where the starter for ``leaflet_id`` goes: ``leaflets/<id>.yaml``, ``out`` itself, or
    ``out/<id>.yaml`` when ``out`` is a folder. ``ValueError`` for a bad id or a name leaflets cannot have."""
    check_id(leaflet_id)  # before it becomes part of a path
    if out is None:
        return DEFAULT_DIR / f"{leaflet_id}.yaml"
    out = Path(out)
    if out.is_dir():
        return out / f"{leaflet_id}.yaml"
    if out.suffix not in SUFFIXES:
        raise ValueError(
            f"'{out}' is neither a folder nor a file name ending in {' or '.join(SUFFIXES)}; "
            "leaflet check and leaflet build only find leaflets by those endings"
        )
    return out


def starter(leaflet_id: str, today: dt.date, file: Path | None = None, language: str = LANGUAGE) -> str:
    """The text of a new leaflet file for ``leaflet_id``, reviewed ``today``, as a draft.
    ``file`` is where it will be, for the commands its notes give."""
    check_id(leaflet_id)
    values: dict[KeyPath, Any] = {
        ("id",): leaflet_id,
        ("language",): language,
        ("review", "status"): "draft",
        ("review", "last_reviewed"): today,
    }
    writer = _Writer(notes(), catalogue(language), values)
    lines = [SCHEMA_LINE, *_header(leaflet_id, file or starter_file(leaflet_id))]
    for name in ordered(Leaflet):
        writer.seen.clear()  # shared notes are given once in each part
        info = Leaflet.model_fields[name]
        here = (name,)
        lines.append("")
        if name in print_order().header + print_order().leaflet:
            lines.append(writer.banner(name))
        lines += writer.note_lines(writer.note(Leaflet, name, here), 0)
        body = writer.value(info.annotation, info.metadata, here, 0, name)
        lines += body if writer.active(here) else switch_off(body)
    return "\n".join(lines) + "\n"


def ordered(model: type[BaseModel]) -> list[str]:
    """A model's keys in printed order (``print_order.yaml``); keys that are not printed first."""
    order = print_order().of(model)
    names = list(model.model_fields)
    return [n for n in names if n not in order] + [n for n in order if n in names]


def switch_off(lines: list[str]) -> list[str]:
    """Comment out lines of YAML, so that deleting the first two characters brings them back."""
    return [OFF + line for line in lines]


def dotted(path: KeyPath) -> str:
    """``("warnings", "[]", "title")`` -> ``warnings[].title``."""
    return ".".join(path).replace(f".{ITEM}", ITEM)


def _header(leaflet_id: str, path: Path) -> list[str]:
    file = Path(path).as_posix()
    paragraphs = [
        'A new leaflet. Write it for the patient: short sentences, plain words, "you". '
        "Take every fact from a source you name under review.sources. Never give a dose "
        'for a patient: write "Your doctor will tell you your dose." Keep the first line: '
        "it lets editors check the keys as you type.",
        "",
        "How to fill it in:",
        f'- Lines that start with "{NOTE}" are notes for you. They are never printed.',
        f'- Lines that start with "{OFF.strip()}" and a space are parts of the leaflet, switched off. '
        f'To write a part, delete the "{OFF.strip()}" and the space at the start of each of its lines, '
        "and keep the other spaces: they matter. Most editors do a whole block at once "
        "(Ctrl+/, or Cmd+/ on a Mac).",
        '- Then write after each key. For paragraphs, write on the lines under "text:\u00a0|", '
        'indented further than "text". A blank line starts a new paragraph.',
        "- Nothing left empty is printed: an empty text or list item is an error, and an "
        'empty optional key is left out. Delete the keys marked "Optional" that you do not '
        "need, and leave switched off the parts the leaflet does not need.",
        '- The parts are in the order they are printed. While parts marked "required" are '
        f"missing, `leaflet check {file}` lists them. When it passes, "
        f"`leaflet build {file}` makes out/{leaflet_id}.pdf.",
        "- Every key is described in docs/content-format.md.",
    ]
    lines = [NOTE]
    for paragraph in paragraphs:
        indent = "  " if paragraph.startswith("- ") else ""
        wrapped = textwrap.wrap(paragraph, WIDTH - len(NOTE) - 1, subsequent_indent=indent) or [""]
        lines += [f"{NOTE} {line}".rstrip().replace("\u00a0", " ") for line in wrapped]
    return lines


def _unwrap(annotation: Any, metadata: typing.Iterable = ()) -> tuple[Any, list]:
    """``X | None`` and ``Annotated[X, ...]`` -> ``X``, with the constraints found on the way."""
    metadata = list(metadata)
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        elif origin is typing.Annotated:
            annotation, *extra = typing.get_args(annotation)
            metadata += extra
        else:
            return annotation, metadata


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _scalar(value: Any) -> str:
    """A value as YAML reads it back unchanged: quoted only when it would be misread."""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if yaml.safe_load(f"key: {text}") == {"key": text} else json.dumps(text)


@dataclass
class _Writer:
    notes: Notes
    messages: Catalogue
    values: dict[KeyPath, Any]
    seen: set[str] = field(default_factory=set)

    def active(self, path: KeyPath) -> bool:
        """Whether the key is written as a value: it, or a key inside it, has one."""
        return any(key[: len(path)] == path for key in self.values)

    def required(self, model: type[BaseModel], name: str, path: KeyPath) -> str | None:
        """"required", "required if ...", or None for an optional key."""
        where = dotted(path)
        for section in required_sections():
            if section.path == where or section.path.startswith(where + "."):
                return "required" if section.when is None else f"required if {section.when}: true"
        return "required" if model.model_fields[name].is_required() else None

    def message(self, key: str) -> str:
        return self.messages(key, medicine="<medicine>")

    def with_messages(self, text: str) -> str:
        """``{what_to_do}`` in a note -> the message, as printed on the leaflet."""

        def fill(match: re.Match) -> str:
            try:
                return self.message(match.group(1))
            except KeyError:
                return match.group(0)

        return re.sub(r"\{(\w+)\}", fill, text)

    def note(self, model: type[BaseModel], name: str, path: KeyPath) -> str | None:
        """The note for a key, from ``starter_notes.yaml``, given once in each part of the file
        (the second item of a list, or a shared key in a sub-section, has none)."""
        key = dotted(path)
        if key not in self.notes.keys:
            shared = (f"{kind.__name__}.{name}" for kind in model.__mro__)
            key = next((k for k in shared if k in self.notes.shared), "")
        text = self.notes.keys.get(key) or self.notes.shared.get(key)
        if text is None or key in self.seen:
            return None
        self.seen.add(key)
        text = self.with_messages(" ".join(text.split()))
        if len(path) > 1:
            if any(section.path == dotted(path) for section in required_sections()):
                text = f"Required. {text}"
            elif self.required(model, name, path) is None and not issubclass(model, Body):
                text = f"Optional. {text}"  # not for a section's keys: it needs one of them
        return text

    def note_lines(self, text: str | None, indent: int) -> list[str]:
        if not text:
            return []
        pad = " " * indent
        width = WIDTH - indent - len(NOTE) - 1 - (len(OFF) if indent else 0)
        return [f"{pad}{NOTE} {line}" for line in textwrap.wrap(text, max(width, 40))]

    def banner(self, name: str) -> str:
        """``## --- uses: "What <medicine> is used for" (required) ----``: a printed part."""
        try:
            heading = f': "{self.message(self.notes.headings.get(name, name))}"'
        except KeyError:
            heading = ""  # no fixed heading: the title, the medicine line, extra sections
        need = self.required(Leaflet, name, (name,)) or "optional"
        text = f"{NOTE} --- {name}{heading} ({need}) "
        return text + "-" * max(3, WIDTH - len(text))

    def block(self, model: type[BaseModel], path: KeyPath, indent: int) -> list[str]:
        """The keys of one mapping, each after its note."""
        lines = []
        for name in ordered(model):
            info = model.model_fields[name]
            here = path + (name,)
            lines += self.note_lines(self.note(model, name, here), indent)
            body = self.value(info.annotation, info.metadata, here, indent, name)
            # Inside a part that is written, a key without a value is switched off on its own.
            lines += switch_off(body) if self.active(path) and not self.active(here) else body
        return lines

    def count(self, path: KeyPath, metadata: list) -> int:
        """How many empty items a list starts with: enough to be valid."""
        lowest = [m.min_length for m in metadata if isinstance(m, MinLen)]
        lowest += [s.min_items for s in required_sections() if s.path == dotted(path)]
        return max([1, self.notes.items.get(dotted(path), 1), *lowest])

    def value(self, annotation: Any, metadata: list, path: KeyPath, indent: int, name: str) -> list[str]:
        """A key and its value: given, or empty for the author to fill in."""
        annotation, metadata = _unwrap(annotation, metadata)
        key = " " * indent + f"{name}:"
        if path in self.values:
            return [f"{key} {_scalar(self.values[path])}"]
        if _is_model(annotation):
            return [key, *self.block(annotation, path, indent + 2)]
        if typing.get_origin(annotation) is list:
            (inner,) = typing.get_args(annotation)
            lines = [key]
            for _ in range(self.count(path, metadata)):
                lines += self.item(inner, path + (ITEM,), indent + 2)
            return lines
        if annotation is str and all(m in metadata for m in _TEXT):
            return [f"{key} |"]  # paragraphs go on the lines below
        return [key]

    def item(self, annotation: Any, path: KeyPath, indent: int) -> list[str]:
        """One empty list item; a mapping's first key goes on the "- " line."""
        annotation, _ = _unwrap(annotation)
        if not _is_model(annotation):
            return [" " * indent + "-"]
        lines = self.block(annotation, path, indent + 2)
        first = next(i for i, line in enumerate(lines) if not line.lstrip().startswith("#"))
        notes = [line[2:] for line in lines[:first]]
        return [*notes, " " * indent + "- " + lines[first][indent + 2 :], *lines[first + 1 :]]
