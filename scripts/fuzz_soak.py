#!/usr/bin/env python3
"""Long differential-fuzzing soaks: the CI fuzz suite (test/python/test_fuzz.py)
with more batches of 50 graphs and a seed of your choice, e.g.

    .venv/bin/python scripts/fuzz_soak.py --batches 100 --seed 7

Failures shrink and are saved under vtile-fuzz-failures/; copy a saved .mlir
into test/python/fuzz_regressions/ to keep it as a regression test."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=100, help="llvm-cpu batches of 50 graphs")
    parser.add_argument("--vulkan-batches", type=int, default=4, help="vulkan-spirv batches of 25")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed")
    args = parser.parse_args()
    if args.batches < 0 or args.vulkan_batches < 0:
        parser.error("batch counts must be non-negative")
    env = dict(os.environ, VTILE_FUZZ_SOAK="1", VTILE_FUZZ_BATCHES=str(args.batches),
               VTILE_FUZZ_VULKAN_BATCHES=str(args.vulkan_batches))
    command = [sys.executable, "-m", "pytest", "-q", str(ROOT / "test/python/test_fuzz.py"),
               f"--hypothesis-seed={args.seed}", "-p", "no:cacheprovider"]
    return subprocess.run(command, env=env, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
