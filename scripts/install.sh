#!/usr/bin/env bash
# Installs vtile (and, with --test, its test tools) into ./.venv.
# Shared by scripts/demo.sh and scripts/test.sh, the README's two commands.
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[[ "${1:-}" == "--test" ]] && extras="[test]"

# Debian packages the project needs; installed only when missing.
# mesa-vulkan-drivers: lavapipe, a Vulkan device on the CPU for vulkan-spirv.
debian_packages=(python3-venv mesa-vulkan-drivers)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "==> apt-get install ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}"
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
echo "==> pip install .${extras} (builds the C++ against the pinned MLIR 22.1.8; a few minutes the first time)"
.venv/bin/pip install --quiet --disable-pip-version-check ".${extras}"
