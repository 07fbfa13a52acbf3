"""The audio edition: the leaflet read aloud by espeak-ng, encoded by LAME,
with a chapter per section.

Nothing is mocked: scripts/install-audio-tools.sh installs espeak-ng and
lame when they are missing. The English clonazepam leaflet is read whole,
with a brand (so its phone number is read too), then decoded again and
"listened to": speech in every chapter, silence where a section ends, and
a speaking rate for older listeners. The Spanish and Arabic ones are read
in part (the opening, the boxed warning and the warnings), to keep the
suite short: synthesis and encoding take a few seconds a leaflet. Each is
made once a run, whichever pytest-xdist workers its tests go to.
"""

from __future__ import annotations

import array
import fcntl
import io
import itertools
import json
import math
import operator
import re
import subprocess
import wave
from dataclasses import asdict, dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
from conftest import ROOT
from mutagen.id3 import ID3
from mutagen.mp3 import MP3

from generator import load
from generator.brand.load import load_brand
from generator.content.catalogue import catalogue
from generator.content.model import Leaflet
from generator.render import audio
from generator.render.audio import AudioError, Chapter, audio_edition, chapter_title, chapters, spoken
from generator.render.geometry import Options
from generator.render.text import Block, Section, leaflet_text, plain_text

BRAND = "riverside-pharmacy"
# The leaflets, and whether each is read whole.
EDITIONS = {"clonazepam.yaml": True, "clonazepam.es.yaml": False, "clonazepam.ar.yaml": False}
ISO_639_2 = {"clonazepam.yaml": "eng", "clonazepam.es.yaml": "spa", "clonazepam.ar.yaml": "ara"}


def shared_folder(tmp_path_factory, worker_id) -> Path:
    """A folder all the pytest-xdist workers of this run share."""
    root = tmp_path_factory.getbasetemp()
    return root if worker_id == "master" else root.parent


