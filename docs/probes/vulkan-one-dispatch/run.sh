#!/usr/bin/env bash
# Compiles and runs both examples on vulkan (lavapipe) and compares with numpy. Usage: ./run.sh
set -u
cd "$(dirname "$0")"
B="$(git rev-parse --show-toplevel)/.venv/bin"
$B/python make_inputs.py
check() { # name module lib input ref
  local name=$1 mod=$2 lib=$3 x=$4 ref=$5
  $B/iree-compile "$mod" --iree-codegen-transform-dialect-library="$PWD/$lib@__kernel_config" -o "$name.vmfb" 2> "$name.log" \
    || { echo "$name: compile failed: $(grep -m1 error: "$name.log")"; return; }
  # A library that fails to parse/load only logs an error; IREE then silently uses its default codegen.
  grep -q "error:" "$name.log" && { echo "$name: log has errors: $(grep -m1 error: "$name.log")"; return; }
  $B/iree-run-module --device=vulkan --module="$name.vmfb" --function=main --input=@"$x" --input=@w1.npy \
    --input=@b1.npy --input=@w2.npy --input=@b2.npy --output=@"out_$name.npy" > /dev/null || return
  $B/python -c "import numpy as n; print('$name: max abs err', abs(n.load('out_$name.npy') - n.load('$ref')).max())"
}
check v3 module.mlir lib_v3.mlir x.npy ref.npy
check pad module_pad.mlir lib_pad.mlir xs.npy ref_pad.npy
