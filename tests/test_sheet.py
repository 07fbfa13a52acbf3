"""The counter sheet (leaflet build --edition sheet): every sample leaflet
builds one at every size, on every paper, with and without a brand, within
its page budget, printing what it must; a sheet that cannot fit, or a sheet:
block that names what the leaflet does not have, is refused with a clear
message; batch reruns skip unchanged sheets; the HTML edition works.

Every test builds real files (through the CLI, as a user would) and reads
them back."""

from __future__ import annotations

import fcntl
import functools
import html
import itertools
import re
from pathlib import Path

import pikepdf
import pytest
from conftest import LEAFLETS, ROOT, run_leaflet
from pdftools import page_texts, structure_problems
from pypdf import PdfReader

from generator import load
from generator.brand.load import load_brand
from generator.content.catalogue import catalogue
from generator.content.model import paragraphs
from generator.content.sheet import sheet_content
from generator.render.geometry import PAPERS, SHEET_PAGES, SIZES
from generator.render.tagging import walk
from generator.verify.printed import without_continued_titles
from generator.verify.sheet import WRITE_IN
from generator.verify.text import normalise, read_text

BRANDS = ["default", "riverside-pharmacy"]
SHEET_SIZES = ["standard", "large", "extra-large"]
SHEET_PAPERS = ["a4", "letter"]
COMBINATIONS = list(itertools.product([p.stem for p in LEAFLETS], SHEET_SIZES, SHEET_PAPERS, BRANDS))
CLONAZEPAM = ROOT / "leaflets" / "clonazepam.yaml"
BACLOFEN = ROOT / "leaflets" / "baclofen.yaml"


def test_the_matrix_covers_every_size_and_paper():
    # If a size or paper is added, the sheet tests must cover it too.
    assert set(SHEET_SIZES) == set(SIZES) == set(SHEET_PAGES)
    assert set(SHEET_PAPERS) == set(PAPERS)


def messages(leaflet):
    """The leaflet's catalogue, with its medicine's name filled in (as verify.printed builds it)."""
    found = catalogue(leaflet.language)

    def t(key: str, **values: str) -> str:
        return found(key, medicine=leaflet.medicine.name, **values)

    return t


def squeezed(text: str) -> str:
    """Lower case, without any white space: a line the layout wrapped reads whole."""
    return re.sub(r"\s+", "", normalise(text))


@functools.cache
def texts(pdf: Path) -> tuple[str, ...]:
    """``page_texts``, read once per file (several tests read each sheet)."""
    return tuple(page_texts(pdf))


def printed(pdf: Path) -> str:
    return squeezed("".join(texts(pdf)))


def without_header_and_footer(pdf: Path, leaflet, t) -> str:
    """The PDF's text squeezed, with each page's running header and footer
    (which pypdf reads last on the page) and the boxed warning's title
    repeated over a page taken out, so that a paragraph that goes on over a
    page reads on unbroken."""
    header = squeezed(leaflet.short_title or leaflet.title)
    if leaflet.review.status != "approved":
        header += squeezed(t(f"status_{leaflet.review.status}_short"))
    pages = []
    for number, text in enumerate(texts(pdf), 1):
        page = squeezed(text)
        label = squeezed(t("page_label", page=str(number), pages="999")).replace("999", r"\d+")
        assert re.search(label + "$", page), f"page {number} does not end with its footer"
        assert header in page, f"page {number} has no running header"
        pages.append(page[: page.rindex(header)])
    return without_continued_titles("".join(pages), leaflet)


