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

packages=(liblouis-bin liblouis-data)

missing=()
for package in "${packages[@]}"; do
    # The package database, not `command -v`: liblouis-data has no command,
    # and a package removed without --purge leaves its files behind.
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive
# Other installs (the print and browser tools, another test worker's) may
# hold dpkg's lock: wait for it rather than fail.
wait_lock=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${wait_lock[@]}" update -qq
$SUDO apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
