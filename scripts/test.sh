#!/usr/bin/env bash
# README command 2: install vtile with its test tools and run the whole test
# suite: the lit/FileCheck suite, then the pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
echo "==> lit test"
.venv/bin/lit --succinct test
echo "==> pytest"
.venv/bin/pytest
