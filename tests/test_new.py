"""`leaflet new`: the starter file for a new leaflet.

A fresh starter is valid YAML, a draft reviewed today, and fails `leaflet
check` only for the content still missing. It has every key of the content
model, in printed order, each with a note. Nothing in it can be printed by
mistake: switched on but not filled in, it fails; filled in, it builds and
every value is in the PDF.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from pathlib import Path

import pytest
import yaml
from conftest import run_leaflet
from pdftools import page_texts
from pydantic import BaseModel

import generator
from generator.batch.write import write_atomic
from generator.content.catalogue import catalogue
from generator.content.model import Body, Leaflet, SideEffects
from generator.content.print_order import print_order
from generator.content.rules import required_sections
from generator.content.starter import SCHEMA_LINE, notes, starter
from generator.verify.text import normalise

TODAY = dt.date(2026, 5, 4)
# The values a starter writes; everything else is left for the author.
GIVEN = {("id",), ("language",), ("review", "status"), ("review", "last_reviewed")}
ERROR = re.compile(r"^error: (?P<file>[^:]+):(?P<line>\d+): (?P<key>[\w.\[\]]+): (?P<message>.+)$")


def switched_on(text: str) -> str:
    """The starter with every part switched on, as an author does: delete the "# " at
    the start of a line (the first line, the schema, is kept)."""
    first, *rest = text.splitlines()
    return "\n".join([first, *(line[2:] if line.startswith("# ") else line for line in rest)]) + "\n"


def unwrap(annotation):
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            (annotation,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        elif origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def is_model(annotation) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def model_paths(model: type[BaseModel], path: tuple = ()) -> set[tuple]:
    """Every key the content model has, with "[]" for any item of a list."""
    found = set()
    for name, info in model.model_fields.items():
        here = path + (name,)
        found.add(here)
        inner = unwrap(info.annotation)
        if typing.get_origin(inner) is list:
            here, inner = here + ("[]",), unwrap(typing.get_args(inner)[0])
        if is_model(inner):
            found |= model_paths(inner, here)
    return found


def data_paths(data, path: tuple = ()) -> set[tuple]:
    found = set()
    if isinstance(data, dict):
        for key, value in data.items():
            found |= {path + (key,)} | data_paths(value, path + (key,))
    elif isinstance(data, list):
        for item in data:
            found |= data_paths(item, path + ("[]",))
    return found


def leaves(data, path: tuple = ()):
    """(key path, value) of every value that is not a mapping or a list."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaves(value, path + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from leaves(item, path + (index,))
    else:
        yield path, data


def mappings(data, model, path: tuple = ()):
    """(model, mapping) for every mapping in the data, with the model it is read as."""
    yield model, data
    for key, value in data.items():
        inner = unwrap(model.model_fields[key].annotation)
        items = value if typing.get_origin(inner) is list else [value]
        inner = unwrap(typing.get_args(inner)[0]) if typing.get_origin(inner) is list else inner
        if is_model(inner):
            for item in items:
                yield from mappings(item, inner)


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


# The file itself


