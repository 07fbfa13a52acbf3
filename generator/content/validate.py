"""Check parsed data against a pydantic model, and say what is wrong in plain words.

One translator serves every file the tool reads: leaflets and brands (YAML)
and the project settings (TOML). Each pydantic error becomes one
``file:line: key.path: message`` problem, saying what was expected and what
was found, with "did you mean" for a misspelt key.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from generator.content.model import Frequency
from generator.content.source import Source
from generator.problems import KeyPath, Problem

M = TypeVar("M", bound=BaseModel)
FREQUENCIES = get_args(Frequency)

# What a key: value mapping is called in each file format.
YAML_MAPPING = "a mapping (key: value lines)"
TOML_MAPPING = "a table"
_WEB_ADDRESS = "a web address starting with http:// or https://"
_COLOUR = "a colour written as #rrggbb, for example #0b6e4f"
# Plain descriptions of the patterns in the models, by key name, for messages.
PATTERNS = {
    "id": "lower-case letters, digits and hyphens (for example 'clonazepam')",
    "language": "a language tag such as 'en' or 'en-GB'",
    "url": _WEB_ADDRESS,
    "website": _WEB_ADDRESS,
    "email": "an email address such as hello@example.org",
    "extends": "a brand's folder name: lower-case letters, digits and hyphens",
    "primary": _COLOUR,
    "accent": _COLOUR,
    "shade": _COLOUR,
}
_DATE = "a date written as YYYY-MM-DD"
_EXPECTED = {
    "string_type": "text",
    "string_too_short": "text",
    "list_type": "a list",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
}
_MAPPING_TYPES = ("model_type", "model_attributes_type", "dict_type")
_BOUNDS = {"greater_than": "more than", "greater_than_equal": "at least", "less_than": "less than", "less_than_equal": "at most"}


def validate(source: Source, model: type[M]) -> tuple[M | None, list[Problem]]:
    """The model built from a YAML file, or None and every problem found."""
    if not isinstance(source.data, dict):
        return None, [source.problem((), f"expected key: value lines at the top, found {describe(source.data)}")]
    try:
        return model.model_validate(source.data), []
    except ValidationError as exc:
        return None, translate(exc, model, source.file, source.line_of)


def translate(
    exc: ValidationError,
    model: type[BaseModel],
    file: Path,
    line_of: Callable[[KeyPath], int | None],
    prefix: KeyPath = (),
    mapping: str = YAML_MAPPING,
) -> list[Problem]:
    """Every error pydantic found, as problems. ``line_of`` finds a key's line;
    ``prefix`` is where the validated data sits in the file (``tool.leaflet``)."""
    problems = []
    for error in exc.errors(include_url=False):
        path: KeyPath = tuple(error["loc"])
        problems.append(Problem(file, line_of(path), prefix + path, _message(error, path, model, mapping)))
    return problems


def _message(error: dict, path: KeyPath, model: type[BaseModel], mapping: str) -> str:
    kind, ctx, value = error["type"], error.get("ctx", {}), error.get("input")
    found = describe(value, mapping)
    if kind == "missing":
        return f"required key '{path[-1]}' is missing"
    if kind == "extra_forbidden":
        if path[-1] in FREQUENCIES and path[:-1] == ("side_effects",):
            # "common" is also a group, so "did you mean 'common'?" would mislead.
            return (
                f"'{path[-1]}' is how often a side effect happens, not a group: side effects are grouped by what "
                f"to do (serious, common). Give each side effect 'frequency: {path[-1]}' instead"
            )
        allowed = _allowed_keys(model, path[:-1])
        close = difflib.get_close_matches(str(path[-1]), allowed, n=1, cutoff=0.6)
        if close:
            return f"unknown key '{path[-1]}' (did you mean '{close[0]}'?)"
        return f"unknown key '{path[-1]}'" + (f"; allowed keys here: {', '.join(allowed)}" if allowed else "")
    if kind == "too_short":
        return f"expected at least {ctx.get('min_length')} item(s), found {ctx.get('actual_length')}"
    if kind == "too_long" and isinstance(value, list):
        return f"expected at most {ctx.get('max_length')} item(s), found {ctx.get('actual_length')}"
    if kind == "string_too_long":
        return f"text is too long ({len(value)} characters; at most {ctx.get('max_length')})"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind in _BOUNDS:
        return f"must be {_BOUNDS[kind]} {next(iter(ctx.values())):g}, found {found}"
    if kind == "string_pattern_mismatch":
        expected = PATTERNS.get(str(path[-1]), f"text matching {ctx.get('pattern')}")
    elif kind == "literal_error":
        expected = f"one of {ctx.get('expected')}"
    elif kind in _MAPPING_TYPES:
        expected = mapping
    else:
        expected = _EXPECTED.get(kind)
    if expected is None:
        return f"{error['msg']}, found {found}"
    message = f"expected {expected}, found {found}"
    if kind == "string_type" and isinstance(value, (bool, int, float, dt.date)):
        message += " (put the text in quotes)"
    return message


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


def describe(value: Any, mapping: str = YAML_MAPPING) -> str:
    """A value as the reader wrote it, for "found ..." in messages."""
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
        return mapping
    return type(value).__name__