@pytest.fixture(scope="session")
def audio_tools(tmp_path_factory, worker_id) -> None:
    """espeak-ng and lame, installed once: the other workers wait (two apt-gets at once would fail on dpkg's lock)."""
    with open(shared_folder(tmp_path_factory, worker_id) / "audio-setup.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(
            [ROOT / "scripts" / "install-audio-tools.sh"],
            check=False,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0:
            pytest.fail(f"install-audio-tools.sh failed ({result.returncode}):\n{result.stdout}{result.stderr}")


@dataclass
class Edition:
    name: str
    leaflet: Leaflet
    sections: list[Section]
    author: str | None
    mp3: bytes
    chapters: list[Chapter]  # as audio_edition returned them


def read_aloud(name: str, folder: Path) -> Edition:
    """One leaflet's audio edition, made once for the whole run: the
    workers (whichever tests each is given) share it, under a lock."""
    leaflet = load(ROOT / "leaflets" / name)
    brand = load_brand(BRAND) if EDITIONS[name] else None
    sections = leaflet_text(leaflet, Options(brand=brand))
    if not EDITIONS[name]:
        word = catalogue(leaflet.language)("warning_word")
        warnings = next(s for s in sections if any(b.text.startswith(word + ":") for b in s.blocks))
        sections = sections[:3] + [warnings]
    author = brand.name if brand else None
    folder.mkdir(exist_ok=True)
    mp3, made = folder / f"{name}.mp3", folder / f"{name}.json"
    with open(folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not made.exists():
            data, chapters_made = audio_edition(sections, leaflet.language, title=leaflet.title, author=author)
            mp3.write_bytes(data)
            made.write_text(json.dumps([asdict(c) for c in chapters_made]), "utf-8")
    chapters_made = [Chapter(**c) for c in json.loads(made.read_text("utf-8"))]
    return Edition(name, leaflet, sections, author, mp3.read_bytes(), chapters_made)


@pytest.fixture(params=list(EDITIONS))
def edition(request, audio_tools, tmp_path_factory, worker_id) -> Edition:
    return read_aloud(request.param, shared_folder(tmp_path_factory, worker_id) / "audio")


@pytest.fixture
def english(audio_tools, tmp_path_factory, worker_id) -> Edition:
    return read_aloud("clonazepam.yaml", shared_folder(tmp_path_factory, worker_id) / "audio")


def test_one_chapter_per_section_in_order_end_to_end(edition):
    length = MP3(io.BytesIO(edition.mp3)).info.length
    found = chapters(edition.mp3)

    assert found == edition.chapters
    assert [c.title for c in found] == [chapter_title(s) for s in edition.sections]
    assert all(c.title for c in found)
    assert found[0].start_ms == 0
    for before, after in itertools.pairwise(found):
        assert before.end_ms == after.start_ms, (before, after)
    assert all(c.end_ms - c.start_ms >= 1000 for c in found), found
    assert found[-1].end_ms / 1000 == pytest.approx(length, abs=0.5)
    assert length > (300 if EDITIONS[edition.name] else 60)


def test_the_tag_has_a_table_of_contents_and_says_what_it_is(edition):
    tags = ID3(io.BytesIO(edition.mp3))
    name = edition.name

    assert tags.version[:2] == (2, 3)
    (toc,) = tags.getall("CTOC")
    assert toc.flags & 1 and toc.flags & 2  # top level, ordered
    chaps = {frame.element_id: frame for frame in tags.getall("CHAP")}
    assert list(toc.child_element_ids) == sorted(chaps, key=lambda key: chaps[key].start_time)
    assert len(chaps) == len(edition.sections)
    assert tags["TIT2"].text == [edition.leaflet.title]
    assert tags["TLAN"].text == [ISO_639_2[name]]
    assert tags["TCON"].text == ["Speech"]
    assert (tags["TPE1"].text if "TPE1" in tags else None) == ([edition.author] if edition.author else None)


def test_an_mp3_for_speech(edition):
    info = MP3(io.BytesIO(edition.mp3)).info
    assert (info.channels, info.sample_rate, info.bitrate) == (1, 22050, audio.BITRATE_KBPS * 1000)
    # Constant bit rate: the size follows from the length, less the tag.
    assert len(edition.mp3) == pytest.approx(info.length * audio.BITRATE_KBPS * 1000 / 8, rel=0.02)


def test_the_transcript_follows_the_chapters(edition):
    lines = plain_text(edition.sections).splitlines()
    headings = [line.split(" ", 1)[1] for line in lines if re.match(r"#{1,2} ", line)]
    titles = [c.title for c in chapters(edition.mp3)]
    untitled = [s for s in edition.sections if not s.title]
    assert untitled in ([], edition.sections[:1])
    if untitled:  # the brand's name or "Medicine information", above the title
        assert lines[0] == titles[0]
    assert headings == titles[len(untitled) :]


@pytest.mark.parametrize("name", list(EDITIONS))
def test_every_warning_is_introduced_by_the_word_warning(name):
    leaflet = load(ROOT / "leaflets" / name)
    words = catalogue(leaflet.language)
    sections = leaflet_text(leaflet)
    said = [" ".join(ElementTree.fromstring(spoken(s, leaflet.language)).itertext()) for s in sections]
    text = "\n".join(said)
    word = re.escape(words("warning_word"))
    for warning in leaflet.warnings:
        assert re.search(rf"{word}\.\s+{re.escape(warning.title)}", text), warning.title
    boxed = said[[s.title for s in sections].index(words("boxed_warning"))]
    assert words("warning_word").casefold() in boxed.split(".")[0].casefold()
    # No Markdown marks: the blocks are read, not the transcript.
    assert "#" not in text and not re.search(r"^\s*[-*] ", text, re.MULTILINE) and "**" not in text


def test_headings_and_lists_are_paced_with_pauses():
    section = Section(
        "Side effects",
        [
            Block("heading", "Side effects", 2),
            Block("paragraph", "Tell your doctor if you get <these> & they last"),
            Block("heading", "Warning: A & B", 3),
            Block("item", "Feeling sleepy", 1),
            Block("item", "Call 999 or 01632 960 418. See https://www.nhs.uk/medicines/", 1),
        ],
    )
    ssml = spoken(section, "en-GB")
    root = ElementTree.fromstring(ssml)  # well-formed: the text is escaped
    assert [b.get("time") for b in root.iter("break")] == ["600ms", "600ms", "250ms", "600ms", "250ms"]
    assert "".join(root.itertext()).splitlines() == [
        "Side effects.",
        "Tell your doctor if you get <these> & they last.",
        "Warning.",
        "A & B.",
        "Feeling sleepy.",
        "Call 9 9 9 or 0 1 6 3 2, 9 6 0, 4 1 8. See www.nhs.uk/medicines.",
    ]


def test_voices_per_language():
    assert [audio.voice(tag) for tag in ("en-GB", "en", "es", "es-MX", "ar", "ar-EG")] == [
        "en-gb", "en-gb", "es", "es-419", "ar", "ar",
    ]  # fmt: skip


def test_an_unknown_language_is_named():
    with pytest.raises(AudioError, match="'fr-CA'"):
        audio_edition([Section("Titre", [Block("heading", "Titre", 1)])], "fr-CA", title="Titre")


def test_missing_tools_are_explained(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(AudioError, match="espeak-ng is not installed: run scripts/install-audio-tools.sh"):
        audio_edition([Section("Title", [Block("heading", "Title", 1)])], "en-GB", title="Title")


def test_listening_back_speech_in_every_chapter_and_silence_between(english, tmp_path):
    """The English MP3 decoded again: loud enough where a chapter speaks,
    silent for the pause at the end of each section, and at a pace for older listeners."""
    (tmp_path / "leaflet.mp3").write_bytes(english.mp3)
    subprocess.run(["lame", "--decode", "--quiet", "leaflet.mp3", "leaflet.wav"], cwd=tmp_path, check=True, timeout=60)
    with wave.open(str(tmp_path / "leaflet.wav")) as wav:
        rate = wav.getframerate()
        samples = array.array("h", wav.readframes(wav.getnframes()))

    def rms(start_ms: float, end_ms: float, step: int = 1) -> float:
        part = samples[int(start_ms * rate / 1000) : int(end_ms * rate / 1000) : step]
        return math.sqrt(sum(map(operator.mul, part, part)) / len(part))

    gap = audio.SECTION_GAP_MS
    for chapter in english.chapters[:-1]:
        # Speech: espeak-ng speaks at about 3,000 RMS of 32,767 (measured on
        # every 4th sample, which is as good an estimate); a silence is 0.
        assert rms(chapter.start_ms, chapter.end_ms - gap, step=4) > 1500, chapter
        assert rms(chapter.end_ms - gap + 50, chapter.end_ms - 50) < 20, chapter
    last: Chapter = english.chapters[-1]
    assert rms(last.start_ms, last.end_ms - audio.TAIL_MS, step=4) > 1500

    minutes = len(samples) / rate / 60
    words = len(plain_text(english.sections).split())
    assert 110 < words / minutes < audio.RATE_WPM, words / minutes
