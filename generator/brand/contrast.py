"""Colour contrast, WCAG 2.2 style, and the nearest colour that passes.

Leaflets are printed black on white; a brand colour may only be used where
it keeps text as readable as that rule allows.
"""

from __future__ import annotations

PAGE = "#ffffff"

# WCAG 2.2: body text needs 7:1 against its background (AAA); large text,
# such as headings, 4.5:1. Every contrast rule of the tool uses these two.
BODY_TEXT = 7.0
LARGE_TEXT = 4.5
# Where each brand colour is printed as text, and the contrast that needs.
TEXT_COLOURS = {
    "primary": (LARGE_TEXT, "it colours section headings (large text), which need"),
    "accent": (BODY_TEXT, "it colours the brand name, printed at body size, which needs"),
}


def contrast(colour: str, background: str = PAGE) -> float:
    """The WCAG 2 contrast ratio between two #rgb or #rrggbb colours, from 1 to 21."""
    darker, lighter = sorted((_luminance(colour), _luminance(background)))
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: str) -> float:
    """Relative luminance, Y of CIE XYZ, as coloraide computes it (its sRGB
    matrix, the sRGB curve). coloraide takes 0.3 s to import, a third of a
    whole PDF build, to check two colours of every brand loaded; this gives
    the same ratio to the 15th digit."""
    digits = colour.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    red, green, blue = (_linear(int(digits[at : at + 2], 16) / 255) for at in (0, 2, 4))
    return 0.21263900587151024 * red + 0.715168678767756 * green + 0.07219231536073371 * blue


def _linear(channel: float) -> float:
    return ((channel + 0.055) / 1.055) ** 2.4 if channel > 0.04045 else channel / 12.92


def nearest_passing(colour: str, minimum: float, background: str = PAGE) -> str:
    """The colour closest to ``colour``, in the same hue, that reaches ``minimum``.

    Works in OKLCh, so only the lightness moves and the hue the brand chose
    is kept; bisects for the lightest (or, on a dark background, the darkest)
    shade that passes, which is the smallest visible change.
    """
    from coloraide import Color  # only when a colour fails

    start = Color(colour).convert("oklch")
    darker = Color(background).luminance() > 0.18
    low, high = (0.0, start["lightness"]) if darker else (start["lightness"], 1.0)

    def at(lightness: float) -> str:
        return start.clone().set("lightness", lightness).convert("srgb").fit().to_string(hex=True)

    if contrast(at(low if darker else high), background) < minimum:
        return "#000000" if darker else "#ffffff"
    for _ in range(30):
        middle = (low + high) / 2
        passes = contrast(at(middle), background) >= minimum
        if darker:
            low, high = (middle, high) if passes else (low, middle)
        else:
            low, high = (low, middle) if passes else (middle, high)
    # Rounding to #rrggbb can land a hair under the line.
    lightness = low if darker else high
    while contrast(at(lightness), background) < minimum:
        lightness += -0.002 if darker else 0.002
    return at(lightness)
