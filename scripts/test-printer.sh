#!/usr/bin/env bash
# Sets up the virtual printer tests/test_printing.py prints to, and prints
# (as the only line on stdout) the folder where its PDFs appear for the
# current user. Safe to run again and again, and by several test runs at once:
#  - starts the CUPS scheduler, cupsd, directly when it is not running (no
#    systemd in containers and on many CI machines); it keeps running
#    afterwards, like the service it normally is;
#  - adds the queue LeafletTestPDF, printing through the cups-pdf backend,
#    which writes each job to a PDF file instead of paper, so the test can
#    read back what was printed; then makes sure it is enabled and accepting.
# The packages come from scripts/install-print-tools.sh. Messages go to stderr.
set -euo pipefail

QUEUE=LeafletTestPDF
CONF=/etc/cups/cups-pdf.conf
# lpstat's answers are read below, so they must be in English.
export LC_ALL=C.UTF-8
unset LANGUAGE

fail() {
    echo "test-printer.sh: $*" >&2
    exit 1
}

for command in cupsd lpadmin lpinfo lpstat cupsenable cupsaccept; do
    PATH="$PATH:/usr/sbin:/sbin" command -v "$command" >/dev/null ||
        fail "$command is missing: run scripts/install-print-tools.sh first"
done
export PATH="$PATH:/usr/sbin:/sbin"
[ -x /usr/lib/cups/backend/cups-pdf ] ||
    fail "the cups-pdf backend is missing: run scripts/install-print-tools.sh first"

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi

# Two test runs at once (or the workers of one) must not both start a
# scheduler, or both add the queue: the second cupsd could not listen.
# One lock per user: another user's file in /tmp cannot be opened for writing.
exec 9>"${TMPDIR:-/tmp}/leaflet-test-printer-$(id -u).lock"
flock 9

scheduler_running() {
    [ "$(lpstat -r 2>/dev/null)" = "scheduler is running" ]
}

if ! scheduler_running; then
    echo "Starting the CUPS scheduler (cupsd)" >&2
    # Without -f, cupsd returns once it is listening and runs on in the
    # background. Its output goes to a file rather than to our caller: a
    # caller that reads our stdout to its end would otherwise wait on it.
    log=$(mktemp)
    if ! $SUDO cupsd </dev/null >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        fail "cupsd did not start (see above and /var/log/cups/error_log)"
    fi
    rm -f "$log"
    for _ in $(seq 50); do
        scheduler_running && break
        sleep 0.2
    done
    scheduler_running || {
        tail -n 20 /var/log/cups/error_log >&2 2>/dev/null || true
        fail "cupsd was started but lpstat -r still says it is not running"
    }
fi

# lpadmin warns on every call that printer drivers are deprecated; its
# output is only shown when it fails.
admin() {
    local out
    if ! out=$($SUDO "$@" 2>&1); then
        echo "$out" >&2
        fail "$* failed"
    fi
}

# The queue is only (re)made when missing or pointing elsewhere: changing a
# queue that another test run is printing on could spoil that print.
if [ "$(lpstat -v "$QUEUE" 2>/dev/null)" != "device for $QUEUE: cups-pdf:/" ]; then
    # The PPD's name is not fixed across versions of the package: ask CUPS.
    ppd=$(lpinfo -m 2>/dev/null | awk '/CUPS-PDF_noopt\.ppd/ { print $1; exit }')
    [ -n "$ppd" ] || ppd=$(lpinfo -m 2>/dev/null | awk '/CUPS-PDF/ { print $1; exit }')
    [ -n "$ppd" ] || fail "lpinfo -m lists no CUPS-PDF driver: is printer-driver-cups-pdf installed?"
    echo "Adding the printer $QUEUE (cups-pdf, $ppd)" >&2
    # Not shared: a test printer has no business being announced on the network.
    admin lpadmin -p "$QUEUE" -E -v cups-pdf:/ -m "$ppd" -o printer-is-shared=false
fi

# CUPS turns a PDF into PostScript for cups-pdf, which turns it back into a
# PDF with Ghostscript. With the default converter (Ghostscript, "hybrid")
# the fonts lose the map from glyphs back to letters, so the printed PDF has
# no readable text; Poppler's pdftocairo keeps it.
if ! lpoptions -p "$QUEUE" 2>/dev/null | grep -q 'pdftops-renderer=pdftocairo'; then
    admin lpadmin -p "$QUEUE" -o pdftops-renderer-default=pdftocairo
fi

# A queue stops by itself after a failed job (or someone stopped it).
if lpstat -p "$QUEUE" 2>/dev/null | grep -q 'disabled'; then
    admin cupsenable "$QUEUE"
fi
if lpstat -a "$QUEUE" 2>/dev/null | grep -q 'not accepting'; then
    admin cupsaccept "$QUEUE"
fi
lpstat -p "$QUEUE" 2>/dev/null | grep -q 'enabled' || fail "$QUEUE is not enabled: $(lpstat -p "$QUEUE" 2>&1)"
lpstat -a "$QUEUE" 2>/dev/null | grep -q "^$QUEUE accepting" || fail "$QUEUE is not accepting jobs"

# Where cups-pdf writes a user's files: the last "Out" in its configuration,
# or its built-in default. cups-pdf expands ${HOME} from the password
# database, not from the environment, and so does this.
user=$(id -un)
home=$(getent passwd "$user" | cut -d: -f6)
out=$(sed -n 's/^Out[[:space:]]\{1,\}//p' "$CONF" 2>/dev/null | tail -n 1)
out=${out:-/var/spool/cups-pdf/\$\{USER\}}
out=${out//\$\{HOME\}/$home}
out=${out//\$\{USER\}/$user}
echo "$out"
