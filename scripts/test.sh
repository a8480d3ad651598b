#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs ruff, the import
# contracts (import-linter) and the tests.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Chromium for the browser tests, Postfix for smtp-sink (send benchmark),
# SpamAssassin to score our messages.
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/smtp-sink ] || need+=(postfix)
[ -x /usr/bin/spamassassin ] || need+=(spamassassin)  # tests/delivery/test_spamassassin.py
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
.venv/bin/ruff check .
# The dependency rule between capabilities and no import cycles (contracts in pyproject.toml).
.venv/bin/lint-imports
exec .venv/bin/python -m pytest "$@"
