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

exec "$(dirname "$0")/apt-install-missing.sh" cups cups-client printer-driver-cups-pdf
