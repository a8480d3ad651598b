#!/usr/bin/env bash
# Installs the tool into .venv and runs the demo on the embedded defaults (SQLite, the outbox
# transport): sample update blocks are imported, composed into a monthly issue, checked,
# approved and sent to fictitious subscribers as .eml files in demo/outbox/.
# Usage: bash scripts/try.sh [newsletter demo options]
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q -e .
exec .venv/bin/newsletter demo --fresh "$@"
