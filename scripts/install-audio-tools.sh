#!/usr/bin/env bash
# Installs what the audio edition (generator/render/audio.py) and
# tests/test_audio.py need, when it is missing:
#  - espeak-ng: the speech synthesiser, run once per heading or paragraph;
#  - espeak-ng-data: its voices and pronunciation rules for each language
#    (English, Spanish and Arabic among them), a package of its own;
#  - lame: the MP3 encoder (and decoder, which the tests use to listen back).
# Quiet when everything is already installed. Without recommended packages:
# espeak-ng needs no sound server, since it writes WAV, not to a speaker.
set -euo pipefail

exec "$(dirname "$0")/apt-install-missing.sh" espeak-ng espeak-ng-data lame
