#!/usr/bin/env bash
# Installs what generator/render/braille.py (the Braille edition) needs, when
# it is missing:
#  - liblouis-bin: lou_translate, the liblouis command that translates text
#    to braille and back (the tool runs it; python3-louis, the Python
#    binding, is for Debian's own Python and cannot be imported by the
#    tool's Python);
#  - liblouis-data: the translation tables (en-ueb-g2.ctb, es-g1.ctb,
#    ar-ar-g1.utb, ...), in /usr/share/liblouis/tables.
# Quiet when everything is already installed.
set -euo pipefail

exec "$(dirname "$0")/apt-install-missing.sh" liblouis-bin liblouis-data
