"""Brands: the shipped examples build every leaflet, and a bad brand never makes a PDF."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from conftest import LEAFLETS, ROOT, brand_with_template, run_leaflet
from pdftools import page_texts

from generator import load
from generator.brand.contrast import LARGE_TEXT, contrast
from generator.brand.load import load_brand
from generator.content.catalogue import catalogue
from generator.problems import LeafletError
from generator.render.tagging import walk
from generator.verify.text import squeeze

EXAMPLES = ["riverside-pharmacy", "riverside-clinic"]
LOGO = (ROOT / "brands" / "riverside-pharmacy" / "logo.svg").read_text("utf-8")


@pytest.fixture(scope="module")
def branded(tmp_path_factory):
    """Every sample leaflet built with each example brand, through the CLI: {brand: out folder}."""
    out = {}
    for brand in EXAMPLES:
        folder = tmp_path_factory.mktemp(brand)
        result = run_leaflet("build", "--brand", brand, "--out", str(folder), cwd=ROOT)
        assert result.returncode == 0, result.stderr
        out[brand] = folder
    return out


def text_of(pdf: Path) -> str:
    """All the PDF's text, lower case, with spaces evened out."""
    return " ".join(" ".join(page_texts(pdf)).split())


@pytest.mark.parametrize("brand", EXAMPLES)
@pytest.mark.parametrize("path", LEAFLETS, ids=lambda p: p.stem)
def test_example_brand_is_on_every_leaflet(branded, brand, path):
    settings = load_brand(brand)
    t = catalogue(load(path).language)
    pdf = branded[brand] / f"{path.stem}.pdf"
    pages = page_texts(pdf)
    assert all(settings.footer_name.lower() in " ".join(page.split()) for page in pages), "the brand's name is not in every page's footer"
    text = text_of(pdf)
    assert settings.contact.phone in text
    # A web address may wrap at a slash (the Arabic contact box's label is longer).
    assert squeeze(settings.contact.website) in squeeze(text), "the website must be printed as text, not only as a QR code"
    assert t("contact").lower() in " ".join(pages[-1].split()), "the contact box is not on the last page"


@pytest.mark.parametrize("brand", EXAMPLES)
def test_logo_is_on_page_one_with_its_alt_text(branded, brand):
    settings = load_brand(brand)
    with pikepdf.open(branded[brand] / "clonazepam.pdf") as pdf:
        figures = [node for node in walk(pdf.Root.StructTreeRoot) if node.get("/S") == "/Figure"]
        alts = [str(node.get("/Alt", "")) for node in figures]
        assert settings.logo_alt in alts
        logo = figures[alts.index(settings.logo_alt)]
        page = logo.get("/Pg") or next(k.get("/Pg") for k in logo.K if isinstance(k, pikepdf.Dictionary))
        assert page.objgen == pdf.pages[0].objgen, "the logo is not on page 1"


@pytest.mark.parametrize("brand", EXAMPLES)
def test_qr_code_opens_the_website(branded, brand):
    settings = load_brand(brand)
    document = pypdfium2.PdfDocument(branded[brand] / "clonazepam.pdf")
    image = document[len(document) - 1].render(scale=3).to_pil()
    decoded = [code.text for code in zxingcpp.read_barcodes(image)]
    assert decoded == [settings.contact.website]
    with pikepdf.open(branded[brand] / "clonazepam.pdf") as pdf:
        alts = [str(n.get("/Alt", "")) for n in walk(pdf.Root.StructTreeRoot) if n.get("/S") == "/Figure"]
    assert any(settings.contact.website in alt and "QR code" in alt for alt in alts)


def test_clinic_adds_its_care_team_and_keeps_the_base(branded):
    clinic = text_of(branded["riverside-clinic"] / "clonazepam.pdf")
    pharmacy = text_of(branded["riverside-pharmacy"] / "clonazepam.pdf")
    assert "your care team" in clinic and "your care team" not in pharmacy
    for heading in ("most important warning", "key facts", "side effects", "more information and help", "where this information comes from"):
        assert heading in clinic


