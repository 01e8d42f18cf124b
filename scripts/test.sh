#!/usr/bin/env bash
# Install everything the tests need, then run the whole test suite.
# Works on a fresh Debian machine with only Python 3.11; extra arguments go to pytest.
# The browser tests (tests/browser/) drive Debian's Chromium with Playwright, so Chromium is
# installed from Debian's packages when /usr/bin/chromium is missing (as root, or with sudo);
# Playwright itself never downloads a browser.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM=/usr/bin/chromium

# Installs Debian's Chromium, as root or with sudo; says what to do when neither is possible.
install_chromium() {
    local as_root=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "scripts/test.sh: the browser tests need Chromium ($CHROMIUM) and installing" \
                "it needs root: run 'apt-get update && apt-get install -y chromium' as root," \
                "then run scripts/test.sh again." >&2
            exit 1
        fi
        as_root=(sudo)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "scripts/test.sh: the browser tests need Debian's Chromium at $CHROMIUM and this" \
            "machine has no apt-get: install Chromium there, then run scripts/test.sh again." >&2
        exit 1
    fi
    echo "scripts/test.sh: installing Chromium from Debian's packages for the browser tests"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
}

if [ ! -x "$CHROMIUM" ]; then
    install_chromium
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,fast]'
exec .venv/bin/python -m pytest -n 2 -q "$@"
