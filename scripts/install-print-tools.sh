#!/usr/bin/env bash
# Installs what tests/test_printing.py needs, when it is missing:
#  - cups: the scheduler (cupsd) and lpadmin, which the test starts and
#    configures itself through scripts/test-printer.sh;
#  - cups-client: lp and lpstat, which generator/serve/printing.py runs;
#  - printer-driver-cups-pdf: the cups-pdf backend, a virtual printer that
#    writes each job to a PDF file, so a real print can be read back.
# Quiet when everything is already installed. Without recommended packages:
# avahi-daemon and colord are for finding network printers and colour
# profiles, neither of which a virtual printer needs.
set -euo pipefail

packages=(cups cups-client printer-driver-cups-pdf)

missing=()
for package in "${packages[@]}"; do
    # The package database, not `command -v`: cups-pdf has no command of its
    # own, and a package removed without --purge leaves its files behind.
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
