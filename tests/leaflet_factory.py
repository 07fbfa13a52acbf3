"""Leaflets with every key filled in, made by walking the content model.

The security and fuzz tests put hostile or random text in every field a
leaflet has, including fields added after these tests were written.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Callable

from annotated_types import MaxLen, MinLen
from pydantic import BaseModel

from generator.content.model import Leaflet

# Fields whose values must follow a pattern: the tests give them fixed values.
FIXED = {
    ("id",): "factory",
    ("language",): "en-GB",
    ("review", "status"): "example",
    ("review", "last_reviewed"): dt.date(2026, 11, 1),
    ("translation",): None,  # a translation needs its source leaflet beside it
}

# (key path, maximum length) -> text; (key path, minimum, maximum) -> how many list items.
TextMaker = Callable[[tuple, int], str]
CountMaker = Callable[[tuple, int, int], int]


def full_leaflet(text: TextMaker, count: CountMaker = lambda path, low, high: max(low, min(high, 2)), url: str = "https://example.org/") -> dict:
    """A leaflet (as YAML data) with every key present, that passes every check
    as long as ``text`` gives non-empty text."""
    data = _fill(Leaflet, (), text, count, url)
    data["medicine"]["has_boxed_warning"] = True
    medicines = data["comparison"]["medicines"]
    if medicines:
        medicines[0]["name"] = data["medicine"]["name"]  # exactly one column is this leaflet's medicine
    for index, row in enumerate(data["comparison"]["rows"]):
        row["cells"] = [text(("comparison", "rows", index, "cells", i), 4000) for i in range(len(medicines))]
    return data


def _fill(model: type[BaseModel], path: tuple, text: TextMaker, count: CountMaker, url: str) -> dict:
    out = {}
    for name, field in model.model_fields.items():
        here = path + (name,)
        if here in FIXED:
            out[name] = FIXED[here]
        elif name == "url":
            out[name] = url
        else:
            out[name] = _value(field.annotation, field.metadata, here, text, count, url)
    return out


def _value(annotation, metadata, path: tuple, text: TextMaker, count: CountMaker, url: str):
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _value(inner, [], path, text, count, url)
    if origin is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _value(inner, [*metadata, *extra], path, text, count, url)
    if origin is list:
        (inner,) = typing.get_args(annotation)
        low = max([m.min_length for m in metadata if isinstance(m, MinLen)] or [1])
        high = min([m.max_length for m in metadata if isinstance(m, MaxLen)] or [10_000])
        return [_value(inner, [], path + (i,), text, count, url) for i in range(count(path, low, high))]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _fill(annotation, path, text, count, url)
    if origin is typing.Literal:
        return typing.get_args(annotation)[0]
    if annotation is dt.date:
        return dt.date(2026, 1, 1)
    if annotation is bool:
        return False
    if annotation is int:  # numbers that pick list items (the sheet's): 1, 2, ..., each once
        return path[-1] + 1 if isinstance(path[-1], int) else 1
    if annotation is str:
        limits = [getattr(m, "max_length", None) for m in metadata]
        return text(path, min([n for n in limits if n] or [4000]))
    raise TypeError(f"no value for {path}: {annotation!r}")
