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

packages=(espeak-ng espeak-ng-data lame)

missing=()
for package in "${packages[@]}"; do
    # The package database, not `command -v`: espeak-ng-data has no command
    # of its own, and a package removed without --purge leaves files behind.
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
