#!/usr/bin/env bash
# README command 1: install vtile and run `vtile demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
.venv/bin/vtile demo
