"""The audio edition: the leaflet read aloud, as an MP3 with a chapter per section.

It speaks exactly the words of the plain text edition (``text.py``), in the
same order and language, so a listener can follow it with the transcript
(``plain_text(sections)``, written beside it as ``.txt``):

- **Speech** is espeak-ng's, in the leaflet's language (``VOICES``): one
  synthesis per section, from SSML, so that a heading is read as a heading,
  with a pause before and after it, each paragraph and list item ends on a
  full stop and a short pause, and a warning's heading starts with the word
  "Warning" and a pause, as printed. No Markdown marks are spoken: the
  words come from the sections' blocks, not from the transcript. Numbers to
  call are read digit by digit ("nine nine nine"), web addresses without
  "https://".
- **Rate**: 150 words a minute (``RATE_WPM``), slower than espeak-ng's 175,
  for older listeners and a synthetic voice that is harder to follow than a
  person's; with the pauses, about 135 words a minute overall in English.
- **Encoding**: MP3 by LAME, mono at espeak-ng's 22.05 kHz, 64 kbit/s
  constant bit rate (``BITRATE_KBPS``), which plays everywhere and lets a
  player seek to a chapter by time even without reading the Xing table.
- **Chapters**: one per section, as ID3v2.3 ``CHAP`` frames (each with a
  ``TIT2`` title) under a top-level, ordered ``CTOC`` table of contents, the
  convention podcast players read. Their times come from the WAV lengths of
  each section's speech, joined with the ``wave`` module and a silence
  between sections (which belongs to the chapter before it, so a jump to a
  chapter starts on its first word). Also tagged: the title (``TIT2``), the
  language (``TLAN``, ISO 639-2), the brand (``TPE1``) and genre "Speech".

espeak-ng and lame are Debian packages: ``scripts/install-audio-tools.sh``
installs them. Anything that goes wrong is an ``AudioError``.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from generator.content.catalogue import catalogue
from generator.content.model import most_specific
from generator.render.text import Section

# espeak-ng's speed, in words a minute: its default is 175.
RATE_WPM = 150
BITRATE_KBPS = 64
# Pauses, in milliseconds. Between sections: a silence in the audio itself.
LEAD_IN_MS = 300
SECTION_GAP_MS = 1500
TAIL_MS = 700
# Within a section, SSML <break>s, on top of espeak-ng's own pause at a full stop.
HEADING_BEFORE_MS = 600
HEADING_AFTER_MS = 600
AFTER_WARNING_WORD_MS = 250
PARAGRAPH_MS = 350
ITEM_MS = 250
# One espeak-ng run speaks a section in well under a second; lame encodes a
# whole leaflet in a few seconds. Far longer means the tool is stuck.
SYNTHESIS_TIMEOUT_S = 120
ENCODE_TIMEOUT_S = 300

# A BCP 47 tag (lower case; the most specific match wins) -> the espeak-ng voice.
# espeak-ng's own voices ("en-gb", not the MBROLA ones, which need other packages).
VOICES = {
    "en": "en-gb",
    "en-gb": "en-gb",
    "en-us": "en-us",
    "es": "es",
    "es-419": "es-419",
    "es-mx": "es-419",
    "ar": "ar",
}
# The language subtag -> ISO 639-2, for the ID3 TLAN frame.
ISO_639_2 = {"en": "eng", "es": "spa", "ar": "ara"}

# Numbers to call, read digit by digit: a number written with a leading 0 or
# + (01632 960 418, +44 20 7946 0000), in groups split by spaces or hyphens,
# and these short emergency and health lines, which people say digit by digit
# in every language the leaflets are in (999 and 111 in the UK, 112 in
# Europe, 911 and 988 in the US). Anything else is a quantity ("500 mg") or a
# year, which espeak-ng reads as a number.
HELPLINES = ("999", "111", "112", "911", "988")
_PHONE = re.compile(r"(?<![\w.,])(?:\+\d|0\d)\d*(?:[ -]\d+)*(?!\w|[.,]\d)")
_HELPLINE = re.compile(r"(?<![\w.,])(?:" + "|".join(HELPLINES) + r")(?!\w|[.,]\d)")
_URL = re.compile(r"\bhttps?://(\S+?)/?(?=[.,;:)]*(?:\s|$))")
_SENTENCE_END = (".", "!", "?", ":", ";", "\u061f", "\u06d4")  # Arabic question mark and full stop too


class AudioError(Exception):
    """The audio edition could not be made; the message says why, and what to do."""


@dataclass(frozen=True)
class Chapter:
    """One section of the audio edition, in milliseconds from the start."""

    title: str
    start_ms: int
    end_ms: int


def voice(language: str) -> str:
    """The espeak-ng voice for a BCP 47 tag: ``en-GB`` -> ``en-gb``, ``es`` -> ``es``."""
    found = most_specific(language, VOICES)
    if found:
        return found
    raise AudioError(f"no voice for language '{language}': the audio edition speaks {', '.join(sorted(ISO_639_2))}")


def chapter_title(section: Section) -> str:
    """A section's chapter title: its heading, or for the untitled opening
    (the brand's name, above the title), its first words."""
    return section.title or (section.blocks[0].text if section.blocks else "")


def spoken(section: Section, language: str) -> str:
    """The SSML that espeak-ng reads for one section."""
    word = catalogue(language)("warning_word")
    boxed = catalogue(language)("boxed_warning")
    # What is said, and the pause after it.
    units: list[tuple[str, int]] = []
    for block in section.blocks:
        text = _speakable(block.text)
        if block.kind == "heading":
            if units:  # a pause before it; after another heading, the one after that will do
                units[-1] = (units[-1][0], max(units[-1][1], HEADING_BEFORE_MS))
            if text == boxed and word.casefold() not in text.casefold():
                text = f"{word}: {text}"
            if text.startswith(word + ":"):  # "Warning: Your body can start to need it"
                units.append((word, AFTER_WARNING_WORD_MS))
                text = text[len(word) + 1 :]
            units.append((text, HEADING_AFTER_MS))
        else:
            units.append((text, ITEM_MS if block.kind == "item" else PARAGRAPH_MS))
    # No pause after the last words: the silence between sections follows.
    said = [escape(_sentence(text)) + _break(pause) for text, pause in units[:-1]]
    said += [escape(_sentence(text)) for text, _ in units[-1:]]
    return "<speak>" + "\n".join(said) + "</speak>"


def audio_edition(
    sections: Sequence[Section], language: str, *, title: str, author: str | None = None
) -> tuple[bytes, list[Chapter]]:
    """The sections read aloud in ``language`` (a BCP 47 tag): the MP3's
    bytes, and its chapters, one per section, in order."""
    if not sections:
        raise AudioError("nothing to read: the leaflet has no sections")
    speaker = voice(language)
    with tempfile.TemporaryDirectory(prefix="leaflet-audio-") as folder:
        work = Path(folder)
        parts = [
            _synthesise(spoken(section, language), speaker, work / f"section-{index}.wav")
            for index, section in enumerate(sections)
        ]
        timings = _join(parts, work / "leaflet.wav")
        chapters = [Chapter(chapter_title(section), start, end) for section, (start, end) in zip(sections, timings)]
        mp3 = work / "leaflet.mp3"
        # -q 7: LAME's faster psychoacoustic search. At 64 kbit/s for one
        # channel of 11 kHz-wide synthetic speech the bits are plenty, and the
        # default (-q 3) takes twice as long for nothing a listener would hear.
        wav = str(work / "leaflet.wav")
        encode = ["lame", "--quiet", "-m", "m", "-b", str(BITRATE_KBPS), "--cbr", "-q", "7", wav, str(mp3)]
        _run(encode, ENCODE_TIMEOUT_S)
        _tag(mp3, chapters, language, title, author)
        return mp3.read_bytes(), chapters


def chapters(mp3: bytes) -> list[Chapter]:
    """An MP3's chapters, read back from its ID3 tag: in the order of its
    table of contents, or by start time without one."""
    from mutagen.id3 import ID3, ID3NoHeaderError

    try:
        tags = ID3(io.BytesIO(mp3))
    except ID3NoHeaderError:
        return []
    found = {frame.element_id: frame for frame in tags.getall("CHAP")}
    tocs = [toc for toc in tags.getall("CTOC") if toc.flags & 1]  # CTOCFlags.TOP_LEVEL
    order = list(tocs[0].child_element_ids) if tocs else sorted(found, key=lambda key: found[key].start_time)
    out = []
    for key in order:
        frame = found[key]
        titles = [sub for sub in frame.sub_frames.values() if sub.FrameID == "TIT2"]
        out.append(Chapter(str(titles[0].text[0]) if titles else "", frame.start_time, frame.end_time))
    return out


def _speakable(text: str) -> str:
    """The words as they should be heard: numbers to call digit by digit, web addresses without their scheme."""
    text = _URL.sub(r"\1", text)
    text = _PHONE.sub(lambda m: ", ".join(" ".join(group) for group in re.split(r"[ -]", m[0])), text)
    return _HELPLINE.sub(lambda m: " ".join(m[0]), text)


def _sentence(text: str) -> str:
    """A full stop at the end, so espeak-ng ends the block as a sentence, not mid-thought."""
    text = text.strip()
    return text if text.endswith(_SENTENCE_END) else text + "."


def _break(ms: int) -> str:
    return f'<break time="{ms}ms"/>'


def _run(args: list[str], timeout: float, stdin: bytes | None = None) -> bytes:
    try:
        result = subprocess.run(args, input=stdin, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise AudioError(f"{args[0]} is not installed: run scripts/install-audio-tools.sh") from None
    except subprocess.TimeoutExpired:
        raise AudioError(f"{args[0]} did not finish within {timeout} s") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip()[:300]
        raise AudioError(f"{args[0]} failed ({result.returncode}): {message}")
    return result.stdout


def _synthesise(ssml: str, speaker: str, wav: Path) -> Path:
    # The SSML on standard input: no limit on its length, and text that starts
    # with "-" cannot be taken for an option. -w, not --stdout: a WAV written
    # to a pipe has no length in its header.
    _run(
        ["espeak-ng", "-v", speaker, "-s", str(RATE_WPM), "-m", "-b", "1", "--stdin", "-w", str(wav)],
        SYNTHESIS_TIMEOUT_S,
        stdin=ssml.encode("utf-8"),
    )
    return wav


def _join(parts: list[Path], out: Path) -> list[tuple[int, int]]:
    """The sections' WAVs as one, with silences between; each section's
    (start, end) in milliseconds, its end the next one's start."""
    params = None
    timings: list[tuple[int, int]] = []
    with wave.open(str(out), "wb") as joined:
        frames = 0
        for index, part in enumerate(parts):
            with wave.open(str(part), "rb") as wav:
                if params is None:
                    params = wav.getparams()
                    joined.setparams(params)
                elif wav.getparams()[:3] != params[:3]:
                    raise AudioError(f"espeak-ng wrote {part.name} in another format: {wav.getparams()}")
                speech = wav.readframes(wav.getnframes())
            rate, width = params.framerate, params.sampwidth
            start = frames
            pieces = [_silence(LEAD_IN_MS, rate, width)] if index == 0 else []
            pieces += [speech, _silence(TAIL_MS if index == len(parts) - 1 else SECTION_GAP_MS, rate, width)]
            for piece in pieces:
                joined.writeframes(piece)
                frames += len(piece) // width
            timings.append((start, frames))
    assert params is not None
    return [(round(start * 1000 / params.framerate), round(end * 1000 / params.framerate)) for start, end in timings]


def _silence(ms: int, rate: int, width: int) -> bytes:
    return b"\0" * (rate * ms // 1000) * width


def _tag(mp3: Path, chapters: list[Chapter], language: str, title: str, author: str | None) -> None:
    from mutagen.id3 import CHAP, CTOC, ID3, TCON, TIT2, TLAN, TPE1, CTOCFlags

    tags = ID3()
    tags.add(TIT2(encoding=3, text=[title]))
    code = ISO_639_2.get(language.lower().split("-")[0])
    if code:
        tags.add(TLAN(encoding=3, text=[code]))
    if author:
        tags.add(TPE1(encoding=3, text=[author]))
    tags.add(TCON(encoding=3, text=["Speech"]))
    ids = [f"chp{index}" for index in range(len(chapters))]
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=[title])],
        )
    )
    for element_id, chapter in zip(ids, chapters):
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=chapter.start_ms,
                end_time=chapter.end_ms,
                # No byte offsets: players seek by time (0xFFFFFFFF: "not given").
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=3, text=[chapter.title])],
            )
        )
    # ID3v2.3: CHAP and CTOC are defined for it, and more players read it than 2.4.
    tags.save(str(mp3), v2_version=3)
