#!/usr/bin/env bash
# README command 2: install vtile with its test tools and run the whole test
# suite: the lit/FileCheck suite, then the pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
echo "==> lit test"
.venv/bin/lit --succinct test
echo "==> pytest"
# Tests run on every core (at most 4 workers); tests that share an imported
# model are grouped onto one worker (pytest.mark.xdist_group). iree-compile
# outputs are cached under ~/.cache/vtile (vtile.backends.compile_cache).
.venv/bin/pytest -n auto --maxprocesses 4 --dist loadgroup --durations 25