def test_clinic_inherits_from_the_pharmacy():
    clinic, pharmacy = load_brand("riverside-clinic"), load_brand("riverside-pharmacy")
    assert clinic.contact.address == pharmacy.contact.address
    assert clinic.contact.phone != pharmacy.contact.phone
    assert [f.name for f in clinic.folders] == ["riverside-clinic", "riverside-pharmacy"]


def test_brands_command_lists_every_brand():
    result = run_leaflet("brands", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for name in ["default", *EXAMPLES]:
        assert name in result.stdout


# --- Bad brands --------------------------------------------------------------


def make_brand(folder: Path, yaml: str, logo: str | None = "logo.svg") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if logo:
        (folder / logo).write_text(LOGO, "utf-8")
    (folder / "brand.yaml").write_text(yaml, "utf-8")
    return folder


GOOD = """\
name: Test Pharmacy
logo:
  file: {logo}
  alt: Test Pharmacy logo
colours:
  primary: "{primary}"
  accent: "#000000"
contact:
  phone: 01632 960 000
"""


def good(logo: str = "logo.svg", primary: str = "#0b6e4f") -> str:
    return GOOD.format(logo=logo, primary=primary)


def outside_link(tmp_path: Path) -> str:
    secret = tmp_path / "secret.svg"
    secret.write_text(LOGO, "utf-8")
    brand = tmp_path / "bad"
    brand.mkdir()
    (brand / "link.svg").symlink_to(secret)
    return good("link.svg")


BAD = {
    # name: (brand.yaml, the line the error must name, words the message must use)
    "low-contrast": (lambda tmp: good(primary="#9fc5e8"), 6, ["1.8:1", "4.5:1", "nearest shade"]),
    "outside-folder": (lambda tmp: good("../logo.svg"), 3, ["outside the brand folder"]),
    "absolute-path": (lambda tmp: good("/etc/hostname.svg"), 3, ["absolute path"]),
    "missing-logo": (lambda tmp: good("missing.svg"), 3, ["file not found"]),
    "symlink-escape": (outside_link, 3, ["link to a file outside the brand folder"]),
    "url-logo": (lambda tmp: good("https://example.org/logo.svg"), 3, ["is a URL"]),
    "unknown-key": (lambda tmp: good() + "colour_scheme: green\n", 10, ["unknown key 'colour_scheme'"]),
    "not-an-image": (lambda tmp: good("fake.png"), 3, ["not a readable PNG image"]),
    "extends-itself": (lambda tmp: good() + "extends: bad\n", 10, ["cannot extend itself"]),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_brand_gets_a_clear_error_and_no_pdf(case, tmp_path):
    make_yaml, line, words = BAD[case]
    yaml = make_yaml(tmp_path)
    brand = make_brand(tmp_path / "bad", yaml)
    if case == "not-an-image":
        (brand / "fake.png").write_text("this is not a picture", "utf-8")
    out = tmp_path / "out"
    result = run_leaflet("build", "--brand", str(brand), "--out", str(out), str(LEAFLETS[0]))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"brand.yaml:{line}:" in errors[0], errors[0]
    for word in words:
        assert word in errors[0], errors[0]
    assert not out.exists() or not list(out.iterdir()), "a bad brand must not leave any file"


def test_brands_extending_each_other_in_a_loop(tmp_path):
    make_brand(tmp_path / "one", good() + "extends: two\n")
    make_brand(tmp_path / "two", "extends: three\n", logo=None)
    make_brand(tmp_path / "three", "extends: one\n", logo=None)
    with pytest.raises(LeafletError) as error:
        load_brand(tmp_path / "one")
    assert "loop: one -> two -> three -> one" in str(error.value)


def test_child_brand_may_inherit_everything_but_must_end_up_complete(tmp_path):
    make_brand(tmp_path / "parent", "name: Parent\n", logo=None)
    make_brand(tmp_path / "child", "extends: parent\n", logo=None)
    with pytest.raises(LeafletError) as error:
        load_brand(tmp_path / "child")
    message = str(error.value)
    assert "required key 'logo' is missing (nor in any brand it extends)" in message
    assert "required colour 'primary' is missing" in message


def test_suggested_shade_passes(tmp_path):
    with pytest.raises(LeafletError) as error:
        load_brand(make_brand(tmp_path / "pale", good(primary="#9fc5e8")))
    suggestion = str(error.value).rsplit(" ", 1)[-1]
    assert contrast(suggestion) >= LARGE_TEXT


def test_brand_css_may_not_reach_outside_or_hide_text(tmp_path):
    brand = make_brand(tmp_path / "css", good())
    (brand / "styles").mkdir()
    (brand / "styles" / "site.css").write_text(
        "p { color: #999999; }\n"
        "h2 { color: #767676; }\n"
        ".logo { background: url(../../secret.png); }\n"
        ".web { background: url(http://127.0.0.1:9/x.png); }\n"
        "@import 'other.css';\n",
        "utf-8",
    )
    with pytest.raises(LeafletError) as error:
        load_brand(brand)
    lines = sorted((p.line, p.message) for p in error.value.problems)
    assert [line for line, _ in lines] == [1, 3, 4, 5]  # h2 at 4.5:1 is fine for a heading
    assert "2.8:1" in lines[0][1] and "7.0:1" in lines[0][1]
    assert "outside the brand folder" in lines[1][1]
    assert "web address" in lines[2][1]
    assert "@import" in lines[3][1]


def test_brand_template_that_drops_the_boxed_warning_fails_the_build(tmp_path):
    brand = make_brand(tmp_path / "careless", good())
    (brand / "templates").mkdir()
    (brand / "templates" / "leaflet.html.j2").write_text(
        '{% extends "!base/leaflet.html.j2" %}{% block boxed_warning %}{% endblock %}', "utf-8"
    )
    out = tmp_path / "out"
    result = run_leaflet("build", "--brand", str(brand), "--out", str(out), str(ROOT / "leaflets" / "clonazepam.yaml"))
    assert result.returncode == 1
    assert "boxed_warning" in result.stderr and "Traceback" not in result.stderr
    assert not (out / "clonazepam.pdf").exists()


def test_brand_template_cannot_reach_python(tmp_path):
    """Brand templates run sandboxed: they lay out a leaflet, nothing more."""
    brand = make_brand(tmp_path / "nosy", good())
    (brand / "templates").mkdir()
    (brand / "templates" / "leaflet.html.j2").write_text(
        '{% extends "!base/leaflet.html.j2" %}{% block key_facts %}'
        "{{ leaflet.__class__.__init__.__globals__ }}{% endblock %}",
        "utf-8",
    )
    result = run_leaflet("build", "--brand", str(brand), "--out", str(tmp_path / "out"), str(LEAFLETS[0]))
    assert result.returncode == 1
    assert "template error" in result.stderr and "Traceback" not in result.stderr


def test_unknown_brand_name_lists_the_available_ones(tmp_path):
    result = run_leaflet("build", "--brand", "nowhere", "--out", str(tmp_path), str(LEAFLETS[0]), cwd=ROOT)
    assert result.returncode == 1
    assert "no brand named 'nowhere'" in result.stderr and "riverside-pharmacy" in result.stderr


def test_shipped_brands_work_outside_the_repository(tmp_path):
    """`--brand` finds the shipped brands by name from any folder."""
    shutil.copy(LEAFLETS[0], tmp_path / LEAFLETS[0].name)
    result = run_leaflet("build", "--brand", "riverside-pharmacy", "--out", "out", LEAFLETS[0].name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "riverside community pharmacy" in text_of(tmp_path / "out" / f"{LEAFLETS[0].stem}.pdf")


def test_check_validates_brands_with_the_leaflets(tmp_path):
    ok = run_leaflet("check", "--brand", "riverside-clinic", str(LEAFLETS[0]), cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert "ok      brand riverside-clinic" in ok.stdout
    pale = make_brand(tmp_path / "pale", good(primary="#9fc5e8"))
    bad = run_leaflet("check", "--brand", str(pale), str(LEAFLETS[0]), cwd=ROOT)
    assert bad.returncode == 1
    assert "brand.yaml:6: colours.primary: #9fc5e8 is 1.8:1" in bad.stderr


def test_brand_font_is_used_and_a_broken_one_is_refused(tmp_path):
    fonts = ROOT / "styles" / "fonts"
    brand = make_brand(tmp_path / "fonted", good() + "font:\n  regular: fonts/body.woff2\n")
    (brand / "fonts").mkdir()
    shutil.copy(next(fonts.glob("*latin-400-normal.woff2")), brand / "fonts" / "body.woff2")
    assert load_brand(brand).font_regular.startswith("data:font/woff2;base64,")
    result = run_leaflet("build", "--brand", str(brand), "--out", str(tmp_path / "out"), str(LEAFLETS[0]))
    assert result.returncode == 0, result.stderr
    with pikepdf.open(tmp_path / "out" / f"{LEAFLETS[0].stem}.pdf") as pdf:
        used = {str(f.BaseFont) for page in pdf.pages for f in page.obj.Resources.Font.values()}
    # Body, headings, and the running header and footer all use the brand's
    # font (embedded under its @font-face name), never the base typeface.
    assert used and all("Brand-font" in name for name in used), used

    (brand / "fonts" / "body.woff2").write_bytes(b"wOF2 but not really a font")
    result = run_leaflet("build", "--brand", str(brand), "--out", str(tmp_path / "out2"), str(LEAFLETS[0]))
    assert result.returncode == 1
    assert "brand.yaml:11: font.regular: 'fonts/body.woff2' is not a readable font" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_block_the_leaflet_template_does_not_have_is_refused(tmp_path):
    """Jinja ignores a block the base template lacks, so a misspelt or renamed
    block would silently never print: the brand is refused, naming the line."""
    with pytest.raises(LeafletError) as refused:
        brand_with_template(
            tmp_path / "old", '{% extends "!base/leaflet.html.j2" %}\n{% block more_informaton %}Call us{% endblock %}\n'
        )
    (problem,) = refused.value.problems
    assert (problem.file.name, problem.line) == ("leaflet.html.j2", 2)
    assert "block 'more_informaton' is not a block of the leaflet template" in problem.message
    # A block of the brand's own inside one it replaces is fine.
    brand_with_template(
        tmp_path / "own",
        '{% extends "!base/leaflet.html.j2" %}\n{% block more_information %}{% block care_team %}{% endblock %}{{ super() }}{% endblock %}\n',
    )


def test_the_footer_name_goes_with_the_name(tmp_path):
    """A short name belongs to the name it shortens: a brand that gives its
    own name does not inherit its parent's short name."""
    assert load_brand("riverside-pharmacy").footer_name == "Riverside"
    assert load_brand("default").footer_name == ""
    own = tmp_path / "own-name"
    own.mkdir()
    (own / "brand.yaml").write_text("extends: riverside-pharmacy\nname: Hillside Health Centre\n", "utf-8")
    assert load_brand(own).footer_name == "Hillside Health Centre"
    inherited = tmp_path / "inherited"
    inherited.mkdir()
    (inherited / "brand.yaml").write_text("extends: riverside-pharmacy\ncolours:\n  shade: '#dddddd'\n", "utf-8")
    assert load_brand(inherited).footer_name == "Riverside"