@pytest.fixture(scope="module")
def sheets(tmp_path_factory, worker_id) -> Path:
    """The sheet matrix, built once by one `leaflet build` call: the folder it went to.

    The pytest-xdist workers share the folder: the first to take the lock
    builds, the others wait for it and read the same files.
    """
    root = tmp_path_factory.getbasetemp()
    root = root if worker_id == "master" else root.parent
    folder = root / "sheet-matrix"
    folder.mkdir(exist_ok=True)
    done = folder / "built"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            brands = itertools.chain.from_iterable(("--brand", b) for b in BRANDS)
            result = run_leaflet(
                "build", "leaflets", "--edition", "sheet", "--size", ",".join(SHEET_SIZES),
                "--paper", ",".join(SHEET_PAPERS), *brands, "--out", folder / "out", cwd=ROOT,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            assert "Traceback" not in result.stderr
            assert f"{len(COMBINATIONS)} built, 0 unchanged, 0 failed" in result.stdout, result.stdout
            done.write_text(result.stdout, "utf-8")
    return folder / "out"


def sheet_pdf(sheets: Path, leaflet: str, size: str, paper: str, brand: str) -> Path:
    sample = _sample(leaflet)
    return sheets / brand / paper / size / sample.language / f"{sample.id}.sheet.pdf"


@functools.cache
def _sample(name: str):
    return load(ROOT / "leaflets" / f"{name}.yaml")


def test_the_matrix_writes_only_sheets_in_the_documented_places(sheets):
    expected = {sheet_pdf(sheets, *combination) for combination in COMBINATIONS}
    assert set(sheets.rglob("*.pdf")) == expected
    assert not list(sheets.rglob(f"{LEAFLETS[0].stem}.pdf")), "a sheet build must not write the full leaflet"


@pytest.mark.parametrize(("name", "size", "paper", "brand"), COMBINATIONS)
def test_sheet_fits_its_budget_and_prints_what_it_must(sheets, name, size, paper, brand):
    leaflet = load(ROOT / "leaflets" / f"{name}.yaml")
    t = messages(leaflet)
    pdf = sheet_pdf(sheets, name, size, paper, brand)
    pages = len(PdfReader(pdf).pages)
    assert 1 <= pages <= SHEET_PAGES[size], f"{pages} pages; the budget at {size} is {SHEET_PAGES[size]}"

    text = printed(pdf)
    body = without_header_and_footer(pdf, leaflet, t)
    chosen = sheet_content(leaflet, t)

    def shows(wanted: str, what: str, where: str = body) -> None:
        assert squeezed(wanted) in where, f"the sheet does not print {what}: {wanted!r}"

    shows(leaflet.title, "the title")
    if leaflet.boxed_warning:
        box = leaflet.boxed_warning
        shows(t("boxed_warning"), "the boxed warning's heading")
        shows(box.title, "the boxed warning's title")
        for paragraph in [*paragraphs(box.text), *paragraphs(box.action)]:
            shows(paragraph, "the boxed warning, in full")
        first = text.index(squeezed(t("boxed_warning"))) < text.index(squeezed(t("key_facts")))
        assert first, "the boxed warning must come before the key facts"
    shows(t("key_facts"), "the key facts heading")
    assert chosen.key_facts, "the sheet chose no key facts"
    for fact in chosen.key_facts:
        shows(fact, "a chosen key fact")
    if leaflet.sheet and leaflet.sheet.key_facts:
        for number, fact in enumerate(leaflet.key_facts, 1):
            if number not in leaflet.sheet.key_facts and fact not in chosen.key_facts:
                assert squeezed(fact) not in body, f"key fact {number} was not chosen, but is printed: {fact!r}"
    shows(t("side_effects_serious"), "the serious side effects heading")
    assert chosen.serious, "the sheet chose no serious side effects"
    for effect in chosen.serious:
        shows(effect, "a chosen serious side effect")
    shows(t("sheet_taking"), "the heading over how to take it")
    shows(chosen.how_to_take, "how to take it")
    if chosen.stopping:
        shows(chosen.stopping, "what to know about stopping")
    for key in WRITE_IN:
        shows(t(key), f"the write-in label {key}")
    shows(t("sheet_full_leaflet"), "the way back to the full leaflet")
    # The box to write in is whole, on the last page, never split over the two sides.
    last = squeezed(texts(pdf)[-1])
    for key in WRITE_IN:
        assert squeezed(t(key)) in last, f"{t(key)!r} is not on the last page with the rest of the write-in box"

    contact = load_brand(brand).contact
    if brand == "riverside-pharmacy":
        shows(contact.phone, "the pharmacy's phone number", text)
        shows(contact.website, "the pharmacy's website as text", text)
    else:
        assert contact.phone is None and contact.website is None
        shows(t("sheet_phone"), "the phone label, to write in")


# A few sheets, of every kind: boxed warning or not, each size, paper and brand.
STRUCTURE_SAMPLES = [
    ("clonazepam", "large", "a4", "riverside-pharmacy"),
    ("clonazepam", "extra-large", "letter", "default"),
    ("ibuprofen", "standard", "letter", "riverside-pharmacy"),
    ("baclofen", "extra-large", "a4", "riverside-pharmacy"),
    ("cyclobenzaprine", "standard", "a4", "default"),
]


@pytest.mark.parametrize(("name", "size", "paper", "brand"), STRUCTURE_SAMPLES)
def test_sheet_is_tagged_for_pdf_ua(sheets, name, size, paper, brand):
    leaflet = load(ROOT / "leaflets" / f"{name}.yaml")
    pdf = sheet_pdf(sheets, name, size, paper, brand)
    assert structure_problems(leaflet, pdf.read_bytes()) == []


@pytest.mark.parametrize(("name", "size", "paper", "brand"), COMBINATIONS)
def test_no_structure_element_is_empty(sheets, name, size, paper, brand):
    # The write-in lines are decoration (artifacts), never empty elements.
    with pikepdf.open(sheet_pdf(sheets, name, size, paper, brand)) as pdf:
        tree = pdf.Root.get("/StructTreeRoot")
        assert tree is not None, "the sheet is not tagged"
        elements = list(walk(tree))
        assert elements
        empty = [str(e.get("/S")) for e in elements if "/K" not in e]
        assert empty == [], f"structure elements with no content: {empty}"


def test_write_in_labels_are_real_text_in_the_structure(sheets):
    # The labels are read by screen readers: each is marked content of the
    # structure tree, not an artifact as the running header and footer are.
    pdf = sheet_pdf(sheets, "ibuprofen", "large", "a4", "riverside-pharmacy").read_bytes()
    leaflet = load(ROOT / "leaflets" / "ibuprofen.yaml")
    t = messages(leaflet)
    tagged = squeezed(" ".join(read_text(pdf).tagged_pages()))
    for key in WRITE_IN:
        assert squeezed(t(key)) in tagged, f"{t(key)!r} is not tagged text"


# A sheet that cannot fit: clonazepam with no sheet: block prints all five key facts.


@pytest.fixture(scope="module")
def unshortened(tmp_path_factory) -> Path:
    text = CLONAZEPAM.read_text("utf-8")
    found = re.search(r"^sheet:", text, re.M)
    assert found, "the sample has no sheet: block to remove"
    rest = text[found.start() :].splitlines()[1:]
    assert all(line.startswith((" ", "#")) or not line.strip() for line in rest), "sheet: is no longer the last block"
    copy = tmp_path_factory.mktemp("unshortened") / "clonazepam.yaml"
    copy.write_text(text[: found.start()], "utf-8")
    assert load(copy).sheet is None
    return copy


# Where the sample, with every key fact and serious side effect, is longer
# than its budget.
TOO_LONG = ("--edition", "sheet", "--size", "large", "--paper", "letter", "--brand", "riverside-pharmacy")


@pytest.fixture(scope="module")
def too_long(unshortened, tmp_path_factory):
    """The unshortened sheet, built in large print on Letter with a brand,
    through the CLI: (its out folder, the run)."""
    out = tmp_path_factory.mktemp("too-long") / "out"
    return out, run_leaflet("build", unshortened, *TOO_LONG, "--out", out, cwd=ROOT)


def counter_sheet_message(stderr: str, severity: str) -> str:
    lines = [row for row in stderr.splitlines() if row.startswith(f"{severity}:") and "the counter sheet takes" in row]
    assert len(lines) == 1, stderr
    return lines[0]


def test_a_sheet_that_cannot_fit_fails_with_a_clear_message_and_no_file(unshortened, too_long):
    out, result = too_long
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    message = counter_sheet_message(result.stderr, "error")
    assert f"{unshortened}:" in message, "the message must name the leaflet file"
    assert "the counter sheet takes" in message and "sheet.key_facts" in message
    assert "in large print on letter with the riverside-pharmacy brand" in message and "it must fit on 2 pages" in message
    assert "(it prints 5)" in message, "it must say how many key facts the sheet prints"
    assert "The boxed warning is always printed in full." in message
    assert "0 built, 0 unchanged, 1 failed" in result.stdout
    assert not list(out.parent.rglob("*.sheet.pdf")), "a sheet over its budget must not be written"
    assert not list(out.parent.rglob("*.pdf"))


def test_check_warns_before_a_build_that_a_sheet_cannot_fit(unshortened, too_long):
    out, build = too_long
    error = counter_sheet_message(build.stderr, "error")

    check = run_leaflet("check", unshortened, *TOO_LONG, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Traceback" not in check.stderr
    warning = counter_sheet_message(check.stderr, "warning")
    assert "sheet.key_facts" in warning
    assert warning.removeprefix("warning:") == error.removeprefix("error:"), "check and build must say the same"
    assert not list(unshortened.parent.rglob("*.pdf")), "check must write nothing"

    strict = run_leaflet("check", unshortened, *TOO_LONG, "--strict", cwd=ROOT)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    assert "the counter sheet takes" in strict.stderr

    # Without --edition sheet, check lays out no sheet and says nothing of it.
    plain = run_leaflet("check", unshortened, cwd=ROOT)
    assert "the counter sheet" not in plain.stderr + plain.stdout


def test_check_names_a_key_fact_the_leaflet_does_not_have(tmp_path):
    text = CLONAZEPAM.read_text("utf-8")
    assert "  key_facts: [2]\n" in text
    bad = tmp_path / "clonazepam.yaml"
    bad.write_text(text.replace("  key_facts: [2]\n", "  key_facts: [9]\n"), "utf-8")
    line = next(n for n, row in enumerate(bad.read_text("utf-8").splitlines(), 1) if row == "  key_facts: [9]")
    result = run_leaflet("check", bad, cwd=ROOT)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [row for row in result.stderr.splitlines() if row.startswith("error:")]
    named = f"error: {bad}:{line}: sheet.key_facts[0]:"
    assert any(row.startswith(named) and "number 9" in row for row in errors), result.stderr
    # And no build makes a sheet (or a leaflet) of it.
    build = run_leaflet("build", bad, "--edition", "sheet", "--out", tmp_path / "out", cwd=ROOT)
    assert build.returncode == 1
    assert "sheet.key_facts[0]" in build.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_both_editions_build_side_by_side_and_rerun_only_what_changed(tmp_path):
    out = tmp_path / "out"
    full, sheet = out / "baclofen.pdf", out / "baclofen.sheet.pdf"

    first = run_leaflet("build", "--edition", "full,sheet", "--out", out, BACLOFEN, cwd=ROOT)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2 built, 0 unchanged, 0 failed" in first.stdout
    assert {p.name for p in out.glob("*.pdf")} == {"baclofen.pdf", "baclofen.sheet.pdf"}
    assert len(PdfReader(full).pages) > len(PdfReader(sheet).pages), "the full leaflet must be the longer"
    assert squeezed(messages(load(BACLOFEN))("sheet_write_in")) in printed(sheet)
    assert squeezed(messages(load(BACLOFEN))("sheet_write_in")) not in printed(full)
    stamps = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (full, sheet)}

    again = run_leaflet("build", "--edition", "full,sheet", "--out", out, BACLOFEN, cwd=ROOT)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 built, 2 unchanged" in again.stdout, again.stdout

    only = run_leaflet("build", "--edition", "sheet", "--out", out, BACLOFEN, cwd=ROOT)
    assert only.returncode == 0, only.stdout + only.stderr
    assert "0 built, 1 unchanged, 0 failed" in only.stdout, only.stdout
    # Nothing was rewritten, and the full leaflet beside the sheet was left alone.
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (full, sheet)} == stamps

    last = run_leaflet("build", "--edition", "full,sheet", "--out", out, BACLOFEN, cwd=ROOT)
    assert "0 built, 2 unchanged" in last.stdout, last.stdout


