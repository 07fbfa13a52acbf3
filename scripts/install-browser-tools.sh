#!/usr/bin/env bash
# Installs what tests/test_html_edition.py needs, when it is missing:
#  - Debian's Chromium (/usr/bin/chromium), driven headless by the test over
#    the DevTools protocol on a pipe (no extra Python package);
#  - axe-core, the accessibility checker injected into each page, pinned,
#    into the project-local folder .cache/node/ (no global npm install).
# Quiet when everything is already installed. Never downloads a browser
# through Playwright or Puppeteer.
set -euo pipefail
cd "$(dirname "$0")/.."

AXE_VERSION=4.14.1
NODE_PREFIX=.cache/node

apt_install() {
    echo "Installing Debian package: $1"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

[ -x /usr/bin/chromium ] || apt_install chromium

axe="$NODE_PREFIX/node_modules/axe-core"
if [ ! -f "$axe/axe.min.js" ] || ! grep -q "\"version\": \"$AXE_VERSION\"" "$axe/package.json" 2>/dev/null; then
    command -v npm >/dev/null || apt_install npm
    echo "Installing npm package: axe-core@$AXE_VERSION into $NODE_PREFIX"
    mkdir -p "$NODE_PREFIX"
    npm install --prefix "$NODE_PREFIX" --no-save --no-audit --no-fund --no-package-lock \
        --loglevel=error "axe-core@$AXE_VERSION" >/dev/null
fi
