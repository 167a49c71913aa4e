"""vtile pipeline vs IREE's default pipeline on the built-in EdgeCNN at
several input sizes: median latency and DEVICE_LOCAL peak, as ratios, both
modules compiled and measured in the same run (vtile.bench.compare).

    .venv/bin/python benchmarks/pipelines.py --sizes 64 128 224 --json results.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from rich.console import Console

from vtile.backends.iree import vulkan_available
from vtile.bench import compare
from vtile.compiler import compile_model
from vtile.context import make_context
from vtile.errors import VtileError
from vtile.frontends.model import load_model
from vtile.models import edge_cnn
from vtile.named_pipelines import NONE, PIPELINE_HELP
from vtile.tables import Steps, bench_table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 224],
                        help="input heights/widths (default: 64 128 224)")
    parser.add_argument("--targets", nargs="+", default=["llvm-cpu", "vulkan-spirv"],
                        help="targets; vulkan-spirv is skipped without a Vulkan device")
    parser.add_argument("--pipeline", default=NONE, choices=list(PIPELINE_HELP))
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    targets = [t for t in args.targets if t != "vulkan-spirv" or vulkan_available()]
    console, comparisons = Console(width=160), []
    try:
        with Steps(Console(stderr=True)) as steps:
            for size in args.sizes:
                steps(f"exporting EdgeCNN at {size}x{size}")
                network, inputs = edge_cnn(size=size)
                model = load_model(network, make_context(), inputs)
                model.name = f"EdgeCNN {size}x{size}"
                for target in targets:
                    steps(f"compiling {model.name} for {target}")
                    candidate = compile_model(model, target, args.pipeline)
                    comparisons.append(compare(candidate, args.repetitions, steps))
    except VtileError as error:
        sys.exit(f"pipelines.py: error: {error}")
    console.print(bench_table(comparisons))
    if args.json:
        rows = [
            dataclasses.asdict(c) | {"latency_ratio": c.latency_ratio, "memory_ratio": c.memory_ratio}
            for c in comparisons
        ]
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