def test_api_writes_a_valid_yaml_draft_reviewed_today(workdir):
    written = generator.new("examplozin", today=TODAY)
    assert written == Path("leaflets/examplozin.yaml")
    text = written.read_text("utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE == "# yaml-language-server: $schema=../docs/leaflet.schema.json"
    data = yaml.safe_load(text)
    assert data == {
        "id": "examplozin",
        "language": "en-GB",
        "review": {"status": "draft", "last_reviewed": TODAY},
    }
    assert not list(workdir.rglob("*.part")), "a temporary file was left behind"


def test_the_review_date_is_today_by_default(workdir):
    data = yaml.safe_load(generator.new("examplozin").read_text("utf-8"))
    assert data["review"]["last_reviewed"] == dt.date.today()


def test_every_key_of_the_content_model_is_in_the_starter():
    data = yaml.safe_load(switched_on(starter("examplozin", TODAY)))
    assert data_paths(data) == model_paths(Leaflet)
    # the features added for real leaflets, by name
    for path in [
        ("medicine", "strengths"), ("medicine", "form"), ("medicine", "route"),
        ("medicine", "source_leaflet", "revised"),
        ("side_effects", "serious", "items", "[]", "frequency"), ("side_effects", "common", "items", "[]", "frequency"),
        ("who_should_not_take", "do_not_take"), ("who_should_not_take", "check_first"),
        ("how_to_take", "steps"), ("how_to_take", "subsections", "[]", "steps"),
        ("warnings", "[]", "points"), ("warnings", "[]", "action_points"), ("boxed_warning", "action_points"),
    ]:
        assert path in data_paths(data), path


def test_the_starter_follows_the_print_order():
    data = yaml.safe_load(switched_on(starter("examplozin", TODAY)))
    order = print_order()
    printed = list(order.header + order.leaflet + order.after)
    assert list(data) == ["id", "language", *printed], "not printed first, then everything in printed order"
    for model, mapping in mappings(data, Leaflet):
        if issubclass(model, Body):
            wanted = order.section
        elif model is SideEffects:
            wanted = order.side_effects
        else:
            continue
        assert [key for key in wanted if key in mapping] == list(mapping), (model.__name__, list(mapping))


def test_every_key_has_a_note_and_no_note_is_stale():
    paths = model_paths(Leaflet)
    dotted = {".".join(p).replace(".[]", "[]") for p in paths}
    given = notes()
    assert set(given.keys) <= dotted, f"notes for keys the model does not have: {set(given.keys) - dotted}"
    kinds = {}

    def walk(model, path=()):
        for name, info in model.model_fields.items():
            here = path + (name,)
            kinds[here] = model
            inner = unwrap(info.annotation)
            if typing.get_origin(inner) is list:
                here, inner = here + ("[]",), unwrap(typing.get_args(inner)[0])
            if is_model(inner):
                walk(inner, here)

    walk(Leaflet)
    shared_used = set()
    for path, model in kinds.items():
        key = ".".join(path).replace(".[]", "[]")
        if key in given.keys:
            continue
        shared = [f"{k.__name__}.{path[-1]}" for k in model.__mro__ if f"{k.__name__}.{path[-1]}" in given.shared]
        assert shared, f"no note for {key}: add one to generator/content/starter_notes.yaml"
        shared_used.add(shared[0])
    assert set(given.shared) == shared_used, f"shared notes never used: {set(given.shared) - shared_used}"


def test_the_notes_give_the_rules_for_medical_content():
    text = starter("examplozin", TODAY)
    flat = " ".join(line.lstrip("# ") for line in text.splitlines())
    assert "Never give a dose for a patient" in flat
    assert 'write "Your doctor will tell you your dose."' in flat
    assert "source you name under review.sources" in flat
    # printed headings come from the message catalogue
    assert f'## --- uses: "{catalogue("en-GB")("uses", medicine="<medicine>")}" (required)' in text
    assert "## --- boxed_warning:" in text and "(required if medicine.has_boxed_warning: true)" in text


def test_the_starter_holds_no_text_that_could_be_printed():
    """Switched on but not filled in, every value is empty: no placeholder can reach a leaflet."""
    data = yaml.safe_load(switched_on(starter("examplozin", TODAY)))
    filled = {path: value for path, value in leaves(data) if value not in (None, "")}
    assert set(filled) == GIVEN
    # a "|" block holds nothing, not even a note that follows it
    assert "#" not in "".join(str(v) for v in filled.values())


@pytest.mark.parametrize("leaflet_id", ["1234", "2026-01-01", "null", "true", "on", "0x1f", "1-2"])
def test_an_id_yaml_would_misread_is_quoted(leaflet_id):
    assert yaml.safe_load(starter(leaflet_id, TODAY))["id"] == leaflet_id


# leaflet check on it


def test_a_fresh_starter_fails_only_for_the_content_still_missing(workdir):
    result = run_leaflet("new", "examplozin", cwd=workdir)
    assert result.returncode == 0, result.stderr
    file = "leaflets/examplozin.yaml"
    assert result.stdout.splitlines()[0] == f"wrote {file}"

    check = run_leaflet("check", file, cwd=workdir)
    assert check.returncode == 1
    errors = [line for line in check.stderr.splitlines() if line.startswith("error:")]
    found = {}
    for line in errors:
        match = ERROR.match(line)
        assert match and match["file"] == file, f"not FILE:LINE: KEY: MESSAGE: {line}"
        found[match["key"]] = (int(match["line"]), match["message"])
    data = yaml.safe_load((workdir / file).read_text("utf-8"))
    missing_keys = {name for name, info in Leaflet.model_fields.items() if info.is_required() and name not in data}
    missing_sections = {s.path for s in required_sections() if s.when is None}
    assert set(found) == missing_keys | missing_sections
    for key, (line, message) in found.items():
        assert message == f"required key '{key}' is missing" or message.startswith("required section is missing")
    review_line = (workdir / file).read_text("utf-8").splitlines().index("review:") + 1
    assert found["review.sources"][0] == review_line
    assert "warning:" not in check.stderr and "Traceback" not in check.stderr


def test_switched_on_but_not_filled_in_it_fails_at_each_empty_key(tmp_path):
    file = tmp_path / "examplozin.yaml"
    file.write_text(switched_on(starter("examplozin", TODAY)), "utf-8")
    lines = file.read_text("utf-8").splitlines()
    findings = generator.check(file, today=TODAY).findings
    assert findings and all(f.severity == "error" for f in findings)
    for finding in findings:
        problem = finding.problem
        assert problem.message.endswith(("found nothing (an empty value)", "found empty text")), str(problem)
        assert re.fullmatch(r"\s*(- )?(\w+:( \|)?|-)", lines[problem.line - 1]), str(problem)
    result = generator.build(file, tmp_path / "out")
    assert not result.ok and not (tmp_path / "out" / "examplozin.pdf").exists()


# Filled in, it builds


def fill(data: dict) -> dict[tuple, str]:
    """Write a value into every empty key, as an author would; returns the text to look for
    in the PDF, by key path."""
    written: dict[tuple, str] = {}

    def value(current, annotation, path):
        annotation = unwrap(annotation)
        if is_model(annotation):
            for key in current:
                current[key] = value(current[key], annotation.model_fields[key].annotation, path + (key,))
            return current
        if typing.get_origin(annotation) is list:
            (inner,) = typing.get_args(annotation)
            return [value(item, inner, path + (index,)) for index, item in enumerate(current)]
        if current not in (None, ""):
            return current
        if annotation is bool:
            return True  # so the boxed warning is required, and printed
        if annotation is int:
            return 1  # the counter sheet's choice of key fact or side effect, by number
        if annotation is dt.date:
            written[path] = "revised March 2026"
            return dt.date(2026, 3, 1)
        if typing.get_origin(annotation) is typing.Literal:
            written[path] = catalogue("en-GB")("frequency_rare")
            return "rare"
        if path[-1] == "url":
            written[path] = f"https://example.org/part-{len(written) + 1}"
            return written[path]
        written[path] = f"You can read part {len(written) + 1} here."
        return written[path]

    value(data, Leaflet, ())
    # The comparison needs one column for this leaflet's medicine.
    for path in (("medicine", "name"), ("comparison", "medicines", 0, "name")):
        *parent, key = path
        target = data
        for part in parent:
            target = target[part]
        target[key] = written[path] = "Examplozin"
    del written[("review", "reviewed_by")]  # printed only once a leaflet is approved
    return written


def test_filled_in_it_builds_and_every_value_is_printed(tmp_path):
    data = yaml.safe_load(switched_on(starter("examplozin", TODAY)))
    del data["translation"]  # only a translated leaflet has one (test_translation.py)
    expected = fill(data)
    file = tmp_path / "examplozin.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    assert generator.load(file).review.status == "draft"

    result = run_leaflet("build", file, "--edition", "full,sheet", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    # The sheet: block's texts are printed on the counter sheet only.
    for edition, name in (("full", "examplozin.pdf"), ("sheet", "examplozin.sheet.pdf")):
        printed = " ".join(page_texts(tmp_path / "out" / name))
        wanted = {path: text for path, text in expected.items() if (path[0] == "sheet") == (edition == "sheet")}
        missing = {".".join(map(str, path)): text for path, text in wanted.items() if normalise(text) not in printed}
        assert not missing, f"not printed on the {edition} edition: {missing}"
        assert normalise(catalogue("en-GB")("status_draft_short")) in printed


# The command


def test_new_help():
    result = run_leaflet("new", "--help")
    assert result.returncode == 0
    assert "Usage: leaflet new [OPTIONS] ID" in result.stdout
    for words in ("leaflets/ID.yaml", "--out", "--force", "Exit codes"):
        assert words in result.stdout


@pytest.mark.parametrize("bad", ["Ibuprofen", "ibu profen", "-x", "ibuprofen.yaml", "../x", "a" * 65, "ibu_profen", ""])
def test_a_bad_id_is_a_usage_error(workdir, bad):
    result = run_leaflet("new", "--", bad, cwd=workdir)
    assert result.returncode == 2
    assert "is not a valid leaflet id" in result.stderr and "Traceback" not in result.stderr
    assert not any(workdir.rglob("*")), "a file was written for a bad id"
    with pytest.raises(ValueError, match="not a valid leaflet id"):
        generator.new(bad)


def test_a_bad_id_gets_a_suggestion(workdir):
    result = run_leaflet("new", "Ibuprofen 200", cwd=workdir)
    assert "(did you mean 'ibuprofen-200'?)" in result.stderr


def test_an_existing_file_is_never_replaced_without_force(workdir):
    target = workdir / "leaflets" / "examplozin.yaml"
    target.parent.mkdir()
    target.write_text("id: examplozin\n# my work\n", "utf-8")
    result = run_leaflet("new", "examplozin", cwd=workdir)
    assert result.returncode == 2
    assert "leaflets/examplozin.yaml is already there; give --force to replace it" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_text("utf-8") == "id: examplozin\n# my work\n"
    with pytest.raises(FileExistsError):
        generator.new("examplozin")
    assert target.read_text("utf-8") == "id: examplozin\n# my work\n"

    result = run_leaflet("new", "examplozin", "--force", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert target.read_text("utf-8").startswith(SCHEMA_LINE)
    assert not list(workdir.rglob("*.part"))


def test_out_names_a_file_or_a_folder(workdir):
    result = run_leaflet("new", "examplozin", "-o", "drafts/mine.yaml", cwd=workdir)
    assert result.returncode == 0, result.stderr
    text = (workdir / "drafts" / "mine.yaml").read_text("utf-8")
    assert "`leaflet check drafts/mine.yaml`" in " ".join(line.lstrip("# ") for line in text.splitlines())

    result = run_leaflet("new", "other", "--out", "drafts", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load((workdir / "drafts" / "other.yaml").read_text("utf-8"))["id"] == "other"

    result = run_leaflet("new", "examplozin", "-o", "mine.txt", cwd=workdir)
    assert result.returncode == 2
    assert "neither a folder nor a file name ending in .yaml or .yml" in result.stderr
    assert not (workdir / "mine.txt").exists()


def test_a_file_that_cannot_be_written_fails_cleanly(workdir):
    (workdir / "leaflets").write_text("not a folder", "utf-8")
    result = run_leaflet("new", "examplozin", cwd=workdir)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: leaflets: cannot write the file: not a folder"


def test_write_atomic_without_overwrite_keeps_a_file_that_is_there(tmp_path):
    target = tmp_path / "a.yaml"
    target.write_bytes(b"first")
    with pytest.raises(FileExistsError) as caught:
        write_atomic(target, b"second", overwrite=False)
    assert caught.value.filename == str(target)
    assert target.read_bytes() == b"first"
    assert list(tmp_path.iterdir()) == [target], "the temporary file was left behind"
    write_atomic(tmp_path / "b.yaml", b"new", overwrite=False)
    assert (tmp_path / "b.yaml").read_bytes() == b"new"
