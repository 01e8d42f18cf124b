#!/usr/bin/env bash
# Install everything the tests need into .venv, then run the whole test suite.
# Works on a fresh machine with only Python 3.11; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,fast]'
exec .venv/bin/python -m pytest -n 2 -q "$@"