def test_html_edition_of_the_sheet(tmp_path):
    out = tmp_path / "out"
    result = run_leaflet("build", "--format", "html", "--edition", "sheet", "--out", out, "leaflets", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} >= {f"{p.stem}.sheet.html" for p in LEAFLETS}
    assert not list(out.rglob("*.pdf")) and not list(out.rglob(f"{LEAFLETS[0].stem}.html"))
    for source in LEAFLETS:
        leaflet = load(source)
        t = messages(leaflet)
        page = (out / f"{source.stem}.sheet.html").read_text("utf-8")
        # One self-contained page: its styles inline, nothing fetched from elsewhere.
        assert "<style>" in page and '<link rel="stylesheet"' not in page and 'src="http' not in page
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
        chosen = sheet_content(leaflet, t)
        for key in WRITE_IN:
            assert t(key) in text, f"{leaflet.id}: the write-in label {t(key)!r} is not in the HTML"
        for fact in chosen.key_facts:
            assert " ".join(fact.split()) in text, f"{leaflet.id}: key fact not in the HTML: {fact!r}"
        for effect in chosen.serious:
            assert " ".join(effect.split()) in text
        assert t("sheet_full_leaflet") in text


def test_sheet_how_to_take_replaces_the_default_line(tmp_path):
    leaflet = load(BACLOFEN)
    t = messages(leaflet)
    default = sheet_content(leaflet, t).how_to_take
    own = "Take one tablet with water, exactly as your doctor tells you."
    text = BACLOFEN.read_text("utf-8")
    assert re.search(r"^sheet:\n", text, re.M)
    source = tmp_path / "baclofen.yaml"
    source.write_text(re.sub(r"^sheet:\n", f"sheet:\n  how_to_take: {own}\n", text, flags=re.M), "utf-8")
    changed = load(source)
    assert changed.sheet.how_to_take == own

    out = tmp_path / "out"
    result = run_leaflet("build", source, "--edition", "sheet", "--size", "standard", "--out", out, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    body = printed(out / "baclofen.sheet.pdf")
    assert squeezed(own) in body, "the sheet does not print its own how_to_take"
    assert squeezed(default) not in body, "the default how-to-take line is still printed"
    # The rest of the sheet is as before.
    for fact in sheet_content(changed, t).key_facts:
        assert squeezed(fact) in body
