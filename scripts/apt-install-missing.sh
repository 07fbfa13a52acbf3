#!/usr/bin/env bash
# Installs the Debian packages named that are not installed yet, quietly,
# without recommended packages; does nothing when all are there. Shared by
# the install-*-tools.sh scripts, which say why each package is needed.
set -euo pipefail

missing=()
for package in "$@"; do
    # The package database, not `command -v`: data packages have no command,
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
# Another install (another tools script, another test worker) may hold
# dpkg's lock: wait for it rather than fail.
wait_lock=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${wait_lock[@]}" update -qq
$SUDO apt-get "${wait_lock[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
