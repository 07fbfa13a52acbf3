"""Black-and-white printing and type metrics, measured from the built PDF.

Warning boxes are found on a greyscale rendering of the page (as a laser
printer would see it) by their long horizontal border lines; nothing here
trusts the CSS to have done what it says.
"""

from __future__ import annotations

import io
import re
import subprocess

import pikepdf
import pypdfium2
import pytest
import tinycss2
from conftest import COMBINATIONS, ROOT
from fontTools.ttLib import TTFont
from PIL import Image

from generator.brand.contrast import BODY_TEXT
from generator.render.geometry import SIZES

DPI = 72  # one pixel per point


def luminance(grey: float) -> float:
    """WCAG relative luminance of an sRGB grey level (0-255)."""
    c = grey / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def contrast(a: float, b: float) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def hex_luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def grey_page(pdf, page: int) -> Image.Image:
    png = subprocess.run(
        ["pdftoppm", "-gray", "-r", str(DPI), "-f", str(page), "-l", str(page), "-png", str(pdf)],
        check=True, capture_output=True,
    ).stdout
    return Image.open(io.BytesIO(png)).convert("L")


def boxes(image: Image.Image) -> tuple[list[tuple[int, int, int, int, float]], int]:
    """Boxes drawn with a border, [(left, top, right, bottom, border grey)], and the page grey.

    A border edge is a run of non-background rows at least 3 px (3 pt) thick
    that spans more than half the page width."""
    width, height = image.size
    pixels = image.load()
    background = max(range(256), key=image.histogram().__getitem__)
    edges = []  # (top row, bottom row, left, right, grey)
    run = None
    for y in range(height):
        xs = [x for x in range(width) if abs(pixels[x, y] - background) > 8]
        long_line = len(xs) > width * 0.5 and xs[-1] - xs[0] < len(xs) * 1.05
        if long_line and run is None:
            run = [y, y, xs[0], xs[-1], [pixels[x, y] for x in xs]]
        elif long_line:
            run[1] = y
            run[4] += [pixels[x, y] for x in xs]
        elif run is not None:
            if run[1] - run[0] >= 2:
                values = sorted(run[4])
                edges.append((run[0], run[1], run[2], run[3], values[len(values) // 2]))
            run = None
    found = []
    for top, bottom in zip(edges, edges[1:]):
        if abs(top[2] - bottom[2]) < 4 and bottom[0] - top[1] > 30:
            found.append((top[2], top[0], top[3], bottom[1], max(top[4], bottom[4])))
    return found, background


def first_page_with_a_box(pdf) -> tuple[int, Image.Image]:
    count = len(pypdfium2.PdfDocument(pdf))
    for page in range(1, count + 1):
        image = grey_page(pdf, page)
        if boxes(image)[0]:
            return page, image
    raise AssertionError(f"{pdf.name}: no warning box found on any page")


@pytest.mark.parametrize("name, size, paper", COMBINATIONS)
def test_warning_box_reads_in_black_and_white(matrix, name, size, paper):
    leaflet, pdf = matrix[(name, size, paper)]
    page, image = first_page_with_a_box(pdf)
    if leaflet.medicine.has_boxed_warning:
        assert page == 1, "the boxed warning must be on page 1"
    found, background = boxes(image)
    left, top, right, bottom, border = found[0]
    ratio = contrast(border, background)
    assert ratio >= 3, f"page {page}: warning box border is {ratio:.1f}:1 against the page; needs 3:1"
    inside = image.crop((left + 6, top + 6, right - 6, bottom - 6))
    histogram = inside.histogram()
    fill = max(range(256), key=histogram.__getitem__)
    ink = [v for v in range(256) for _ in range(histogram[v])]
    text = ink[len(ink) // 100]  # the darkest 1% are the letters' strokes
    ratio = contrast(text, fill)
    assert ratio >= BODY_TEXT, f"page {page}: text in the warning box is {ratio:.1f}:1 against its fill; needs {BODY_TEXT}:1"


def test_base_colours_meet_aaa():
    """Every text colour in the base styles against every background they use: 7:1 or more."""
    css = (ROOT / "styles" / "leaflet.css").read_text("utf-8")
    variables = dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", css))
    text_colours, backgrounds = {"#fff"}, {"#fff"}
    for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True):
        if rule.type != "qualified-rule":
            continue
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True):
            if declaration.type != "declaration":
                continue
            value = tinycss2.serialize(declaration.value).strip()
            value = re.sub(r"var\((--[\w-]+)\)", lambda m: variables.get(m[1], m[0]), value)
            colours = re.findall(r"#[0-9a-fA-F]{3,6}\b", value)
            if declaration.lower_name == "color":
                text_colours.update(colours)
            elif declaration.lower_name in ("background", "background-color"):
                backgrounds.update(colours)
    text_colours.discard("#fff")
    assert text_colours, "no text colour found in the base styles"
    for fg in text_colours:
        for bg in backgrounds:
            lf, lb = sorted((hex_luminance(fg), hex_luminance(bg)), reverse=True)
            ratio = (lf + 0.05) / (lb + 0.05)
            assert ratio >= BODY_TEXT, f"text {fg} on {bg} is {ratio:.1f}:1; body text needs {BODY_TEXT}:1 (WCAG AAA)"


def test_x_height_is_twice_a_typical_leaflet(built):
    """At large print the x-height is at least 3.0 mm; a typical EU leaflet's is 1.43 mm."""
    _, pdf = built["clonazepam.yaml"]
    with pikepdf.open(pdf) as doc:
        font = next(iter(doc.pages[0].Resources.Font.values()))
        descriptor = font.DescendantFonts[0].FontDescriptor
        ttf = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))
    x_height_mm = ttf["OS/2"].sxHeight / ttf["head"].unitsPerEm * SIZES["large"].body_pt * 25.4 / 72
    assert x_height_mm >= 3.0, f"x-height is {x_height_mm:.2f} mm at large print"


@pytest.mark.parametrize("name, size, paper", COMBINATIONS)
def test_lines_hold_at_most_70_characters(matrix, name, size, paper):
    _, pdf = matrix[(name, size, paper)]
    body = SIZES[size].body_pt
    longest = (0, "")
    document = pypdfium2.PdfDocument(pdf)
    for page in document:
        textpage = page.get_textpage()
        line, last = "", None
        for index in range(textpage.count_chars()):
            left, bottom, right, _ = textpage.get_charbox(index)
            char = textpage.get_text_range(index, 1)
            size = pypdfium2.raw.FPDFText_GetFontSize(textpage.raw, index)
            same_line = last is not None and abs(bottom - last[1]) < 2 and 0 <= left - last[0] < body
            if not same_line:
                if len(line.strip()) > longest[0]:
                    longest = (len(line.strip()), line.strip())
                line = ""
            if char.strip() or line:
                line += char if abs(size - body) < 0.5 or not char.strip() else ""
            last = (right, bottom) if char.strip() else last
    assert longest[0] <= 70, f"a line holds {longest[0]} characters: {longest[1]!r}"
